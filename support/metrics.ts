// What the resource metrics API (metrics.k8s.io) says about nodes and pods, read through the
// API server as `kubectl top` and the HPA controller read it, and what `kubectl top` prints.

import { Metrics, type KubeConfig, type NodeMetric, type PodMetric } from '@kubernetes/client-node'
import { quantity } from './workloads.js'

export async function nodeMetrics(kc: KubeConfig): Promise<NodeMetric[]> {
  return (await new Metrics(kc).getNodeMetrics()).items
}

export async function podMetrics(kc: KubeConfig, namespace: string): Promise<PodMetric[]> {
  return (await new Metrics(kc).getPodMetrics(namespace)).items
}

/** A pod's CPU use in cores: the sum over its containers, as `kubectl top pods` shows it. */
export function podCpu(m: PodMetric): number {
  return m.containers.reduce((n, c) => n + quantity(c.usage.cpu), 0)
}

/** Rows of `kubectl top pods|nodes` output: name -> { cpu (cores), memory (bytes) }. */
export function parseTop(stdout: string): Map<string, { cpu: number; memory: number }> {
  const rows = new Map<string, { cpu: number; memory: number }>()
  const lines = stdout.trim().split('\n')
  const header = (lines.shift() ?? '').split(/\s+/)
  const cpuAt = header.findIndex((h) => h.startsWith('CPU(cores)'))
  const memAt = header.findIndex((h) => h.startsWith('MEMORY(bytes)'))
  if (cpuAt < 0 || memAt < 0) throw new Error(`kubectl top printed no CPU(cores)/MEMORY(bytes) header: ${JSON.stringify(stdout.slice(0, 200))}`)
  for (const l of lines) {
    const cells = l.trim().split(/\s+/)
    rows.set(cells[0]!, { cpu: quantity(cells[cpuAt]), memory: quantity(cells[memAt]) })
  }
  return rows
}
