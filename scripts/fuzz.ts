// npm run fuzz: the HTTP-level fuzzer of npm test (orchestrator/apiserver/httpfuzz.testing.ts), at
// a larger count: 100,000 generated requests by default against one in-process API server, a
// store dump compared every 500. Prints progress, then the count, time, answers by code and the
// result; exits 1 on the first failure, naming the seed of its batch so it can be replayed.
// Usage: npm run fuzz [-- --requests 100000 --seed 20140614 --batch 500]

import { parseArgs } from 'node:util'
import { installProcessGuard, startFuzzTarget } from '../orchestrator/apiserver/fuzz.testing.js'
import { runHttpFuzz } from '../orchestrator/apiserver/httpfuzz.testing.js'

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: process.env.FUZZ_REQUESTS ?? '100000' },
    seed: { type: 'string', default: process.env.FUZZ_SEED ?? String(Date.now() % 1_000_000_000) },
    batch: { type: 'string', default: '500' },
  },
})
const requests = Number(values.requests)
const seed = Number(values.seed)
const batch = Number(values.batch)
if (!Number.isInteger(requests) || requests < 1) throw new Error(`--requests must be a positive integer, not ${values.requests}`)

installProcessGuard('fuzz')
const t = await startFuzzTarget()
process.stdout.write(`fuzz: ${requests} requests, seed ${seed}, a store dump every ${batch}\n`)
let exit = 0
let last = 0
try {
  const stats = await runHttpFuzz(t, {
    requests,
    seed,
    batch,
    progress: (s) => {
      if (s.requests - last >= 10_000 || s.requests === requests) {
        last = s.requests
        process.stdout.write(`  ${s.requests} requests, ${s.writes} writes\n`)
      }
    },
  })
  const codes = Object.entries(stats.codes)
    .sort()
    .map(([c, n]) => `${c}: ${n}`)
    .join(', ')
  process.stdout.write(
    `fuzz: ${stats.requests} requests in ${(stats.ms / 1000).toFixed(1)} s (${Math.round(stats.requests / (stats.ms / 1000))}/s), seed ${seed}; ${stats.writes} writes; ${stats.dumps} store dumps equal to the accepted answers; no 5xx, no dropped answer, no incident\nanswers: ${codes}\n`,
  )
} catch (e) {
  process.stdout.write(`fuzz FAILED: ${e instanceof Error ? e.message : String(e)}\n`)
  exit = 1
} finally {
  await t.stop()
}
process.exit(exit)
