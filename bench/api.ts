// API latency and throughput against raw etcd: create, update (PUT with the resourceVersion read
// back from the create) and get of 1 KB ConfigMaps in namespace "default" through OCK's API
// server, once on the memory store and once on the etcd store (an API server wired as
// `ock up --store etcd` wires one: EtcdStore over etcd3's gRPC channel, plain HTTP on loopback),
// by 1 client one request at a time and by 50 concurrent clients (each its own HTTP/2
// connection). p50 and p99 of each request as the client sees it, ops/s, and the process's CPU
// time per request (clients and API server: what a request costs beyond waiting on etcd).
// Baseline, in the same run, taking turns with the etcd-backed API chunk by chunk (so a drift in
// the machine's speed weighs on both alike): raw etcd requests of the same shape from this same process to the
// same etcd, through the same library, channel options and plain HTTP as the store (an EtcdStore
// of its own, with no API server in between: each call is exactly one etcd request):
// create = a txn put-if-absent of a value as large as the stored ConfigMap, update = a txn
// compare-mod-revision + put, get = a range of one key; one etcd client shared by the concurrent
// loops, as the API server shares one. Target (reported, never enforced): with the etcd store
// and one sequential client, create p99 <= 1.5 * raw create p99 + 1 ms. The API server runs in a
// worker thread (bench/api-server.ts) that counts the store calls each request costs.
// Without etcd on PATH the etcd halves are null with the reason and the memory halves still run.
// Writes reports/bench/api.json (--out to change) and prints a table.
// Usage: npm run bench:api [-- --ops 2000 --concurrency 1,50 --members 1 --warmup 10]

import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Worker } from 'node:worker_threads'
import type { KObject } from '../orchestrator/api/meta.js'
import { lookupResource, storageKey } from '../orchestrator/api/resources.js'
import { ApiClient, type ResourceRef } from '../orchestrator/client/client.js'
import { EtcdCluster } from '../orchestrator/cluster/etcd.js'
import { etcdAvailable } from '../orchestrator/cluster/etcdmember.js'
import { createCertificateAuthority, Identities, type CertificateAuthority } from '../orchestrator/pki/pki.js'
import { EtcdStore } from '../orchestrator/store/etcd.js'
import type { ApiBenchServerData, StoreCallCounts } from './api-server.js'
import { percentile } from './stats.js'

const { values } = parseArgs({
  options: {
    ops: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '1,50' },
    members: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '10' },
    out: { type: 'string', default: 'reports/bench/api.json' },
  },
})
const OPS = Number(values.ops)
const MODES = values.concurrency!.split(',').map(Number)
const MEMBERS = Number(values.members)
const WARMUP = Number(values.warmup)
const NAMESPACE = 'default'
const OBJECT_BYTES = 1024
const OPERATIONS = ['create', 'update', 'get'] as const
type Op = (typeof OPERATIONS)[number]
for (const [name, n, min] of [
  ['--ops', OPS, 1],
  ['--members', MEMBERS, 1],
  ['--warmup', WARMUP, 0],
  ...MODES.map((m) => ['--concurrency', m, 1] as const),
] as const) {
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number >= ${min}, not ${n}`)
}

interface Latency {
  p50Ms: number
  p99Ms: number
  meanMs: number
  opsPerSecond: number
  /**
   * CPU time of this whole process (the clients, and the API server's worker thread) per
   * request, in ms: what the request cost beyond waiting on etcd.
   */
  cpuMsPerOp: number
}
interface ApiLatency extends Latency {
  /** Store calls the API server made per request of this phase, by Store method (and in all). */
  storeCallsPerOp: Record<string, number>
  /** Mean time per request the API server waited on the store, by Store method (and in all), in ms. */
  storeMsPerOp: Record<string, number>
  /**
   * p50 and p99 of each store call's duration as the API server waited on it (ms): beside the
   * request's own p50 and p99, they tell the store's share of the tail from the API server's.
   */
  storeCallP50Ms: number
  storeCallP99Ms: number
}
type Mode<L> = { concurrency: number } & Record<Op, L>

const round2 = (x: number): number => Math.round(x * 100) / 100

/** What the requests of one operation of one side cost: each latency, and the chunks' wall and CPU time. */
class Samples {
  readonly ms: number[] = []
  wallMs = 0
  cpuMs = 0

  /** Runs fn(i, client) for i in [from, to) on `concurrency` loops, adding each request's latency. */
  async run(from: number, to: number, concurrency: number, fn: (i: number, client: number) => Promise<void>): Promise<void> {
    let next = from
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    await Promise.all(
      Array.from({ length: Math.min(concurrency, to - from) }, async (_, client) => {
        while (next < to) {
          const i = next++
          const s = performance.now()
          await fn(i, client)
          this.ms.push(performance.now() - s)
        }
      }),
    )
    this.wallMs += performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    this.cpuMs += (cpu.user + cpu.system) / 1000
  }

  latency(): Latency {
    const n = this.ms.length
    return {
      p50Ms: round2(percentile(this.ms, 50)),
      p99Ms: round2(percentile(this.ms, 99)),
      meanMs: round2(this.ms.reduce((a, b) => a + b, 0) / n),
      opsPerSecond: Math.round((n / this.wallMs) * 1000),
      cpuMsPerOp: round2(this.cpuMs / n),
    }
  }
}

/**
 * One way of doing the three operations (through the API, or raw on etcd): `op(kind, i, client)`
 * does request i of that kind; `warm()` runs before the measuring; `before`/`after` bracket each
 * operation's requests (the API server's store-call counters), `after` getting their samples.
 */
interface Side {
  op(kind: Op, i: number, client: number): Promise<void>
  warm(): Promise<void>
  before?(kind: Op): Promise<void>
  after?(kind: Op, samples: Samples): Promise<void>
}

/**
 * Measures OPS requests of each operation on every side with `concurrency` loops. The sides take
 * turns in chunks (of 10 requests, or 4 per loop when more run at once), the side that goes first
 * alternating, so a machine whose speed drifts during the run (other work, a neighbour on the
 * host) weighs on every side alike: the comparison is within the run, chunk by chunk.
 */
async function measure(concurrency: number, sides: Side[]): Promise<void> {
  for (const side of sides) await side.warm()
  const chunk = Math.max(10, concurrency * 4)
  for (const kind of OPERATIONS) {
    for (const side of sides) await side.before?.(kind)
    const samples = sides.map(() => new Samples())
    for (let from = 0, round = 0; from < OPS; from += chunk, round++) {
      const to = Math.min(OPS, from + chunk)
      for (let k = 0; k < sides.length; k++) {
        const s = (k + round) % sides.length
        await samples[s]!.run(from, to, concurrency, (i, client) => sides[s]!.op(kind, i, client))
      }
    }
    for (let s = 0; s < sides.length; s++) await sides[s]!.after?.(kind, samples[s]!)
  }
}

// ---------------------------------------------------------------------------------------------
// the API server under test, in a worker thread

interface BenchServer {
  url: string
  /** Store calls since the last call of this (and resets them). */
  counts(): Promise<StoreCallCounts>
  stop(): Promise<void>
}

async function startServer(data: ApiBenchServerData): Promise<BenchServer> {
  const worker = new Worker(new URL('./api-server.ts', import.meta.url), { workerData: data })
  let failed: Error | undefined
  worker.on('error', (e) => (failed = e))
  const next = (type: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      if (failed) return reject(failed)
      const onMessage = (m: Record<string, unknown>): void => {
        if (m.type !== type && m.type !== 'error') return
        worker.off('message', onMessage)
        worker.off('error', reject)
        if (m.type === 'error') reject(new Error(`API server (${data.store} store): ${String(m.message)}`))
        else resolve(m)
      }
      worker.on('message', onMessage)
      worker.once('error', reject)
    })
  let started: Record<string, unknown>
  try {
    started = await next('started')
  } catch (e) {
    await worker.terminate()
    throw e
  }
  let stopped = false
  return {
    url: String(started.url),
    counts: async () => {
      const answer = next('counts')
      worker.postMessage({ type: 'counts' })
      return (await answer).counts as StoreCallCounts
    },
    stop: async () => {
      if (stopped) return
      stopped = true
      const done = next('stopped')
      worker.postMessage({ type: 'stop' })
      // a server that cannot stop cleanly (its store gone) is ended anyway
      await Promise.race([done.catch(() => undefined), new Promise((r) => setTimeout(r, 5_000))])
      await worker.terminate()
    },
  }
}

// ---------------------------------------------------------------------------------------------
// objects

const configMaps = (name?: string): ResourceRef => ({ group: '', version: 'v1', resource: 'configmaps', namespace: NAMESPACE, name })
const CONFIGMAP_INFO = lookupResource('', 'configmaps')!

/** A ConfigMap whose JSON body is OBJECT_BYTES long; `round` changes its content, not its size. */
function configMap(name: string, round: number, resourceVersion?: string): KObject {
  const o = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ...(resourceVersion ? { resourceVersion } : {}) },
    data: { round: String(round % 10), blob: '' },
  }
  const pad = Math.max(0, OBJECT_BYTES - Buffer.byteLength(JSON.stringify(o)))
  o.data.blob = 'x'.repeat(pad)
  return o as KObject
}

// ---------------------------------------------------------------------------------------------
// the two sides of a mode (concurrency): requests through the API server, raw requests on etcd

interface ApiSide extends Side {
  result(): Mode<ApiLatency>
  close(): void
}

async function apiSide(ca: CertificateAuthority, server: BenchServer, concurrency: number): Promise<ApiSide> {
  const creds = await ca.issue({ ...Identities.admin, usage: 'client' })
  // one client (its own HTTP/2 connection) per concurrent loop, as separate processes would be
  const clients = Array.from(
    { length: concurrency },
    () => new ApiClient({ server: server.url, caPem: ca.certPem, certPem: creds.certPem, keyPem: creds.keyPem, userAgent: 'bench-api', timeoutMs: 60_000 }),
  )
  const name = (i: number): string => `cm-${concurrency}-${i}`
  const versions = new Array<string>(OPS)
  const result = { concurrency } as Mode<ApiLatency>
  const perOp = (m: Record<string, number>): Record<string, number> => {
    const r = Object.fromEntries(Object.entries(m).map(([method, n]) => [method, round2(n / OPS)]))
    r.total = round2(Object.values(m).reduce((a, b) => a + b, 0) / OPS)
    return r
  }
  return {
    async warm() {
      // every connection's handshake, then a few requests of each kind
      await Promise.all(clients.map((c) => c.get({ group: '', version: 'v1', resource: 'namespaces', name: NAMESPACE })))
      for (let i = 0; i < WARMUP; i++) {
        const warm = `warm-${concurrency}-${i}`
        const created = await clients[0]!.create(configMaps(), configMap(warm, 0))
        await clients[0]!.update(configMaps(warm), configMap(warm, 1, created.metadata?.resourceVersion))
        await clients[0]!.get(configMaps(warm))
      }
    },
    async op(kind, i, client) {
      const c = clients[client]!
      if (kind === 'create') versions[i] = (await c.create(configMaps(), configMap(name(i), 0))).metadata!.resourceVersion!
      else if (kind === 'update') await c.update(configMaps(name(i)), configMap(name(i), 1, versions[i]))
      else await c.get(configMaps(name(i)))
    },
    // what the warm-up and the previous operation cost is not this one's
    before: async () => void (await server.counts()),
    async after(kind, samples) {
      const counts = await server.counts()
      result[kind] = {
        ...samples.latency(),
        storeCallsPerOp: perOp(counts.calls),
        storeMsPerOp: perOp(counts.ms),
        storeCallP50Ms: round2(percentile(counts.each, 50)),
        storeCallP99Ms: round2(percentile(counts.each, 99)),
      }
    },
    result: () => result,
    close: () => clients.forEach((c) => c.close()),
  }
}

function rawSide(raw: EtcdStore, concurrency: number, valueBytes: number): Side & { result(): Mode<Latency> } {
  const first = 'v'.repeat(valueBytes)
  const second = 'w'.repeat(valueBytes)
  const key = (i: number): string => `/bench/raw/${concurrency}/${i}`
  const revisions = new Array<number>(OPS)
  const result = { concurrency } as Mode<Latency>
  return {
    async warm() {
      for (let i = 0; i < WARMUP; i++) {
        const warm = `/bench/raw/warm-${concurrency}-${i}`
        const kv = await raw.create(warm, first)
        await raw.update(warm, second, kv.modRevision)
        await raw.get(warm)
      }
    },
    async op(kind, i) {
      if (kind === 'create') revisions[i] = (await raw.create(key(i), first)).modRevision
      else if (kind === 'update') await raw.update(key(i), second, revisions[i]!)
      else if (!(await raw.get(key(i)))) throw new Error(`raw etcd: ${key(i)} is missing`)
    },
    after: async (kind, samples) => void (result[kind] = samples.latency()),
    result: () => result,
  }
}

// ---------------------------------------------------------------------------------------------
// the run

const startedAt = new Date().toISOString()
const load = loadavg()
const cleanup: (() => Promise<void>)[] = []
const stores: { memory: Mode<ApiLatency>[] | null; etcd: Mode<ApiLatency>[] | null } = { memory: null, etcd: null }
// set inside the etcd closure below: the casts keep TypeScript from narrowing them to null
let rawEtcd = null as Mode<Latency>[] | null
let etcdInfo = null as { version: string; members: number; storedObjectBytes: number } | null
let etcdReason: string | undefined
let failure: unknown

try {
  const ca = await createCertificateAuthority()
  const serving = await ca.issue({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' })
  // the two API servers load their modules in parallel (each worker thread loads its own)
  const memoryStarting = startServer({ caPem: ca.certPem, serving, store: 'memory' })
  memoryStarting.catch(() => undefined) // its failure is reported where it is awaited
  cleanup.push(async () => (await memoryStarting.catch(() => undefined))?.stop())
  const etcd = await (async (): Promise<{ server: BenchServer; raw: EtcdStore; valueBytes: number } | undefined> => {
    const available = await etcdAvailable()
    if (!available.ok) {
      etcdReason = available.reason
      process.stdout.write(`bench:api: ${etcdReason}; measuring the memory store only\n`)
      return undefined
    }
    const cluster = await EtcdCluster.start({ members: MEMBERS })
    cleanup.push(() => cluster.destroy())
    const starting = startServer({ caPem: ca.certPem, serving, store: 'etcd', endpoints: cluster.endpoints })
    cleanup.push(async () => (await starting.catch(() => undefined))?.stop())
    const server = await starting
    const raw = new EtcdStore({ endpoints: cluster.endpoints, requestTimeoutMs: 7_000 })
    cleanup.push(() => raw.close())
    // the raw values are as large as what the API server stores for one of these ConfigMaps
    const probeCreds = await ca.issue({ ...Identities.admin, usage: 'client' })
    const probe = new ApiClient({ server: server.url, caPem: ca.certPem, certPem: probeCreds.certPem, keyPem: probeCreds.keyPem })
    try {
      await probe.create(configMaps(), configMap('probe', 0))
    } finally {
      probe.close()
    }
    const stored = await raw.get(storageKey(CONFIGMAP_INFO, NAMESPACE, 'probe'))
    if (!stored) throw new Error('the probe ConfigMap is not in etcd')
    const valueBytes = Buffer.byteLength(stored.value)
    etcdInfo = { version: available.version, members: MEMBERS, storedObjectBytes: valueBytes }
    stores.etcd = []
    rawEtcd = []
    return { server, raw, valueBytes }
  })()
  const memory = await memoryStarting
  stores.memory = []

  for (const concurrency of MODES) {
    process.stdout.write(`measuring ${OPS} creates, updates and gets with ${concurrency} client(s)...\n`)
    if (etcd) {
      // the etcd-backed API and raw etcd take turns (see measure)
      const raw = rawSide(etcd.raw, concurrency, etcd.valueBytes)
      const api = await apiSide(ca, etcd.server, concurrency)
      try {
        await measure(concurrency, [raw, api])
      } finally {
        api.close()
      }
      rawEtcd!.push(raw.result())
      stores.etcd!.push(api.result())
    }
    const api = await apiSide(ca, memory, concurrency)
    try {
      await measure(concurrency, [api])
    } finally {
      api.close()
    }
    stores.memory.push(api.result())
  }
} catch (e) {
  failure = e
} finally {
  for (const stop of cleanup.reverse()) await stop().catch(() => undefined)
}
if (failure) {
  process.stderr.write(`bench:api failed: ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}\n`)
  process.exit(1)
}

// the target: etcd store, one sequential client, create p99 against raw create p99
const TARGET = 'apiP99 <= 1.5 * rawP99 + 1 ms (etcd store, 1 sequential client)'
const sequentialApi = stores.etcd?.find((m) => m.concurrency === 1)
const sequentialRaw = rawEtcd?.find((m) => m.concurrency === 1)
const targetFor = (op: Op): { apiP99Ms: number; rawP99Ms: number; ratio: number; limitMs: number; meetsTarget: boolean } | null => {
  if (!sequentialApi || !sequentialRaw) return null
  const api = sequentialApi[op].p99Ms
  const rawP99 = sequentialRaw[op].p99Ms
  const limitMs = round2(1.5 * rawP99 + 1)
  return { apiP99Ms: api, rawP99Ms: rawP99, ratio: round2(api / rawP99), limitMs, meetsTarget: api <= limitMs }
}
const create = targetFor('create')
const storeCallsSource = sequentialApi ?? stores.etcd?.[0] ?? stores.memory?.find((m) => m.concurrency === 1) ?? stores.memory?.[0]
const report = {
  benchmark: 'api',
  command: 'npm run bench:api',
  startedAt,
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version, loadAverageAtStart: load.map((l) => Math.round(l * 100) / 100) },
  note: "The machine may be shared with other work; compare the API with rawEtcd of the same run. Latency is per request as the client sees it; opsPerSecond is the phase's requests over its wall time.",
  ops: OPS,
  warmupOps: WARMUP,
  objectBytes: OBJECT_BYTES,
  etcd: etcdInfo,
  ...(etcdReason ? { etcdSkipped: etcdReason } : {}),
  stores,
  rawEtcd,
  target: {
    rule: TARGET,
    createP99Ms: create?.apiP99Ms ?? null,
    rawCreateP99Ms: create?.rawP99Ms ?? null,
    ratio: create?.ratio ?? null,
    limitMs: create?.limitMs ?? null,
    meetsTarget: create?.meetsTarget ?? null,
    ...(create ? {} : { reason: etcdReason ?? 'no run with --concurrency 1' }),
    byOp: Object.fromEntries(OPERATIONS.map((op) => [op, targetFor(op)])),
  },
  storeCallsPerCreate: storeCallsSource?.create.storeCallsPerOp.total ?? null,
  storeCallsPerCreateByMethod: storeCallsSource?.create.storeCallsPerOp ?? null,
}
const out = resolve(values.out!)
await mkdir(dirname(out), { recursive: true })
await writeFile(out, JSON.stringify(report, null, 2) + '\n')

const row = (cells: (string | number)[]): string => cells.map((c, i) => (i < 3 ? String(c).padEnd(i === 0 ? 9 : 8) : String(c).padStart(9))).join(' ')
process.stdout.write(`\n${row(['store', 'clients', 'op', 'p50 ms', 'p99 ms', 'ops/s', 'cpu ms', 'calls/op', 'store ms'])}\n`)
for (const concurrency of MODES) {
  for (const op of OPERATIONS) {
    for (const [label, modes] of [
      ['memory', stores.memory],
      ['etcd', stores.etcd],
    ] as const) {
      const m = modes?.find((x) => x.concurrency === concurrency)?.[op]
      if (m)
        process.stdout.write(
          `${row([label, concurrency, op, m.p50Ms, m.p99Ms, m.opsPerSecond, m.cpuMsPerOp, m.storeCallsPerOp.total!, m.storeMsPerOp.total!])}\n`,
        )
    }
    const r = rawEtcd?.find((x) => x.concurrency === concurrency)?.[op]
    if (r) process.stdout.write(`${row(['raw etcd', concurrency, op, r.p50Ms, r.p99Ms, r.opsPerSecond, r.cpuMsPerOp, 1, ''])}\n`)
  }
}
process.stdout.write(
  create
    ? `\ntarget ${TARGET}: create p99 ${create.apiP99Ms} ms vs raw ${create.rawP99Ms} ms (x${create.ratio}, limit ${create.limitMs} ms): ${create.meetsTarget ? 'met' : 'NOT met'}\n`
    : `\ntarget ${TARGET}: not measured (${report.target.reason})\n`,
)
process.stdout.write(
  `(cpu ms: this process's CPU time per request, clients and API server; calls/op: store calls the API server made per request; store ms: mean time per request it waited on them)\nwritten to ${out}\n`,
)
process.exit(0)
