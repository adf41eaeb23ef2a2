// The benchmark's load generator, in a worker thread of its own (the test client, as in
// upstream's scheduler_perf): it watches pods, creates them as fast as the API server takes
// them (bounded concurrency), optionally binds each one itself (the no-scheduler baseline), and
// reports each pod's create-to-bound latency as seen through its watch.

import { parentPort, workerData } from 'node:worker_threads'
import type { Pod } from '../orchestrator/api/types.js'
import { ApiClient } from '../orchestrator/client/client.js'

export interface LoadgenData {
  server: string
  caPem: string
  certPem: string
  keyPem: string
  pods: number
  concurrency: number
  namespace: string
  /** Bind pods round-robin to these many nodes (node-1..node-N) instead of waiting for a scheduler. */
  bindTo?: number
}

export interface LoadgenResult {
  latencies: number[]
  durationMs: number
  bound: number
  cpuSeconds: number
}

const d = workerData as LoadgenData
const client = new ApiClient({ server: d.server, caPem: d.caPem, certPem: d.certPem, keyPem: d.keyPem, userAgent: 'bench-loadgen', timeoutMs: 120_000 })
const pods = { group: '', version: 'v1', resource: 'pods', namespace: d.namespace }
const sent = new Array<number>(d.pods)
const boundAt = new Map<number, number>()
let resolveAll!: () => void
const allBound = new Promise<void>((r) => (resolveAll = r))
const cpu0 = process.threadCpuUsage()

const watch = client.watch(
  pods,
  {},
  (e) => {
    const p = e.object as Pod
    if (!p.spec?.nodeName) return
    const i = Number(p.metadata?.name?.slice(4))
    if (!boundAt.has(i)) {
      boundAt.set(i, performance.now())
      if (boundAt.size === d.pods) resolveAll()
    }
  },
  () => undefined,
)

function podObject(i: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: d.namespace, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'app', image: 'registry.internal/ock/app:1', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
  }
}

await new Promise((r) => setTimeout(r, 200)) // the watch is open before the first create
const t0 = performance.now()
let next = 0
await Promise.all(
  Array.from({ length: Math.min(d.concurrency, d.pods) }, async () => {
    while (next < d.pods) {
      const i = next++
      sent[i] = performance.now()
      await client.createQuietly(pods, podObject(i))
      if (d.bindTo) {
        await client.request('POST', `/api/v1/namespaces/${d.namespace}/pods/pod-${i}/binding`, {
          body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: `pod-${i}` }, target: { kind: 'Node', name: `node-${(i % d.bindTo) + 1}` } },
          discardBody: true,
        })
      }
    }
  }),
)
const timeout = setTimeout(() => resolveAll(), 300_000)
await allBound
clearTimeout(timeout)
watch.stop()
const cpu = process.threadCpuUsage(cpu0)
const latencies = [...boundAt].map(([i, t]) => t - sent[i]!).sort((a, b) => a - b)
const result: LoadgenResult = {
  latencies,
  durationMs: Math.max(...boundAt.values()) - t0,
  bound: boundAt.size,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
}
client.close()
parentPort!.postMessage(result)
