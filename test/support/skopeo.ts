/**
 * skopeo as an independent registry client: pushes images built by buildImage and inspects what a
 * registry serves. Always plain HTTP (tls-verify=false), no trust policy, no ambient credentials.
 */
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildImage, type BuildImageOptions } from './oci-layout.ts'
import { HarnessError, runTool } from './tools.ts'

/** Registry credentials for skopeo (`--creds user:password`). */
export interface Creds {
  username: string
  password: string
}

/** buildImage options plus the manifest format to push and the credentials to push with. */
export interface PushOptions extends BuildImageOptions {
  format?: 'docker' | 'oci'
  creds?: Creds
}

/**
 * What `skopeo inspect` reports for the image it picked. `digest` is skopeo's `Digest`: for an index
 * that is the digest of the index itself, not of the picked child; `configDigest` identifies the child.
 */
export interface InspectResult {
  digest: string
  architecture: string
  os: string
  variant?: string
  configDigest?: string
}

const SKOPEO_TIMEOUT_MS = 60_000
// skopeo reads credentials from --authfile AND from $XDG_CONFIG_HOME, $DOCKER_CONFIG and ~/.dockercfg,
// so every one of them points into a folder that never exists: no ambient credentials, ever.
// https://github.com/containers/image/blob/main/docs/containers-auth.json.5.md
const EMPTY_HOME = join(tmpdir(), 'mh-skopeo-empty-home-never-created')
const NO_AUTH_FILE = join(EMPTY_HOME, 'auth.json')
const SKOPEO_ENV = {
  HOME: EMPTY_HOME,
  XDG_CONFIG_HOME: join(EMPTY_HOME, '.config'),
  DOCKER_CONFIG: join(EMPTY_HOME, '.docker'),
  REGISTRY_AUTH_FILE: NO_AUTH_FILE,
}
const ATTESTATION_TYPE = 'vnd.docker.reference.type'

/** Builds an image and copies it to `docker://<ref>` with skopeo; returns the built config digest. */
export async function copyImage(ref: string, options: PushOptions): Promise<{ configDigest: string }> {
  const image = await buildImage(options)
  try {
    // An index can only travel as itself (with every child: --all); single images get --format.
    const shape = options.attestation ? ['--all'] : ['--format', options.format === 'oci' ? 'oci' : 'v2s2']
    const creds = credsArgs('--dest-creds', options.creds)
    await runSkopeo(['copy', '--dest-tls-verify=false', ...shape, ...creds, `oci:${image.dir}:${image.ref}`, `docker://${ref}`])
  } finally {
    await image.cleanup()
  }
  return { configDigest: image.configDigest }
}

/** Builds an image and copies it to `docker://<ref>`; manifest digests are read back from the registry. */
export async function pushImage(
  ref: string,
  options: PushOptions,
): Promise<{ tagDigest: string; manifestDigest: string; mediaType: string; configDigest: string }> {
  const { configDigest } = await copyImage(ref, options)
  const raw = await skopeoInspectRaw(ref, options.creds)
  // configDigest is the built config's: skopeo keeps config bytes when converting OCI -> v2s2 (the self-test checks it).
  return { tagDigest: raw.digest, manifestDigest: imageEntryDigest(raw), mediaType: String(raw.json.mediaType), configDigest }
}

function imageEntryDigest(raw: { digest: string; json: any }): string {
  if (!Array.isArray(raw.json.manifests)) return raw.digest
  const entry = raw.json.manifests.find((item: any) => item.annotations?.[ATTESTATION_TYPE] !== 'attestation-manifest')
  if (typeof entry?.digest !== 'string') throw new HarnessError(`no image entry in pushed index ${raw.digest}`)
  return entry.digest
}

/** Runs `skopeo inspect` (optionally with --override-os/arch/variant) and returns the picked image. */
export async function skopeoInspect(
  ref: string,
  platform?: { os?: string; arch?: string; variant?: string },
  creds?: Creds,
): Promise<InspectResult> {
  const overrides = [
    ...(platform?.os ? ['--override-os', platform.os] : []),
    ...(platform?.arch ? ['--override-arch', platform.arch] : []),
    ...(platform?.variant ? ['--override-variant', platform.variant] : []),
  ]
  const common = ['--no-tags', '--tls-verify=false', ...credsArgs('--creds', creds), `docker://${ref}`]
  const json = JSON.parse((await runSkopeo([...overrides, 'inspect', ...common])).toString('utf8'))
  // skopeo 1.9 prints no Variant, so the variant comes from the picked image's config blob.
  const config = await runSkopeo([...overrides, 'inspect', '--config', '--raw', ...common])
  const variant = JSON.parse(config.toString('utf8')).variant
  const picked = { configDigest: sha256Digest(config), ...(typeof variant === 'string' && variant ? { variant } : {}) }
  return { digest: json.Digest, architecture: json.Architecture, os: json.Os, ...picked }
}

/** Runs `skopeo inspect --raw`: the manifest bytes exactly as served, their digest and parsed JSON. */
export async function skopeoInspectRaw(ref: string, creds?: Creds): Promise<{ bytes: Buffer; digest: string; json: any }> {
  const args = ['inspect', '--raw', '--no-tags', '--tls-verify=false', ...credsArgs('--creds', creds), `docker://${ref}`]
  const bytes = await runSkopeo(args)
  return { bytes, digest: sha256Digest(bytes), json: JSON.parse(bytes.toString('utf8')) }
}

/** Runs `skopeo copy` from `src` to `dest` (transport-prefixed), TLS verification off on both sides. */
export async function skopeoCopy(src: string, dest: string, extraArgs: string[] = []): Promise<void> {
  await runSkopeo(['copy', '--src-tls-verify=false', '--dest-tls-verify=false', ...extraArgs, src, dest])
}

function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

function credsArgs(flag: string, creds?: Creds): string[] {
  return creds ? [flag, `${creds.username}:${creds.password}`] : []
}

async function runSkopeo(args: string[]): Promise<Buffer> {
  const subcommand = args.findIndex((arg) => arg === 'copy' || arg === 'inspect')
  const withAuthFile = [...args.slice(0, subcommand + 1), '--authfile', NO_AUTH_FILE, ...args.slice(subcommand + 1)]
  const options = { timeoutMs: SKOPEO_TIMEOUT_MS, redact: passwordsIn(args), env: { ...process.env, ...SKOPEO_ENV } }
  const result = await runTool('skopeo', ['--insecure-policy', ...withAuthFile], options)
  return result.stdout
}

// Passwords given as `--creds user:password` (or --src-/--dest-creds) never reach an error message.
function passwordsIn(args: string[]): string[] {
  return args.flatMap((arg, index) => {
    const value = args[index + 1]
    return arg.endsWith('-creds') && value?.includes(':') ? [value.slice(value.indexOf(':') + 1)] : []
  })
}
