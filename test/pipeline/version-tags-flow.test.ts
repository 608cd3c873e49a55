import { describe, expect, it } from 'vitest'
import { computeDigest } from '../../src/core/digest.ts'
import { sweep } from '../../src/pipeline/sweep.ts'
import { createScenario, HOST } from '../support/scenario.ts'
import { postDistribution } from '../support/test-app.ts'

const HEX = 'c'.repeat(64)
const appImage = (extra: Record<string, unknown> = {}) => ({
  images: [{ target: `${HOST}/demo/app`, from: `${HOST}/demo/app-{arch}:{version}`, platforms: ['linux/amd64', 'linux/arm64'], tags: { floating: ['{major}'], extra: ['edge'] }, ...extra }],
})
type S = ReturnType<typeof createScenario>
const pushBoth = async (s: S, tag: string, seed = tag) => {
  for (const arch of ['amd64', 'arm64']) await s.push(`demo/app-${arch}`, tag, `linux/${arch}`, { seed: `${seed}-${arch}` })
  await s.test.idle()
}
const digestOf = (s: S, tag: string) => {
  const stored = s.registry.getManifest('demo/app', tag)
  return stored ? computeDigest(stored.bytes) : undefined
}

describe('which tags are versions (fake registry)', () => {
  it('ignores per-arch latest, floating, extra and referrers tags from webhooks and tag listings; latest stays at the highest stable version', async () => {
    const s = createScenario(appImage())
    await sweep(s.test.deps) // the first listing takes note of an empty registry; later ones look for versions
    await pushBoth(s, 'v1.0.2')
    await pushBoth(s, 'v1.0.3')
    for (const tag of ['latest', '1', 'edge', `sha256-${HEX}`, `sha256-${HEX}.sig`, `sha256-${HEX}.att`]) await pushBoth(s, tag, `moving-${tag}`)
    await pushBoth(s, 'main')
    await sweep(s.test.deps)
    await sweep(s.test.deps)
    const status = (await s.status()).images[0]
    expect(status.versions.map((v: any) => [v.version, v.state]).sort()).toEqual([['main', 'published'], ['v1.0.2', 'published'], ['v1.0.3', 'published']])
    expect(status.tags.latest.version).toBe('v1.0.3')
    expect(await digestOf(s, 'latest')).toBe(await digestOf(s, 'v1.0.3'))
    expect(await digestOf(s, '1')).toBe(await digestOf(s, 'v1.0.3'))
    expect(status.tags.edge.version).toBe('main')
  })

  it('answers each refused tag with its reason', async () => {
    const s = createScenario(appImage({ versionPattern: '^v[0-9]+\\.[0-9]+\\.[0-9]+$' }))
    const post = async (tag: string) => (await postDistribution(s.test, [{ repository: 'demo/app-amd64', tag, digest: `sha256:${HEX}` }])).json()
    expect((await post('latest')).ignored).toEqual([{ reason: 'not a version: a moving tag (latest, floating or extra)', repository: 'demo/app-amd64', tag: 'latest' }])
    expect((await post(`sha256-${HEX}.sig`)).ignored[0].reason).toBe('not a version: a referrers or signature tag')
    expect((await post('main')).ignored[0].reason).toBe("not a version: outside the image's versionPattern")
    expect((await post('v1.0.0')).accepted).toHaveLength(1)
  })
})
