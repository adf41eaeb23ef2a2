// Resource quota accounting shared by the ResourceQuota admission plugin (which refuses what
// would exceed a quota) and the resource quota controller (which keeps status.used honest):
// what one object charges against each quota key, and how keys and amounts are printed.
// Mirrors pkg/quota/v1/evaluator/core (pods: count, requests.*, limits.*, cpu and memory for
// non-terminal pods; object counts `count/<resource>.<group>` and the legacy names `services`,
// `configmaps`, `secrets`, ...) and the prettyPrint of the "exceeded quota" message.
// Simplifies: no quota scopes, no extended resources, no storage.

import { formatBytes, formatMilliCpu, parseQuantity } from './quantity.js'

type Json = Record<string, unknown>

const LEGACY_COUNTS: Record<string, { group: string; resource: string }> = {
  pods: { group: '', resource: 'pods' },
  services: { group: '', resource: 'services' },
  configmaps: { group: '', resource: 'configmaps' },
  secrets: { group: '', resource: 'secrets' },
  replicationcontrollers: { group: '', resource: 'replicationcontrollers' },
  resourcequotas: { group: '', resource: 'resourcequotas' },
  persistentvolumeclaims: { group: '', resource: 'persistentvolumeclaims' },
}

export const COMPUTE_KEYS = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']

/** Which objects a quota key counts: `count/deployments.apps` -> {apps, deployments}. */
export function countedResource(key: string): { group: string; resource: string } | undefined {
  if (LEGACY_COUNTS[key]) return LEGACY_COUNTS[key]
  const m = /^count\/([^.]+)(?:\.(.+))?$/.exec(key)
  return m ? { group: m[2] ?? '', resource: m[1]! } : undefined
}

/** The resources whose objects a set of quota keys needs listed. */
export function resourcesFor(keys: string[]): { group: string; resource: string }[] {
  const out = new Map<string, { group: string; resource: string }>()
  for (const k of keys) {
    const r = COMPUTE_KEYS.includes(k) ? { group: '', resource: 'pods' } : countedResource(k)
    if (r) out.set(`${r.group}/${r.resource}`, r)
  }
  return [...out.values()]
}

interface ContainerLike {
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> }
}

function podSums(pod: Json, part: 'requests' | 'limits'): Record<string, number> {
  const spec = (pod.spec ?? {}) as { containers?: ContainerLike[]; initContainers?: ContainerLike[] }
  const sum: Record<string, number> = {}
  for (const c of spec.containers ?? []) for (const [k, v] of Object.entries(c.resources?.[part] ?? {})) sum[k] = (sum[k] ?? 0) + (parseQuantity(v) ?? 0)
  for (const c of spec.initContainers ?? [])
    for (const [k, v] of Object.entries(c.resources?.[part] ?? {})) sum[k] = Math.max(sum[k] ?? 0, parseQuantity(v) ?? 0)
  return sum
}

/** Pods in a terminal phase no longer count (upstream QuotaV1Pod). */
export function podCounts(pod: Json): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase
  return phase !== 'Succeeded' && phase !== 'Failed'
}

/** What one object of `resource` charges against each of `keys` (base units). */
export function usageOf(group: string, resource: string, o: Json, keys: string[]): Record<string, number> {
  const usage: Record<string, number> = {}
  const isPod = group === '' && resource === 'pods'
  if (isPod && !podCounts(o)) return usage
  const requests = isPod ? podSums(o, 'requests') : {}
  const limits = isPod ? podSums(o, 'limits') : {}
  for (const k of keys) {
    const counted = countedResource(k)
    if (counted && counted.group === group && counted.resource === resource) usage[k] = 1
    if (!isPod) continue
    if (k === 'cpu' || k === 'requests.cpu') usage[k] = requests.cpu ?? 0
    if (k === 'memory' || k === 'requests.memory') usage[k] = requests.memory ?? 0
    if (k === 'limits.cpu') usage[k] = limits.cpu ?? 0
    if (k === 'limits.memory') usage[k] = limits.memory ?? 0
  }
  return usage
}

/** Adds `b` into `a` for every key of `b`. */
export function addUsage(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v
  return a
}

/** A quota amount as upstream prints it: `500m` / `2` for cpu, `128Mi` for memory, counts as integers. */
export function formatAmount(key: string, v: number): string {
  if (/(^|\.)cpu$/.test(key)) return formatMilliCpu(Math.round(v * 1000))
  if (/(^|\.)memory$/.test(key)) return formatBytes(Math.round(v))
  return String(Math.round(v))
}

/** `k1=v1,k2=v2`, sorted by key (upstream prettyPrint). */
export function prettyPrint(amounts: Record<string, number>): string {
  return Object.keys(amounts)
    .sort()
    .map((k) => `${k}=${formatAmount(k, amounts[k]!)}`)
    .join(',')
}

/** A quota's hard amount in base units (malformed amounts count as 0). */
export function parseQuantityOrZero(v: string | number | undefined): number {
  return parseQuantity(v) ?? 0
}
