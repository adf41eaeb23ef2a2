// The HTTP-level fuzzer in npm test: 10,000 generated requests (raw paths, methods, headers,
// queries and bodies, from three callers, over raw TLS HTTP/1.1 and HTTP/2; httpfuzz.testing.ts)
// against a real API server with a memory store this test owns. Every answer is a 2xx, a 4xx
// Status with the HTTP code, or Go's plain-text refusal; no 5xx, no dropped connection, no
// guarded rejection; a rejected request or a read never moves the store's revision; every 500
// requests a full dump of the store equals what the accepted requests wrote.
// The seed is fixed so npm test is repeatable; FUZZ_SEED and FUZZ_REQUESTS change it, and a
// failure names the seed of its batch. `npm run fuzz` runs 100,000 (scripts/fuzz.ts).

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { installProcessGuard, startFuzzTarget, StoreLedger, type FuzzTarget } from './fuzz.testing.js'
import { runHttpFuzz } from './httpfuzz.testing.js'

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000)
const SEED = Number(process.env.FUZZ_SEED ?? 20_140_614)

describe('API server under generated raw HTTP requests', () => {
  let t: FuzzTarget

  before(async () => {
    // an unexpected rejection is counted (and fails the run) instead of ending the process
    installProcessGuard('httpfuzz.test')
    t = await startFuzzTarget()
  })

  after(async () => {
    await t.stop()
  })

  it(`answers ${REQUESTS} generated requests as upstream would, and writes only what it accepted`, { timeout: 600_000 }, async () => {
    const stats = await runHttpFuzz(t, { requests: REQUESTS, seed: SEED })
    assert.equal(stats.requests, REQUESTS)
    // the generator reaches the handlers: some requests are accepted and write, most are refused
    assert.ok(stats.writes > 0, 'no request was accepted')
    const byClass = Object.entries(stats.codes)
      .sort()
      .map(([c, n]) => `${c}: ${n}`)
      .join(', ')
    process.stdout.write(
      `# http fuzz: ${stats.requests} requests in ${stats.ms} ms (seed ${SEED}); ${stats.writes} writes; ${stats.dumps} store dumps; answers ${byClass}\n`,
    )
  })

  it('notices a write that no accepted answer explains, and a key that vanished', async () => {
    const ledger = new StoreLedger(t.store)
    await ledger.reset()
    await t.store.create('/registry/configmaps/fz/stray', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stray', namespace: 'fz' } }))
    await assert.rejects(ledger.check('stray write'), /no accepted request answered with it/)
    await ledger.reset()
    const kv = await t.store.get('/registry/configmaps/fz/stray')
    await t.store.delete('/registry/configmaps/fz/stray', kv!.modRevision)
    await assert.rejects(ledger.check('stray delete'), /vanished but no accepted request deleted it/)
  })
})
