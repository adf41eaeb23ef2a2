// metrics-server's storage: the last two readings of every node and container, and the usage
// they imply: CPU is the rate between the two cumulative readings (nanocores), memory the
// latest working set; the window is the time between the readings. A node or pod shows up only
// once it has two readings of the same start (a restarted container starts over), and a pod
// only when every container of its last reading has two.
// Mirrors sigs.k8s.io/metrics-server pkg/storage (node.go, pod.go, types.go).

import type { MetricsPoint, NodeBatch } from './scrape.js'

export interface ResourceUsage {
  /** CPU, nanocores. */
  cpuNanoCores: number
  memoryBytes: number
  /** Time of the latest reading (ms since the epoch). */
  timestamp: number
  /** Time between the two readings, ms. */
  windowMs: number
}

interface Pair {
  last: MetricsPoint
  prev?: MetricsPoint
}

/** Usage between two readings; undefined when they cannot give a rate. */
export function usageBetween(prev: MetricsPoint | undefined, last: MetricsPoint): ResourceUsage | undefined {
  if (!prev) return undefined
  const windowMs = last.timestamp - prev.timestamp
  if (windowMs <= 0) return undefined
  // a counter that went back means the container (or node) started over
  if (last.cumulativeCpuNanos < prev.cumulativeCpuNanos) return undefined
  return {
    cpuNanoCores: Math.floor((last.cumulativeCpuNanos - prev.cumulativeCpuNanos) / (windowMs / 1000)),
    memoryBytes: last.memoryBytes,
    timestamp: last.timestamp,
    windowMs,
  }
}

function advance(pair: Pair | undefined, point: MetricsPoint): Pair {
  if (!pair) return { last: point }
  if (point.timestamp <= pair.last.timestamp) return pair // an older or repeated reading
  if (point.startTime !== pair.last.startTime || point.cumulativeCpuNanos < pair.last.cumulativeCpuNanos) return { last: point }
  return { last: point, prev: pair.last }
}

export class MetricsStorage {
  private nodes = new Map<string, Pair>()
  /** By `<namespace>/<name>`, then container name. */
  private pods = new Map<string, Map<string, Pair>>()

  /**
   * Stores one scrape of every node that answered (metrics-server's Store(batch)): nodes and
   * pods missing from it are forgotten, as upstream replaces its maps on each scrape.
   */
  store(batches: Map<string, NodeBatch>): void {
    const nodes = new Map<string, Pair>()
    const pods = new Map<string, Map<string, Pair>>()
    for (const [nodeName, batch] of batches) {
      if (batch.node) nodes.set(nodeName, advance(this.nodes.get(nodeName), batch.node))
      for (const [key, p] of batch.pods) {
        const before = this.pods.get(key)
        const containers = new Map<string, Pair>()
        for (const [name, point] of p.containers) containers.set(name, advance(before?.get(name), point))
        pods.set(key, containers)
      }
    }
    this.nodes = nodes
    this.pods = pods
  }

  nodeUsage(name: string): ResourceUsage | undefined {
    const pair = this.nodes.get(name)
    return pair ? usageBetween(pair.prev, pair.last) : undefined
  }

  /** Per-container usage of a pod, with the earliest timestamp and its window; undefined until complete. */
  podUsage(namespace: string, name: string): { containers: [string, ResourceUsage][]; timestamp: number; windowMs: number } | undefined {
    const containers = this.pods.get(`${namespace}/${name}`)
    if (!containers || !containers.size) return undefined
    const out: [string, ResourceUsage][] = []
    let earliest: ResourceUsage | undefined
    for (const [c, pair] of containers) {
      const u = usageBetween(pair.prev, pair.last)
      if (!u) return undefined
      out.push([c, u])
      if (!earliest || u.timestamp < earliest.timestamp) earliest = u
    }
    out.sort((a, b) => a[0].localeCompare(b[0]))
    return { containers: out, timestamp: earliest!.timestamp, windowMs: earliest!.windowMs }
  }
}
