import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, createScenario, HOST } from '../support/scenario.ts'

type S = ReturnType<typeof createScenario>
const getStatus = async (s: S, query: string) => s.test.request(`/status${query}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })

// Five versions of demo/suffix, created a minute apart (v1.0.0 first), each waiting for arm64.
async function fiveVersions() {
  const clock = { now: new Date('2026-11-27T12:00:00Z') }
  const s = createScenario({}, { clock })
  for (const [minute, version] of ['v1.0.0', 'v1.0.1', 'v1.0.2', 'v1.0.3', 'v1.0.4'].entries()) {
    clock.now = new Date(Date.parse('2026-11-27T12:00:00Z') + minute * 60_000)
    await s.push('demo/suffix', `${version}-amd64`, 'linux/amd64')
  }
  await s.test.idle()
  return s
}

describe('GET /status', () => {
  it('lists at most `limit` versions per image, the most recently created, and says how many it left out', async () => {
    const s = await fiveVersions()
    const body = await (await getStatus(s, `?image=${HOST}/demo/suffix&limit=2`)).json()
    expect(body.images).toHaveLength(1)
    expect(body.images[0].versions.map((v: any) => v.version)).toEqual(['v1.0.3', 'v1.0.4'])
    expect(body.images[0].versionsOmitted).toBe(3)
    const all = await (await getStatus(s, '')).json()
    expect(all.images[1].versions).toHaveLength(5)
    expect(all.images[1]).not.toHaveProperty('versionsOmitted')
  })

  it('shows one version with ?version=, and nothing for an unknown one', async () => {
    const s = await fiveVersions()
    const body = await (await getStatus(s, `?image=${HOST}/demo/suffix&version=v1.0.1`)).json()
    expect(body.images[0].versions).toEqual([expect.objectContaining({ version: 'v1.0.1', state: 'waiting', missing: ['linux/arm64'] })])
    expect((await (await getStatus(s, '?version=v9.9.9')).json()).images.map((i: any) => i.versions)).toEqual([[], []])
  })

  it('answers 400 for a limit that is not a whole number from 1 to 10,000', async () => {
    const s = createScenario()
    for (const limit of ['0', '-1', '1.5', 'many', '10001']) {
      const response = await getStatus(s, `?limit=${limit}`)
      expect(response.status).toBe(400)
      expect((await response.json()).error.code).toBe('INVALID_PAYLOAD')
    }
  })
})
