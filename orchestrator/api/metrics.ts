// The resource metrics API (metrics.k8s.io/v1beta1): NodeMetrics and PodMetrics as
// metrics-server serves them and the HPA controller and `kubectl top` read them, with the
// quantity and duration spellings they use (cpu in nanocores "123456789n" canonicalised to
// "250m" where exact, memory in bytes with the largest exact binary suffix, windows as Go
// durations "15.012s"). Mirrors k8s.io/metrics/pkg/apis/metrics/v1beta1 and the
// apimachinery Quantity / time.Duration string forms.

import type { KObject } from './meta.js'
import { formatBytes } from './quantity.js'

export const METRICS_GROUP = 'metrics.k8s.io'
export const METRICS_VERSION = 'v1beta1'
export const METRICS_API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`

export interface Usage {
  cpu: string
  memory: string
}

export interface NodeMetrics extends KObject {
  timestamp: string
  /** A Go duration: the time between the two readings the rate comes from. */
  window: string
  usage: Usage
}

export interface ContainerMetrics {
  name: string
  usage: Usage
}

export interface PodMetrics extends KObject {
  timestamp: string
  window: string
  containers: ContainerMetrics[]
}

const DECIMAL: [suffix: string, exp: number][] = [
  ['E', 27],
  ['P', 24],
  ['T', 21],
  ['G', 18],
  ['M', 15],
  ['k', 12],
  ['', 9],
  ['m', 6],
  ['u', 3],
  ['n', 0],
]

/** CPU in whole nanocores as a canonical DecimalSI quantity: 250000000 -> "250m", 123456789 -> "123456789n". */
export function formatNanoCores(nanos: number): string {
  const n = Math.max(0, Math.round(nanos))
  if (n === 0) return '0'
  for (const [suffix, exp] of DECIMAL) {
    const f = 10 ** exp
    if (n % f === 0) return `${n / f}${suffix}`
  }
  return `${n}n`
}

/** Memory in bytes as a BinarySI quantity ("4Mi", "12345678"). */
export function formatMemory(bytes: number): string {
  return formatBytes(Math.max(0, Math.round(bytes)))
}

/** Go's time.Duration.String() for a duration in milliseconds ("15.012s", "500ms", "1m0s"). */
export function goDuration(ms: number): string {
  if (ms <= 0) return '0s'
  if (ms < 1000) return `${Math.round(ms * 1000) / 1000}ms`
  const totalSeconds = ms / 1000
  const h = Math.floor(totalSeconds / 3600)
  const m = Math.floor((totalSeconds % 3600) / 60)
  const s = Math.round((totalSeconds % 60) * 1000) / 1000
  if (h) return `${h}h${m}m${s}s`
  if (m) return `${m}m${s}s`
  return `${s}s`
}

/** Parses Go durations such as "15.012s", "500ms", "1m30s" into milliseconds (undefined if malformed). */
export function parseGoDuration(s: string | undefined): number | undefined {
  if (!s) return undefined
  const re = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g
  let total = 0
  let consumed = 0
  for (const m of s.matchAll(re)) {
    const n = Number(m[1])
    consumed += m[0].length
    total += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : m[2] === 'ms' ? n : m[2] === 'ns' ? n / 1e6 : n / 1000
  }
  return consumed === s.length && consumed > 0 ? total : undefined
}
