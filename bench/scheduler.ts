// Scheduler throughput, as upstream's scheduler_perf "SchedulingBasic" measures it: N Node
// objects (no kubelets), 10,000 pending pods created as fast as the API server takes them,
// and the time from each pod's create request to the moment a watch sees it bound.
// For each size it also measures, in the same run, the ceiling the API server itself imposes:
// the same pods created and bound by the client directly, without a scheduler.
// The API server runs in a worker thread, the load generator (pod creator and watcher, the
// "test client") in another, and the scheduler on the main thread, so they can use both cores.
// Writes reports/bench/scheduler.json and prints a table.
// Usage: npm run bench:scheduler [-- --sizes 1000,5000 --pods 10000]

import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Worker } from 'node:worker_threads'
import { ApiClient } from '../orchestrator/client/client.js'
import { startApiServerThread, type ApiServerThread } from '../orchestrator/cluster/apiserver-thread.js'
import { createCertificateAuthority, Identities, type CertificateAuthority } from '../orchestrator/pki/pki.js'
import { Scheduler } from '../orchestrator/scheduler/scheduler.js'
import type { LoadgenData, LoadgenResult } from './loadgen.js'
import { percentile } from './stats.js'

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,5000' },
    pods: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '200' },
    out: { type: 'string', default: 'reports/bench/scheduler.json' },
  },
})
const SIZES = values.sizes!.split(',').map(Number)
const PODS = Number(values.pods)
const CONCURRENCY = Number(values.concurrency)
const NAMESPACE = 'default'

interface Result {
  nodes: number
  pods: number
  podsPerSecond: number
  p50Ms: number
  p99Ms: number
  peakRssMb: number
  durationMs: number
  /** CPU time of each thread during the scheduler run (the process has 3: API server, scheduler, load). */
  cpuSeconds: { apiServer: number; scheduler: number; loadGenerator: number }
  /** Create + bind by the client itself, no scheduler: what the API server allows. */
  baseline: { podsPerSecond: number }
  /** "Scheduled" Events written (the recorder drops events when its queue is full, as upstream's). */
  scheduledEvents: number
}

class RssSampler {
  peak = 0
  private timer = setInterval(() => this.sample(), 50)
  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage.rss())
  }
  stop(): number {
    clearInterval(this.timer)
    this.sample()
    return Math.round(this.peak / 1024 / 1024)
  }
}

async function clientFor(ca: CertificateAuthority, url: string, identity: { commonName: string; organizations: readonly string[] }): Promise<ApiClient> {
  const creds = await ca.issue({ commonName: identity.commonName, organizations: identity.organizations, usage: 'client' })
  return new ApiClient({ server: url, caPem: ca.certPem, certPem: creds.certPem, keyPem: creds.keyPem, userAgent: identity.commonName, timeoutMs: 120_000 })
}

async function inParallel(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await fn(next++)
    }),
  )
}

function nodeObject(i: number): Record<string, unknown> {
  const name = `node-${i}`
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
    spec: {},
    status: {
      capacity: { cpu: '32', memory: '256Gi', pods: '110' },
      allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
    },
  }
}

const nodesRef = { group: '', version: 'v1', resource: 'nodes' }

async function cluster(ca: CertificateAuthority, nodes: number): Promise<{ api: ApiServerThread; admin: ApiClient }> {
  const serving = await ca.issue({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' })
  const api = await startApiServerThread({ caPem: ca.certPem, serving })
  const admin = await clientFor(ca, api.url, Identities.admin)
  // no controller manager here: the ServiceAccount admission plugin wants the namespace's
  // "default" ServiceAccount, which the serviceaccount controller would have made
  await admin.create(
    { group: '', version: 'v1', resource: 'serviceaccounts', namespace: NAMESPACE },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } },
  )
  await inParallel(nodes, CONCURRENCY, async (i) => void (await admin.create(nodesRef, nodeObject(i + 1))))
  return { api, admin }
}

/** Runs the load generator in its own thread; resolves with what it measured. */
async function loadgen(ca: CertificateAuthority, url: string, bindTo?: number): Promise<LoadgenResult> {
  const creds = await ca.issue({ ...Identities.admin, usage: 'client' })
  const data: LoadgenData = {
    server: url,
    caPem: ca.certPem,
    certPem: creds.certPem,
    keyPem: creds.keyPem,
    pods: PODS,
    concurrency: CONCURRENCY,
    namespace: NAMESPACE,
    bindTo,
  }
  const worker = new Worker(new URL('./loadgen.ts', import.meta.url), { workerData: data })
  const result = await new Promise<LoadgenResult>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  await worker.terminate()
  if (result.bound < PODS) throw new Error(`only ${result.bound} of ${PODS} pods were bound within 300s`)
  return result
}

async function measure(ca: CertificateAuthority, nodes: number): Promise<Result> {
  // the ceiling: the load generator creates and binds directly, no scheduler
  const base = await cluster(ca, nodes)
  const direct = await loadgen(ca, base.api.url, nodes)
  base.admin.close()
  await base.api.stop()

  // the scheduler, on the main thread
  const { api, admin } = await cluster(ca, nodes)
  const scheduler = new Scheduler(await clientFor(ca, api.url, Identities.scheduler))
  await scheduler.start()
  const rss = new RssSampler()
  const apiCpu0 = await api.cpuSeconds()
  const mainCpu0 = process.threadCpuUsage()
  const run = await loadgen(ca, api.url)
  const mainCpu = process.threadCpuUsage(mainCpu0)
  const apiCpu = (await api.cpuSeconds()) - apiCpu0
  const peakRssMb = rss.stop()
  await scheduler.stop()
  const events = await admin.list({ group: '', version: 'v1', resource: 'events', namespace: NAMESPACE }, { fieldSelector: 'reason=Scheduled' })
  admin.close()
  await api.stop()
  const round = (x: number): number => Math.round(x * 10) / 10
  return {
    nodes,
    pods: PODS,
    podsPerSecond: Math.round((PODS / run.durationMs) * 1000),
    p50Ms: Math.round(percentile(run.latencies, 50)),
    p99Ms: Math.round(percentile(run.latencies, 99)),
    peakRssMb,
    durationMs: Math.round(run.durationMs),
    cpuSeconds: { apiServer: round(apiCpu), scheduler: round((mainCpu.user + mainCpu.system) / 1e6), loadGenerator: round(run.cpuSeconds) },
    baseline: { podsPerSecond: Math.round((PODS / direct.durationMs) * 1000) },
    scheduledEvents: events.items.length,
  }
}

const ca = await createCertificateAuthority()
const startedAt = new Date().toISOString()
const load = loadavg()
const results: Result[] = []
for (const nodes of SIZES) {
  process.stdout.write(`measuring ${nodes} nodes, ${PODS} pods...\n`)
  results.push(await measure(ca, nodes))
}
const report = {
  benchmark: 'scheduler',
  command: 'npm run bench:scheduler',
  startedAt,
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version, loadAverageAtStart: load.map((l) => Math.round(l * 100) / 100) },
  note: 'The machine may be shared with other work; compare podsPerSecond with baseline.podsPerSecond of the same run.',
  results,
}
const out = resolve(values.out!)
await mkdir(dirname(out), { recursive: true })
await writeFile(out, JSON.stringify(report, null, 2) + '\n')

const row = (cells: (string | number)[]): string => cells.map((c, i) => String(c).padStart(i === 0 ? 6 : 12)).join(' ')
process.stdout.write(`\n${row(['nodes', 'pods', 'pods/s', 'p50 ms', 'p99 ms', 'peak RSS MB', 'API pods/s'])}\n`)
for (const r of results) process.stdout.write(`${row([r.nodes, r.pods, r.podsPerSecond, r.p50Ms, r.p99Ms, r.peakRssMb, r.baseline.podsPerSecond])}\n`)
process.stdout.write(`\n(API pods/s: the same pods created and bound directly, without a scheduler, in this run)\nwritten to ${out}\n`)
process.exit(0)
