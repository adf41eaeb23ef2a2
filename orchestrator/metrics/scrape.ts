// metrics-server's scraper: reads a kubelet's /metrics/resource (Prometheus text) over HTTPS
// with metrics-server's own client certificate and turns it into points: cumulative CPU,
// working set, start time and the time of the reading, for the node and for every container.
// Mirrors sigs.k8s.io/metrics-server pkg/scraper (client/resource/decode.go).
// Simplifies: the node is reached at its InternalIP and the port of
// status.daemonEndpoints.kubeletEndpoint (no address-type preference list).

import https from 'node:https'

/** One reading of one node or container. */
export interface MetricsPoint {
  /** When the node or container started (ms since the epoch; 0 when unknown). */
  startTime: number
  /** When the value was read (ms since the epoch). */
  timestamp: number
  /** Cumulative CPU, core-nanoseconds. */
  cumulativeCpuNanos: number
  /** Working set, bytes. */
  memoryBytes: number
}

export interface PodPoints {
  namespace: string
  name: string
  containers: Map<string, MetricsPoint>
}

export interface NodeBatch {
  node?: MetricsPoint
  /** By `<namespace>/<name>`. */
  pods: Map<string, PodPoints>
}

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
  timestamp?: number
}

/** Parses one sample line of the Prometheus text format; undefined for comments and blanks. */
export function parseSample(line: string): Sample | undefined {
  const l = line.trim()
  if (!l || l.startsWith('#')) return undefined
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/.exec(l)
  if (!m) throw new Error(`malformed metrics line: ${JSON.stringify(l.slice(0, 200))}`)
  const labels: Record<string, string> = {}
  if (m[3]) {
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy
    let lm: RegExpExecArray | null
    let consumed = 0
    while ((lm = re.exec(m[3])) !== null) {
      labels[lm[1]!] = lm[2]!.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c))
      consumed = re.lastIndex
    }
    if (consumed !== m[3].length) throw new Error(`malformed labels: ${JSON.stringify(m[3].slice(0, 200))}`)
  }
  const value = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4])
  return { name: m[1]!, labels, value, timestamp: m[5] === undefined ? undefined : Number(m[5]) }
}

/** Decodes /metrics/resource into points (metrics-server's decodeBatch). `now` stands in for missing timestamps. */
export function decodeResourceMetrics(text: string, now = Date.now()): NodeBatch {
  const batch: NodeBatch = { pods: new Map() }
  const node: Partial<MetricsPoint> = {}
  const containers = new Map<string, Partial<MetricsPoint> & { ns: string; pod: string; container: string }>()
  const containerOf = (s: Sample): Partial<MetricsPoint> & { ns: string; pod: string; container: string } => {
    const key = `${s.labels.namespace}/${s.labels.pod}/${s.labels.container}`
    let c = containers.get(key)
    if (!c) containers.set(key, (c = { ns: s.labels.namespace ?? '', pod: s.labels.pod ?? '', container: s.labels.container ?? '' }))
    return c
  }
  for (const line of text.split('\n')) {
    const s = parseSample(line)
    if (!s) continue
    const at = s.timestamp ?? now
    switch (s.name) {
      case 'node_cpu_usage_seconds_total':
        node.cumulativeCpuNanos = s.value * 1e9
        node.timestamp = at
        break
      case 'node_memory_working_set_bytes':
        node.memoryBytes = s.value
        break
      case 'container_cpu_usage_seconds_total': {
        const c = containerOf(s)
        c.cumulativeCpuNanos = s.value * 1e9
        c.timestamp = at
        break
      }
      case 'container_memory_working_set_bytes':
        containerOf(s).memoryBytes = s.value
        break
      case 'container_start_time_seconds':
        containerOf(s).startTime = s.value * 1000
        break
    }
  }
  if (node.cumulativeCpuNanos !== undefined && node.memoryBytes !== undefined) {
    batch.node = { startTime: 0, timestamp: node.timestamp ?? now, cumulativeCpuNanos: node.cumulativeCpuNanos, memoryBytes: node.memoryBytes }
  }
  for (const c of containers.values()) {
    // a container without both figures is left out, as metrics-server drops incomplete points
    if (c.cumulativeCpuNanos === undefined || c.memoryBytes === undefined || !c.ns || !c.pod || !c.container) continue
    const key = `${c.ns}/${c.pod}`
    let pod = batch.pods.get(key)
    if (!pod) batch.pods.set(key, (pod = { namespace: c.ns, name: c.pod, containers: new Map() }))
    pod.containers.set(c.container, {
      startTime: c.startTime ?? 0,
      timestamp: c.timestamp ?? now,
      cumulativeCpuNanos: c.cumulativeCpuNanos,
      memoryBytes: c.memoryBytes,
    })
  }
  return batch
}

export interface KubeletClientOptions {
  caPem: string
  certPem: string
  keyPem: string
  timeoutMs: number
}

/** Fetches /metrics/resource from kubelets with one keep-alive agent. */
export class KubeletScraper {
  private readonly agent: https.Agent

  constructor(private readonly opts: KubeletClientOptions) {
    this.agent = new https.Agent({ keepAlive: true, ca: opts.caPem, cert: opts.certPem, key: opts.keyPem, maxSockets: 4 })
  }

  scrape(host: string, port: number): Promise<NodeBatch> {
    return new Promise((resolve, reject) => {
      const req = https.get({ host, port, path: '/metrics/resource', agent: this.agent, timeout: this.opts.timeoutMs }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => {
          if (res.statusCode !== 200)
            return reject(new Error(`request failed, status: "${res.statusCode} ${res.statusMessage ?? ''}": ${body.trim().slice(0, 200)}`))
          try {
            resolve(decodeResourceMetrics(body))
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)))
          }
        })
        res.on('error', reject)
      })
      req.on('timeout', () => req.destroy(new Error(`timed out after ${this.opts.timeoutMs} ms`)))
      req.on('error', reject)
    })
  }

  close(): void {
    this.agent.destroy()
  }
}
