// What the node and its containers use, read from the ContainerRuntime's stats and served on
// the kubelet's endpoint as upstream's kubelet serves it:
//   /metrics/resource  Prometheus text: container_cpu_usage_seconds_total,
//                      container_memory_working_set_bytes, container_start_time_seconds, the
//                      pod_* and node_* sums, resource_scrape_error (what metrics-server scrapes)
//   /stats/summary     the Summary API (JSON: node and pods, cpu and memory)
// Mirrors pkg/kubelet/metrics/collectors/resource_metrics.go and pkg/kubelet/server/stats.
// Simplifies: a node's usage is the sum of its containers' (no system daemons, no kernel); the
// figures are read from the runtime on each request (no cadvisor housekeeping cache).

import type { Pod } from '../api/types.js'
import type { ContainerRuntime, ContainerStatus } from '../runtime/runtime.js'
import type { KubeletCaller, KubeletServer } from './server.js'

export interface StatsSource {
  nodeName: string
  runtime: ContainerRuntime
  /** The pod the kubelet runs under this uid, if it knows it. */
  podOf(uid: string): Pod | undefined
}

export interface ContainerUsage {
  name: string
  /** Start of the running container (ms since the epoch). */
  startTime: number
  /** Cumulative CPU time, core-seconds. */
  cpuSeconds: number
  /** CPU use now (the runtime's latest average), millicores. */
  cpuMillis: number
  memoryBytes: number
}

export interface PodUsage {
  namespace: string
  name: string
  uid: string
  startTime?: string
  containers: ContainerUsage[]
}

export interface UsageSnapshot {
  nodeName: string
  /** When the figures were read (ms since the epoch). */
  timestamp: number
  node: { cpuSeconds: number; cpuMillis: number; memoryBytes: number; startTime: number }
  pods: PodUsage[]
  /** Containers whose stats could not be read. */
  errors: number
}

/**
 * Reads usage from the runtime. The node's CPU counter is the running sum of what its
 * containers used between readings, so it keeps growing when containers go away, as a
 * machine's CPU counter does. Contract: collect() never rejects because of one container.
 */
export class ResourceStats {
  private readonly lastSeen = new Map<string, number>()
  private nodeCpuSeconds = 0
  private readonly startedAt = Date.now()
  private chain: Promise<unknown> = Promise.resolve()

  constructor(private readonly src: StatsSource) {}

  /** One reading (serialised: two scrapes at once do not count a container twice). */
  collect(): Promise<UsageSnapshot> {
    const next = this.chain.then(() => this.read())
    this.chain = next.catch(() => undefined)
    return next
  }

  private async read(): Promise<UsageSnapshot> {
    const running = (await this.src.runtime.listContainers()).filter((c) => c.state === 'running')
    let errors = 0
    const read = await Promise.all(
      running.map(async (c) => {
        try {
          return { c, s: await this.src.runtime.stats(c.id) }
        } catch {
          errors++
          return undefined
        }
      }),
    )
    const pods = new Map<string, PodUsage>()
    const seen = new Map<string, number>()
    let cpuMillis = 0
    let memoryBytes = 0
    for (const r of read) {
      if (!r) continue
      const { c, s } = r
      const before = this.lastSeen.get(c.id) ?? 0
      this.nodeCpuSeconds += Math.max(0, s.cpuUsageCoreSeconds - before)
      seen.set(c.id, s.cpuUsageCoreSeconds)
      cpuMillis += s.cpuMillis
      memoryBytes += s.memoryBytes
      const pod = this.podEntry(pods, c)
      if (!pod) continue
      pod.containers.push({
        name: c.name,
        startTime: Date.parse(c.startedAt ?? c.createdAt) || Date.now(),
        cpuSeconds: s.cpuUsageCoreSeconds,
        cpuMillis: s.cpuMillis,
        memoryBytes: s.memoryBytes,
      })
    }
    this.lastSeen.clear()
    for (const [id, v] of seen) this.lastSeen.set(id, v)
    return {
      nodeName: this.src.nodeName,
      timestamp: Date.now(),
      node: { cpuSeconds: this.nodeCpuSeconds, cpuMillis, memoryBytes, startTime: this.startedAt },
      pods: [...pods.values()].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)),
      errors,
    }
  }

  private podEntry(pods: Map<string, PodUsage>, c: ContainerStatus): PodUsage | undefined {
    let entry = pods.get(c.podUid)
    if (entry) return entry
    const pod = this.src.podOf(c.podUid)
    if (!pod?.metadata?.name) return undefined
    entry = { namespace: pod.metadata.namespace ?? '', name: pod.metadata.name, uid: c.podUid, startTime: pod.status?.startTime, containers: [] }
    pods.set(c.podUid, entry)
    return entry
  }
}

// ---------------------------------------------------------------------------------------------
// /metrics/resource

/** A float as Go's strconv.FormatFloat(f, 'g', -1, 64) writes it (Prometheus' text format). */
export function goFloat(f: number): string {
  if (!Number.isFinite(f)) return Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf'
  if (f === 0) return '0'
  const exp = Math.floor(Math.log10(Math.abs(f)))
  // shortest 'g' switches to an exponent from 1e+06 on (eprec 6), and below 1e-04
  if (exp < -4 || exp >= 6) {
    const [m, e] = f.toExponential().split('e') as [string, string]
    const n = Number(e)
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`
  }
  return String(f)
}

function labels(l: Record<string, string>): string {
  const parts = Object.keys(l)
    .sort()
    .map((k) => `${k}="${l[k]!.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
  return parts.length ? `{${parts.join(',')}}` : ''
}

const FAMILIES: [name: string, type: 'counter' | 'gauge', help: string][] = [
  ['container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the container in core-seconds'],
  ['container_memory_working_set_bytes', 'gauge', 'Current working set of the container in bytes'],
  ['container_start_time_seconds', 'gauge', 'Start time of the container since unix epoch in seconds'],
  ['node_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the node in core-seconds'],
  ['node_memory_working_set_bytes', 'gauge', 'Current working set of the node in bytes'],
  ['pod_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the pod in core-seconds'],
  ['pod_memory_working_set_bytes', 'gauge', 'Current working set of the pod in bytes'],
  ['resource_scrape_error', 'gauge', '1 if there was an error while getting container metrics, 0 otherwise'],
]

/** The Prometheus text of /metrics/resource for one reading. */
export function resourceMetricsText(s: UsageSnapshot): string {
  const samples = new Map<string, string[]>(FAMILIES.map(([n]) => [n, []]))
  const ts = s.timestamp
  const add = (family: string, l: Record<string, string>, v: number, withTs = true): void => {
    samples.get(family)!.push(`${family}${labels(l)} ${goFloat(v)}${withTs ? ` ${ts}` : ''}`)
  }
  for (const p of s.pods) {
    let podCpu = 0
    let podMem = 0
    for (const c of p.containers) {
      const l = { container: c.name, namespace: p.namespace, pod: p.name }
      add('container_cpu_usage_seconds_total', l, c.cpuSeconds)
      add('container_memory_working_set_bytes', l, c.memoryBytes)
      add('container_start_time_seconds', l, c.startTime / 1000)
      podCpu += c.cpuSeconds
      podMem += c.memoryBytes
    }
    add('pod_cpu_usage_seconds_total', { namespace: p.namespace, pod: p.name }, podCpu)
    add('pod_memory_working_set_bytes', { namespace: p.namespace, pod: p.name }, podMem)
  }
  add('node_cpu_usage_seconds_total', {}, s.node.cpuSeconds)
  add('node_memory_working_set_bytes', {}, s.node.memoryBytes)
  add('resource_scrape_error', {}, s.errors ? 1 : 0, false)
  const out: string[] = []
  for (const [name, type, help] of FAMILIES) {
    const lines = samples.get(name)!
    if (!lines.length) continue
    out.push(`# HELP ${name} [STABLE] ${help}`, `# TYPE ${name} ${type}`, ...lines)
  }
  return out.join('\n') + '\n'
}

// ---------------------------------------------------------------------------------------------
// /stats/summary

function cpuStats(at: string, cpuMillis: number, cpuSeconds: number): Record<string, unknown> {
  return { time: at, usageNanoCores: Math.round(cpuMillis * 1e6), usageCoreNanoSeconds: Math.round(cpuSeconds * 1e9) }
}

function memoryStats(at: string, bytes: number): Record<string, unknown> {
  return { time: at, usageBytes: bytes, workingSetBytes: bytes }
}

/** The Summary API document (k8s.io/kubelet/pkg/apis/stats/v1alpha1.Summary), cpu and memory only. */
export function summary(s: UsageSnapshot): Record<string, unknown> {
  const at = new Date(s.timestamp).toISOString()
  return {
    node: {
      nodeName: s.nodeName,
      startTime: new Date(s.node.startTime).toISOString(),
      cpu: cpuStats(at, s.node.cpuMillis, s.node.cpuSeconds),
      memory: memoryStats(at, s.node.memoryBytes),
    },
    pods: s.pods.map((p) => {
      const cpuMillis = p.containers.reduce((n, c) => n + c.cpuMillis, 0)
      const cpuSeconds = p.containers.reduce((n, c) => n + c.cpuSeconds, 0)
      const mem = p.containers.reduce((n, c) => n + c.memoryBytes, 0)
      return {
        podRef: { name: p.name, namespace: p.namespace, uid: p.uid },
        startTime: p.startTime,
        containers: p.containers.map((c) => ({
          name: c.name,
          startTime: new Date(c.startTime).toISOString(),
          cpu: cpuStats(at, c.cpuMillis, c.cpuSeconds),
          memory: memoryStats(at, c.memoryBytes),
        })),
        cpu: cpuStats(at, cpuMillis, cpuSeconds),
        memory: memoryStats(at, mem),
      }
    }),
  }
}

// ---------------------------------------------------------------------------------------------
// mounting

/** Serves /metrics/resource and /stats/summary on the kubelet's endpoint. */
export function mountResourceMetrics(server: KubeletServer, src: StatsSource): ResourceStats {
  const stats = new ResourceStats(src)
  server.route('/metrics/resource', async (req, res, url) => {
    if (url.pathname !== '/metrics/resource') return notFound(res)
    const text = resourceMetricsText(await stats.collect())
    res
      .writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
      .end(req.method === 'HEAD' ? undefined : text)
  })
  server.route('/stats/summary', async (_req, res, url) => {
    if (url.pathname !== '/stats/summary' && url.pathname !== '/stats/summary/') return notFound(res)
    const body = JSON.stringify(summary(await stats.collect()))
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body)
  })
  return stats
}

function notFound(res: Parameters<Parameters<KubeletServer['route']>[1]>[1]): void {
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found')
}

/**
 * Who may read the kubelet's usage: upstream's kubelet asks the API server whether the caller
 * may `get nodes/metrics` (/metrics/*) or `get nodes/stats` (/stats/*); here system:masters may
 * call anything, and the named collectors (metrics-server's identity, bound to those rules in
 * the bootstrap policy) may read those two paths.
 */
export function resourceMetricsAuthorizer(collectors: readonly string[]): (caller: KubeletCaller, path: string) => boolean {
  return (caller, path) =>
    caller.groups.includes('system:masters') || (collectors.includes(caller.user) && (path.startsWith('/metrics/') || path.startsWith('/stats/')))
}
