// API latency and throughput against raw etcd: create, update (PUT with the resourceVersion read
// back from the create) and get of 1 KB ConfigMaps in namespace "default" through OCK's API
// server, once on the memory store and once on the etcd store (an API server wired as
// `ock up --store etcd` wires one: EtcdStore over etcd3's gRPC channel, plain HTTP on loopback),
// by 1 client one request at a time and by 50 concurrent clients (each its own HTTP/2
// connection). p50 and p99 of each request as the client sees it, and ops/s of each phase.
// Baseline, in the same run: raw etcd requests of the same shape from this same process to the
// same etcd, through the same library, channel options and plain HTTP as the store (an EtcdStore
// of its own, with no API server in between: each call is exactly one etcd request):
// create = a txn put-if-absent of a value as large as the stored ConfigMap, update = a txn
// compare-mod-revision + put, get = a range of one key; one etcd client shared by the concurrent
// loops, as the API server shares one. Target (reported, never enforced): with the etcd store
// and one sequential client, create p99 <= 1.5 * raw create p99 + 1 ms. The API server runs in a
// worker thread (bench/api-server.ts) that counts the store calls each request costs.
// Without etcd on PATH the etcd halves are null with the reason and the memory halves still run.
// Writes reports/bench/api.json (--out to change) and prints a table.
// Usage: npm run bench:api [-- --ops 400 --concurrency 1,50 --members 1 --warmup 10]

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
    ops: { type: 'string', default: '400' },
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
}
interface ApiLatency extends Latency {
  /** Store calls the API server made per request of this phase, by Store method (and in all). */
  storeCallsPerOp: Record<string, number>
  /** Mean time per request the API server waited on the store, by Store method (and in all), in ms. */
  storeMsPerOp: Record<string, number>
}
type Mode<L> = { concurrency: number } & Record<Op, L>

const round2 = (x: number): number => Math.round(x * 100) / 100

/** Runs fn(i, client) for i in 0..n-1 on `concurrency` loops; each request's latency and the phase's rate. */
async function phase(n: number, concurrency: number, fn: (i: number, client: number) => Promise<void>): Promise<Latency> {
  const samples = new Array<number>(n)
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async (_, client) => {
      while (next < n) {
        const i = next++
        const s = performance.now()
        await fn(i, client)
        samples[i] = performance.now() - s
      }
    }),
  )
  const wall = performance.now() - t0
  samples.sort((a, b) => a - b)
  const mean = samples.reduce((a, b) => a + b, 0) / n
  return { p50Ms: round2(percentile(samples, 50)), p99Ms: round2(percentile(samples, 99)), meanMs: round2(mean), opsPerSecond: Math.round((n / wall) * 1000) }
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
// one mode (concurrency) against the API server, and against raw etcd

async function apiMode(ca: CertificateAuthority, server: BenchServer, concurrency: number): Promise<Mode<ApiLatency>> {
  const creds = await ca.issue({ ...Identities.admin, usage: 'client' })
  // one client (its own HTTP/2 connection) per concurrent loop, as separate processes would be
  const clients = Array.from(
    { length: concurrency },
    () => new ApiClient({ server: server.url, caPem: ca.certPem, certPem: creds.certPem, keyPem: creds.keyPem, userAgent: 'bench-api', timeoutMs: 60_000 }),
  )
  try {
    // warm-up: every connection's handshake, then a few requests of each kind
    await Promise.all(clients.map((c) => c.get({ group: '', version: 'v1', resource: 'namespaces', name: NAMESPACE })))
    for (let i = 0; i < WARMUP; i++) {
      const name = `warm-${concurrency}-${i}`
      const created = await clients[0]!.create(configMaps(), configMap(name, 0))
      await clients[0]!.update(configMaps(name), configMap(name, 1, created.metadata?.resourceVersion))
      await clients[0]!.get(configMaps(name))
    }
    const name = (i: number): string => `cm-${concurrency}-${i}`
    const versions = new Array<string>(OPS)
    const result = { concurrency } as Mode<ApiLatency>
    const run = async (op: Op, fn: (i: number, client: ApiClient) => Promise<void>): Promise<void> => {
      await server.counts() // reset: what the warm-up and the previous phase cost is not this phase's
      const latency = await phase(OPS, concurrency, (i, c) => fn(i, clients[c]!))
      const counts = await server.counts()
      const perOp = (m: Record<string, number>): Record<string, number> => {
        const r = Object.fromEntries(Object.entries(m).map(([method, n]) => [method, round2(n / OPS)]))
        r.total = round2(Object.values(m).reduce((a, b) => a + b, 0) / OPS)
        return r
      }
      result[op] = { ...latency, storeCallsPerOp: perOp(counts.calls), storeMsPerOp: perOp(counts.ms) }
    }
    await run('create', async (i, c) => {
      versions[i] = (await c.create(configMaps(), configMap(name(i), 0))).metadata!.resourceVersion!
    })
    await run('update', async (i, c) => void (await c.update(configMaps(name(i)), configMap(name(i), 1, versions[i]))))
    await run('get', async (i, c) => void (await c.get(configMaps(name(i)))))
    return result
  } finally {
    for (const c of clients) c.close()
  }
}

async function rawMode(raw: EtcdStore, concurrency: number, valueBytes: number): Promise<Mode<Latency>> {
  const first = 'v'.repeat(valueBytes)
  const second = 'w'.repeat(valueBytes)
  for (let i = 0; i < WARMUP; i++) {
    const key = `/bench/raw/warm-${concurrency}-${i}`
    const kv = await raw.create(key, first)
    await raw.update(key, second, kv.modRevision)
    await raw.get(key)
  }
  const key = (i: number): string => `/bench/raw/${concurrency}/${i}`
  const revisions = new Array<number>(OPS)
  const create = await phase(OPS, concurrency, async (i) => void (revisions[i] = (await raw.create(key(i), first)).modRevision))
  const update = await phase(OPS, concurrency, async (i) => void (await raw.update(key(i), second, revisions[i]!)))
  const get = await phase(OPS, concurrency, async (i) => {
    if (!(await raw.get(key(i)))) throw new Error(`raw etcd: ${key(i)} is missing`)
  })
  return { concurrency, create, update, get }
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
      rawEtcd!.push(await rawMode(etcd.raw, concurrency, etcd.valueBytes))
      stores.etcd!.push(await apiMode(ca, etcd.server, concurrency))
    }
    stores.memory.push(await apiMode(ca, memory, concurrency))
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
process.stdout.write(`\n${row(['store', 'clients', 'op', 'p50 ms', 'p99 ms', 'ops/s', 'calls/op', 'store ms'])}\n`)
for (const concurrency of MODES) {
  for (const op of OPERATIONS) {
    for (const [label, modes] of [
      ['memory', stores.memory],
      ['etcd', stores.etcd],
    ] as const) {
      const m = modes?.find((x) => x.concurrency === concurrency)?.[op]
      if (m) process.stdout.write(`${row([label, concurrency, op, m.p50Ms, m.p99Ms, m.opsPerSecond, m.storeCallsPerOp.total!, m.storeMsPerOp.total!])}\n`)
    }
    const r = rawEtcd?.find((x) => x.concurrency === concurrency)?.[op]
    if (r) process.stdout.write(`${row(['raw etcd', concurrency, op, r.p50Ms, r.p99Ms, r.opsPerSecond, 1, ''])}\n`)
  }
}
process.stdout.write(
  create
    ? `\ntarget ${TARGET}: create p99 ${create.apiP99Ms} ms vs raw ${create.rawP99Ms} ms (x${create.ratio}, limit ${create.limitMs} ms): ${create.meetsTarget ? 'met' : 'NOT met'}\n`
    : `\ntarget ${TARGET}: not measured (${report.target.reason})\n`,
)
process.stdout.write(`(calls/op: store calls the API server made per request; store ms: mean time per request it waited on them)\nwritten to ${out}\n`)
process.exit(0)
