/**
 * `manifest-hook publish <image> <version> [--dry-run]`: the server's pipeline run by hand. Each
 * per-arch tag is HEADed first (all must exist), recorded as an arrival, and the version processed
 * exactly as after a webhook; progress lines come from the reporting registry wrapper.
 */
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { ImageConfig } from '../../../config.ts'
import type { ImageState } from '../../../core/image-state.ts'
import { renderSourceReference } from '../../../core/naming.ts'
import { formatReference } from '../../../core/reference.ts'
import { decideVersion, type VersionState } from '../../../core/version-state.ts'
import type { Deps } from '../../../deps.ts'
import { NotFoundError } from '../../../errors.ts'
import { processVersion } from '../../../pipeline/process-version.ts'
import { recordPush } from '../../../pipeline/record-push.ts'
import { createMemoryStore } from '../../../state/memory-store.ts'
import { createSqliteStore } from '../../../state/sqlite-store.ts'
import { imageKey, versionKey, type StateStore } from '../../../state/store.ts'
import { sha256Digest } from '../node-server.ts'
import { EXIT } from './cli-help.ts'
import { createCliDeps, createCliLogger, createCliRegistry, loadCliConfig, resolveDataPath } from './cli-deps.ts'
import { UsageError, type CliIo, type Style } from './cli-io.ts'
import { createOverlayStore } from './overlay-store.ts'
import { createReportingRegistry, type RegistryWrite } from './reporting-registry.ts'

const OPTIONS = { config: { type: 'string' }, data: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } as const

/** Publishes one version; exit 0 when it is published, 1 otherwise. */
export async function runPublishCommand(args: string[], io: CliIo, style: Style): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true })
  const [name, version] = positionals
  if (name === undefined || version === undefined || positionals.length > 2) throw new UsageError('publish takes <image> <version>')
  const dryRun = values['dry-run']
  const config = loadCliConfig(io, style, values.config)
  const image = config.images.find((i) => i.name === name || i.targetNames.includes(name))
  if (!image) throw new NotFoundError(`no configured image has the target "${name}" (configured: ${config.images.map((i) => i.name).join(', ') || 'none'})`)
  const store = openStore(resolveDataPath(io, values.data), dryRun)
  const log = createCliLogger(io, style)
  const report = (write: RegistryWrite) => io.stdout(`${formatWrite(write, dryRun, style)}\n`)
  const registry = createReportingRegistry(createCliRegistry(config, log), { dryRun, report, computeDigest: sha256Digest })
  const deps = createCliDeps(config, store, registry, log)
  try {
    if (!(await recordArrivals(deps, image, version, io, style))) return EXIT.failure
    await processVersion(deps, image, version)
    return await printOutcome(deps, image, version, dryRun, io, style)
  } finally {
    await store.close?.()
  }
}

// A dry run reads the real ledger (when there is one) and keeps its own writes in memory.
function openStore(path: string, dryRun: boolean): StateStore {
  if (!dryRun) return createSqliteStore(path)
  return createOverlayStore(existsSync(path) ? createSqliteStore(path) : createMemoryStore())
}

async function recordArrivals(deps: Deps, image: ImageConfig, version: string, io: CliIo, style: Style): Promise<boolean> {
  const found = await Promise.all(image.platforms.map(async (platform) => {
    const ref = renderSourceReference(image.from, platform.arch, version)
    const head = await deps.registry.headManifest(ref, ref.tag)
    return { platform, source: formatReference(ref), head }
  }))
  // Printed once every HEAD is back, in the configured platform order.
  for (const { platform, source, head } of found) io.stdout(`${platform.key.padEnd(14)} ${source}  ${head ? style.dim(head.digest) : style.red('not found')}\n`)
  const missing = found.filter((f) => !f.head)
  if (missing.length > 0) {
    io.stderr(`${style.red('error')}: ${image.name}:${version} is incomplete; missing ${missing.map((m) => m.source).join(', ')}\n`)
    return false
  }
  const at = deps.now().toISOString()
  for (const { platform, source, head } of found) {
    await recordPush(deps, { image, platform: platform.key, version, source }, head ? { hintDigest: head.digest } : {}, at)
  }
  return true
}

async function printOutcome(deps: Deps, image: ImageConfig, version: string, dryRun: boolean, io: CliIo, style: Style): Promise<number> {
  const state = (await deps.store.load(versionKey(image.name, version)))?.value as VersionState | undefined
  const decision = state && decideVersion(state, image.targetNames)
  if (!state || decision?.kind !== 'published') {
    const why = decision?.kind === 'refused' ? decision.refusals.map((r) => `${r.platform}: ${r.reason}`).join('; ') : state?.failure?.message ?? decision?.kind ?? 'unknown'
    io.stderr(`${style.red('error')}: ${image.name}:${version} was not published (${why})\n`)
    return EXIT.failure
  }
  const { publication } = decision
  const tags = ((await deps.store.load(imageKey(image.name)))?.value as ImageState | undefined)?.tags ?? {}
  const moved = Object.entries(tags).filter(([, pointer]) => pointer.version === version && pointer.digest === publication.digest).map(([tag]) => tag)
  io.stdout(`${style.bold('index')} ${publication.digest} (${publication.mediaType}, ${publication.children.length} manifests)\n`)
  io.stdout(`tags: ${publication.tags.join(', ')}${moved.length > 0 ? `; moved: ${moved.join(', ')}` : '; no moving tag moved'} in ${image.targetNames.join(', ')}\n`)
  if (dryRun) {
    io.stdout(`${JSON.stringify(JSON.parse(publication.manifest), null, 2)}\n`)
    io.stdout(`${style.yellow('dry run')}: nothing was written to the registry or the state file\n`)
  }
  return EXIT.ok
}

function formatWrite(write: RegistryWrite, dryRun: boolean, style: Style): string {
  const verb = dryRun ? style.yellow('would put') : style.green('put')
  if (write.kind === 'blob') {
    const outcome = dryRun ? style.yellow('would copy') : style.green(write.outcome)
    return `  blob  ${write.digest.slice(0, 19)}  ${formatSize(write.size).padStart(9)}  -> ${write.to}  ${outcome}`
  }
  const what = write.reference.startsWith('sha256:') ? `child ${write.digest.slice(0, 19)}` : `tag   ${write.reference}`
  return `  ${what}  -> ${write.to}  ${verb}`
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
