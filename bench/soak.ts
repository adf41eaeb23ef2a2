// Soak: does the API server keep memory it should give back? An in-process API server (memory
// store, the fuzzer's target: orchestrator/apiserver/fuzz.testing.ts) gets a fixed set of
// objects; heapUsed after a forced GC is the baseline. Then, for a stated bounded time, writers
// update those objects (so the set of live objects stays the same), watchers read every event,
// one watcher never reads (its socket paused: the server must not buffer for it without bound),
// and a slice of the HTTP fuzzer's requests runs beside them (every answer checked). Then
// everything stops, the store's history is compacted (kube-apiserver compacts etcd every 5
// minutes; the memory store keeps every version until then), GC is forced, and heapUsed and
// RSS are measured again. Pass: heapUsed after the soak within 20% of the baseline.
// The load runs in the same process as the server (so RSS and heap at peak include the
// clients); before and after are measured with no client open.
// Writes reports/bench/soak.json. Usage: npm run bench:soak [-- --seconds 30 --objects 300 --object-kb 1 --watch-buffer-kb K --out F]

import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { dirname, resolve } from 'node:path'
import tls from 'node:tls'
import { parseArgs } from 'node:util'
import fc from 'fast-check'
import {
  checkAnswer,
  httpsRequest,
  installProcessGuard,
  incidentCursor,
  assertNoIncidents,
  RawClient,
  startFuzzTarget,
  type FuzzTarget,
} from '../orchestrator/apiserver/fuzz.testing.js'
import { describeRequest, rawRequest } from '../orchestrator/apiserver/httpfuzz.testing.js'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    objects: { type: 'string', default: '300' },
    writers: { type: 'string', default: '4' },
    watchers: { type: 'string', default: '8' },
    tolerance: { type: 'string', default: '0.2' },
    // how much unread watch output the server keeps for one watcher (default: the server's own);
    // a small one lets a short smoke run see the stalled watcher cut off
    'watch-buffer-kb': { type: 'string' },
    // the size of each object's data: larger objects fill the stalled watcher's buffers sooner
    'object-kb': { type: 'string', default: '1' },
    out: { type: 'string', default: 'reports/bench/soak.json' },
  },
})
const SECONDS = Number(values.seconds)
const OBJECTS = Number(values.objects)
const WRITERS = Number(values.writers)
const WATCHERS = Number(values.watchers)
const TOLERANCE = Number(values.tolerance)
const NS = 'fz'
const PATH = `/api/v1/namespaces/${NS}/configmaps`

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc (npm run bench:soak does)')

const mb = (n: number): number => Math.round((n / 1024 / 1024) * 10) / 10
async function settle(): Promise<{ heapUsed: number; rss: number }> {
  for (let i = 0; i < 4; i++) {
    gc!()
    await new Promise((r) => setTimeout(r, 100))
  }
  const m = process.memoryUsage()
  return { heapUsed: m.heapUsed, rss: m.rss }
}

const payload = (i: number, round: number): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `obj-${i}`, labels: { app: 'soak' } },
    data: { round: String(round), blob: 'x'.repeat(Number(values['object-kb']) * 1024) },
  })

/** A watch over raw TLS that reads everything (or, paused, nothing); counts bytes. */
function watch(t: FuzzTarget, read: boolean): { bytes: () => number; endedByServer: () => boolean; resume: () => Promise<void>; close: () => void } {
  let bytes = 0
  let closedByUs = false
  let ended = false
  const s = tls.connect({ host: '127.0.0.1', port: t.port, ...t.tls.admin, ALPNProtocols: ['http/1.1'] }, () => {
    s.write(`GET ${PATH}?watch=true&resourceVersion=0 HTTP/1.1\r\nHost: apiserver\r\n\r\n`)
    if (!read) setTimeout(() => s.pause(), 50)
  })
  s.on('data', (c: Buffer) => (bytes += c.length))
  s.on('error', () => undefined)
  s.on('close', () => (ended = !closedByUs))
  return {
    bytes: () => bytes,
    endedByServer: () => ended,
    // a paused socket does not notice that the server closed it: read what is left, up to 2 s
    resume: () =>
      new Promise<void>((resolve) => {
        if (ended || s.destroyed) return resolve()
        s.once('close', () => resolve())
        s.resume()
        setTimeout(resolve, 2000)
      }),
    close: () => {
      closedByUs = !ended
      s.destroy()
    },
  }
}

installProcessGuard('bench:soak')
const cursor = incidentCursor()
const startedAt = new Date().toISOString()
const load = loadavg()
const t = await startFuzzTarget({
  trace: { capacity: 2_000 },
  ...(values['watch-buffer-kb'] ? { watchBufferBytes: Number(values['watch-buffer-kb']) * 1024 } : {}),
})
for (let i = 0; i < OBJECTS; i++) {
  const a = await httpsRequest(t, 'admin', 'POST', PATH, payload(i, 0), 'application/json')
  if (a.code !== 201) throw new Error(`creating obj-${i}: ${a.code} ${a.text}`)
}
await t.store.compact(await t.store.currentRevision())
const baseline = await settle()
process.stdout.write(
  `bench:soak: ${OBJECTS} objects; baseline heapUsed ${mb(baseline.heapUsed)} MB, RSS ${mb(baseline.rss)} MB; soaking ${SECONDS} s (${WRITERS} writers, ${WATCHERS} watchers, 1 watcher that never reads, fuzz)\n`,
)

// ---------------------------------------------------------------------------------------------
// the soak
let stop = false
let peakHeap = 0
let peakRss = 0
const sampler = setInterval(() => {
  const m = process.memoryUsage()
  peakHeap = Math.max(peakHeap, m.heapUsed)
  peakRss = Math.max(peakRss, m.rss)
}, 200)
const writes = { ok: 0, failed: 0 }
const writers = Array.from({ length: WRITERS }, async (_, w) => {
  for (let round = 1; !stop; round++) {
    const i = (round * WRITERS + w) % OBJECTS
    const a = await httpsRequest(t, 'admin', 'PUT', `${PATH}/obj-${i}`, payload(i, round), 'application/json')
    if (a.code === 200) writes.ok++
    else writes.failed++
  }
})
const watchers = Array.from({ length: WATCHERS }, () => watch(t, true))
const stalled = watch(t, false)
const fuzz = { requests: 0, failures: [] as string[] }
const fuzzer = (async () => {
  const client = new RawClient(t)
  for (let round = 0; !stop; round++) {
    for (const r of fc.sample(rawRequest, { numRuns: 50, seed: 1000 + round })) {
      if (stop) break
      // the fuzz slice stays out of the soak's objects so the live set stays fixed
      if (r.target.includes('/configmaps') && r.target.includes(`/namespaces/${NS}/`)) continue
      const a = await client.send(r)
      fuzz.requests++
      try {
        checkAnswer(a, describeRequest(r), r.method === 'HEAD')
      } catch (e) {
        const reset = a.code === 0 && /NGHTTP2_(ENHANCE_YOUR_CALM|REFUSED_STREAM)/.test(a.text)
        if (!reset && fuzz.failures.length < 20) fuzz.failures.push(e instanceof Error ? e.message.slice(0, 400) : String(e))
      }
    }
  }
  client.close()
})()
await new Promise((r) => setTimeout(r, SECONDS * 1000))
stop = true
await Promise.all([...writers, fuzzer])
const stalledBytesWhileStalled = stalled.bytes()
await stalled.resume()
const stalledEndedByServer = stalled.endedByServer()
const watched = watchers.map((w) => w.bytes())
for (const w of [...watchers, stalled]) w.close()
clearInterval(sampler)
const peak = { heapUsed: peakHeap, rss: peakRss }
await new Promise((r) => setTimeout(r, 500))

// the fuzz slice may have created a few objects of its own (a bounded set of names): counted here
const { kvs } = await t.store.range('/registry/')
await t.store.compact(await t.store.currentRevision())
const after = await settle()
const liveKeys = kvs.length
let incidents = 'none'
try {
  assertNoIncidents(cursor, 'the soak')
} catch (e) {
  incidents = e instanceof Error ? e.message.slice(0, 600) : String(e)
}
await t.stop()

const ratio = after.heapUsed / baseline.heapUsed
const pass = ratio <= 1 + TOLERANCE && fuzz.failures.length === 0 && incidents === 'none' && stalledEndedByServer
const report = {
  benchmark: 'soak',
  command: 'npm run bench:soak',
  startedAt,
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version, loadAverageAtStart: load.map((l) => Math.round(l * 100) / 100) },
  note: 'Server and load share one process: peak includes the clients; baseline and after are measured with no client open, after forced GC and a compaction of the store history.',
  seconds: SECONDS,
  objects: OBJECTS,
  liveKeysAfter: liveKeys,
  load: {
    writers: WRITERS,
    writes: writes.ok,
    failedWrites: writes.failed,
    watchers: WATCHERS,
    bytesPerWatcher: Math.round(watched.reduce((a, b) => a + b, 0) / Math.max(1, watched.length)),
    stalledWatcherReceivedBytes: stalledBytesWhileStalled,
    stalledWatcherEndedByServer: stalledEndedByServer,
    fuzzRequests: fuzz.requests,
    fuzzFailures: fuzz.failures,
  },
  memoryMb: {
    baseline: { heapUsed: mb(baseline.heapUsed), rss: mb(baseline.rss) },
    peak: { heapUsed: mb(peak.heapUsed), rss: mb(peak.rss) },
    after: { heapUsed: mb(after.heapUsed), rss: mb(after.rss) },
  },
  heapUsedAfterVsBaseline: Math.round(ratio * 1000) / 1000,
  incidents,
  budget: {
    rule: `after.heapUsed <= ${1 + TOLERANCE} * baseline.heapUsed, no fuzz failure, no incident, the watcher that never reads ended by the server`,
    pass,
  },
}
const out = resolve(values.out!)
await mkdir(dirname(out), { recursive: true })
await writeFile(out, JSON.stringify(report, null, 2) + '\n')
process.stdout.write(
  `  writes ${writes.ok} (${writes.failed} failed), fuzz requests ${fuzz.requests} (${fuzz.failures.length} failures), stalled watcher ${stalledEndedByServer ? 'terminated by the server' : 'still open'} (it took ${stalledBytesWhileStalled} bytes while stalled)\n`,
)
process.stdout.write(
  `  heapUsed MB: baseline ${report.memoryMb.baseline.heapUsed}, peak ${report.memoryMb.peak.heapUsed}, after ${report.memoryMb.after.heapUsed} (x${report.heapUsedAfterVsBaseline}); RSS MB: ${report.memoryMb.baseline.rss}, ${report.memoryMb.peak.rss}, ${report.memoryMb.after.rss}\n`,
)
for (const f of fuzz.failures) process.stdout.write(`  fuzz failure: ${f}\n`)
if (incidents !== 'none') process.stdout.write(`  incidents: ${incidents}\n`)
process.stdout.write(`  ${pass ? 'PASS' : 'FAIL'}; wrote ${out}\n`)
process.exit(pass ? 0 : 1)
