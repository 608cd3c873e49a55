// Random publishing schedules for the property test: pushes of per-arch images (some rebuilt),
// deliveries of their webhooks (duplicated, reordered, concurrent, some lost), then a sweep.
// Runs one schedule against a given store and checks the invariants the product promises.
import * as fc from 'fast-check'
import { computeDigest } from '../../src/core/digest.ts'
import { parsePlatform } from '../../src/core/platform.ts'
import { compareSemver, isStable, parseSemver } from '../../src/core/semver.ts'
import { runWorkItem } from '../../src/pipeline/run-work-item.ts'
import { parseWorkItem, type WorkItem } from '../../src/pipeline/work-item.ts'
import type { StateStore } from '../../src/state/store.ts'
import { buildFakeImage, seedFakeImage } from './fake-images.ts'
import { createFakeRegistry, type FakeRegistry } from './fake-registry.ts'
import { createTestApp, postDistribution, TOKEN, type TestApp } from './test-app.ts'

const HOST = 'registry.test'
const ALL_PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/ppc64le', 'linux/s390x']
const VERSIONS = ['1.0.0', '1.0.1', '1.1.0', 'v1.1.1', '2.0.0-rc.1', '2.0.0', '0.9.0']
const ARCH: Record<string, string> = { 'linux/amd64': 'amd64', 'linux/arm64': 'arm64', 'linux/arm/v7': 'armv7', 'linux/ppc64le': 'ppc64le', 'linux/s390x': 's390x' }

export interface Push {
  version: string
  platform: string
  seed: string
}

export type Step = { kind: 'push'; push: number } | { kind: 'deliver'; pushes: number[] } | { kind: 'idle' }

export interface Schedule {
  style: 'separate' | 'suffix'
  platforms: string[]
  pushes: Push[]
  steps: Step[]
  /** Random picks for runs on several instances: which instance, order, duplicates. */
  picks: number[]
}

/** Generates schedules: 2-3 versions, 3-5 platforms, rebuilds, lost/duplicated/reordered deliveries. */
export function scheduleArbitrary(): fc.Arbitrary<Schedule> {
  const setup = fc.record({
    style: fc.constantFrom('separate' as const, 'suffix' as const),
    platforms: fc.shuffledSubarray(ALL_PLATFORMS, { minLength: 3, maxLength: 5 }),
    versions: fc.uniqueArray(fc.constantFrom(...VERSIONS), { minLength: 2, maxLength: 3 }),
  })
  return setup.chain(({ style, platforms, versions }) => {
    const slots = versions.flatMap((version) => platforms.map((platform) => ({ version, platform })))
    return fc
      .record({
        rebuilds: fc.array(fc.constantFrom(...slots), { maxLength: 3 }),
        order: fc.infiniteStream(fc.nat()),
        fates: fc.array(fc.constantFrom('lost', 'once', 'once', 'once', 'twice'), { minLength: slots.length + 3, maxLength: slots.length + 3 }),
        batching: fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 40, maxLength: 40 }),
        idles: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        picks: fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
      })
      .map(({ rebuilds, order, fates, batching, idles, picks }) => {
        const pushes: Push[] = [...slots, ...rebuilds].map((slot, i) => ({ ...slot, seed: `${slot.version}/${slot.platform}/${i}` }))
        // A version whose every webhook is lost is unknown to us (nothing to reconcile): keep one.
        for (const version of versions) fates[pushes.findIndex((p) => p.version === version)] = 'once'
        return { style, platforms, pushes, steps: buildSteps(pushes, order, fates, batching, idles), picks }
      })
  })
}

// Interleaves pushes and deliveries: a delivery only after its push; duplicates and loss by fate.
function buildSteps(pushes: Push[], order: fc.Stream<number>, fates: string[], batching: number[], idles: boolean[]): Step[] {
  const pushOrder = shuffle(pushes.map((_, i) => i), order)
  const deliveries: number[] = []
  const steps: Step[] = []
  let b = 0
  for (const [k, push] of pushOrder.entries()) {
    steps.push({ kind: 'push', push })
    const fate = fates[push] ?? 'once'
    if (fate !== 'lost') deliveries.push(push)
    if (fate === 'twice') deliveries.push(push)
    const flush = k === pushOrder.length - 1 || (order.next().value as number) % 3 === 0
    while (flush && deliveries.length > 0) {
      const batch = shuffle(deliveries.splice(0, batching[b % batching.length] ?? 1), order)
      steps.push({ kind: 'deliver', pushes: batch })
      if (idles[b++ % idles.length]) steps.push({ kind: 'idle' })
    }
  }
  return steps
}

function shuffle<T>(items: T[], order: fc.Stream<number>): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = (order.next().value as number) % (i + 1)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

/** What a run left in the registry: index bytes per version tag and the digest of each moving tag. */
export interface Outcome {
  indexes: Record<string, string>
  tags: Record<string, string | undefined>
}

/**
 * Runs a schedule against `store` and checks every invariant; returns what was published. With
 * `instances`, deliveries go round that many app instances sharing the store, and their work items
 * (through JSON) run in random order, some twice, concurrently on random instances.
 */
export async function runSchedule(schedule: Schedule, store: StateStore, options: { instances?: number } = {}): Promise<Outcome> {
  const registry = createFakeRegistry({ host: HOST })
  const source = (push: Push) => schedule.style === 'separate' ? { repository: `demo/app-${ARCH[push.platform]}`, tag: push.version } : { repository: 'demo/app', tag: `${push.version}-${ARCH[push.platform]}` }
  const from = schedule.style === 'separate' ? `${HOST}/demo/app-{arch}:{version}` : `${HOST}/demo/app:{version}-{arch}`
  const config = { server: { adminToken: 'admin' }, registries: { [HOST]: {} }, sources: { distribution: { token: TOKEN } }, images: [{ target: `${HOST}/demo/app`, from, platforms: schedule.platforms, tags: { floating: ['{major}', '{major}.{minor}'] } }] }
  const apps = Array.from({ length: options.instances ?? 1 }, () => createTestApp(config, { fetch: registry.fetch, store }))
  const test = apps[0] as TestApp
  const pool = options.instances === undefined ? undefined : createWorkPool(apps, schedule.picks)
  const idle = () => (pool ? pool.drain() : test.idle())
  const pushed = new Map<number, { digest: string; at: string }>()
  let clock = Date.parse('2026-11-27T10:00:00Z')
  const versions = [...new Set(schedule.pushes.map((p) => p.version))]
  let highestLatest: string | undefined
  for (const step of schedule.steps) {
    if (step.kind === 'idle') {
      await idle()
      highestLatest = await checkAtRest(registry, versions, highestLatest)
    }
    if (step.kind === 'push') {
      const push = schedule.pushes[step.push] as Push
      const image = await buildFakeImage({ platform: parsePlatform(push.platform)!, seed: push.seed, format: 'docker' })
      const { repository, tag } = source(push)
      const digest = await seedFakeImage(registry, repository, tag, image)
      pushed.set(step.push, { digest, at: new Date((clock += 1000)).toISOString() })
    }
    if (step.kind === 'deliver') {
      await Promise.all(step.pushes.map((i, n) => {
        const { digest, at } = pushed.get(i) as { digest: string; at: string }
        return postDistribution(apps[n % apps.length] as TestApp, [{ ...source(schedule.pushes[i] as Push), digest, timestamp: at }])
      }))
    }
  }
  await idle()
  if (pool) {
    // The scheduled sweep's way: fanned out as per-image items on the instances.
    pool.add({ kind: 'sweep', full: true })
    await pool.drain()
  } else {
    const sweep = await test.request('/reconcile', { method: 'POST', headers: { authorization: 'Bearer admin' } })
    if (sweep.status !== 200) throw new Error(`reconcile answered ${sweep.status}`)
    await test.idle()
  }
  return checkInvariants(schedule, registry, test, source)
}

// Work items of every instance in one pool; draining runs them in random order, some twice, all
// at once, each on a random instance, until none are left (sweeps add more).
function createWorkPool(apps: TestApp[], picks: number[]) {
  const pool: string[] = []
  let p = 0
  const pick = () => picks[p++ % picks.length] as number
  for (const app of apps) app.deps.work = { enqueue: async (item) => void pool.push(JSON.stringify(item)) }
  return {
    add: (item: WorkItem) => void pool.push(JSON.stringify(item)),
    async drain() {
      while (pool.length > 0) {
        const runs = pool.splice(0).flatMap((json) => (pick() % 3 === 0 ? [json, json] : [json]))
        for (let i = runs.length - 1; i > 0; i--) {
          const j = pick() % (i + 1)
          ;[runs[i], runs[j]] = [runs[j] as string, runs[i] as string]
        }
        await Promise.all(runs.map((json) => runWorkItem((apps[pick() % apps.length] as TestApp).deps, parseWorkItem(JSON.parse(json)))))
      }
    },
  }
}

// At any quiet moment (not only after the sweep): every published index references only children
// present in the target, `latest` names the current index of a version, and never a lower version
// than it did before.
async function checkAtRest(registry: FakeRegistry, versions: string[], highest: string | undefined): Promise<string | undefined> {
  const byDigest = new Map<string, string>()
  for (const version of versions) {
    const stored = registry.getManifest('demo/app', version)
    if (!stored) continue
    byDigest.set(await computeDigest(stored.bytes), version)
    for (const entry of JSON.parse(new TextDecoder().decode(stored.bytes)).manifests) {
      if (!registry.getManifest('demo/app', entry.digest)) throw new Error(`${version} references ${entry.digest}, missing from the target`)
    }
  }
  const latest = registry.getManifest('demo/app', 'latest')
  if (!latest) return highest
  // At rest, latest names the current index of a version: a digest no version tag names any more is
  // a latest left behind by a republish.
  const digest = await computeDigest(latest.bytes)
  const now = byDigest.get(digest)
  if (!now) throw new Error(`latest names ${digest}, which is no version's current index`)
  if (highest && compareSemver(parseSemver(now)!, parseSemver(highest)!) < 0) throw new Error(`latest moved back from ${highest} to ${now}`)
  return now
}

async function checkInvariants(schedule: Schedule, registry: FakeRegistry, test: TestApp, source: (push: Push) => { repository: string; tag: string }): Promise<Outcome> {
  const versions = [...new Set(schedule.pushes.map((p) => p.version))]
  const complete = versions.filter((v) => schedule.platforms.every((p) => schedule.pushes.some((push) => push.version === v && push.platform === p)))
  const indexes: Record<string, string> = {}
  for (const version of versions) {
    const stored = registry.getManifest('demo/app', version)
    if (!complete.includes(version)) {
      if (stored) throw new Error(`incomplete version ${version} was published`)
      continue
    }
    if (!stored) throw new Error(`complete version ${version} was not published: ${JSON.stringify(await (await test.request('/status', { headers: { authorization: 'Bearer admin' } })).json())}`)
    const text = new TextDecoder().decode(stored.bytes)
    const listed = JSON.parse(text).manifests.map((m: { digest: string }) => m.digest)
    const current = schedule.platforms.map((platform) => {
      const push = schedule.pushes.find((p) => p.version === version && p.platform === platform) as Push
      const { repository, tag } = source(push)
      return registry.getManifest(repository, tag) as { bytes: Uint8Array }
    })
    const expected = await Promise.all(current.map((m) => computeDigest(m.bytes)))
    if (JSON.stringify(listed) !== JSON.stringify(expected)) throw new Error(`${version} lists ${listed} instead of the current ${expected}`)
    for (const digest of listed) if (!registry.getManifest('demo/app', digest)) throw new Error(`${version} references ${digest}, missing from the target`)
    indexes[version] = text
  }
  return { indexes, tags: await checkMovingTags(registry, complete) }
}

// latest: the highest stable semver version; '{major}' and '{major}.{minor}': the highest stable in their line.
async function checkMovingTags(registry: FakeRegistry, complete: string[]): Promise<Record<string, string | undefined>> {
  const stable = complete.map((v) => parseSemver(v)!).filter(isStable).sort(compareSemver)
  const expected = new Map<string, string>()
  for (const v of stable) {
    for (const tag of ['latest', `${v.major}`, `${v.major}.${v.minor}`]) expected.set(tag, v.raw)
  }
  const tags: Record<string, string | undefined> = {}
  const names = new Set([...expected.keys(), 'latest', '0', '1', '2', '0.9', '1.0', '1.1', '2.0'])
  for (const tag of names) {
    const stored = registry.getManifest('demo/app', tag)
    const want = expected.get(tag)
    const digest = stored && (await computeDigest(stored.bytes))
    const wantDigest = want && (await computeDigest(registry.getManifest('demo/app', want)!.bytes))
    if (digest !== wantDigest) throw new Error(`tag ${tag} names ${digest ?? 'nothing'} but should name ${want ?? 'nothing'}`)
    tags[tag] = digest
  }
  return tags
}
