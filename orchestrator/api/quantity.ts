// Resource quantities ("100m", "0.5", "128Mi", "1G", "2e3") and the pod-level sums the
// scheduler, kubelet and admission share: effective requests and the QoS class.
// Mirrors k8s.io/apimachinery/pkg/api/resource.Quantity parsing and
// pkg/apis/core/helper/qos.GetPodQOS.
// Simplifies: values are JavaScript numbers (exact enough for cpu millis and memory bytes).

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
}

const QUANTITY = /^([+-]?[0-9]+(?:\.[0-9]*)?|[+-]?\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?[0-9]+))?$/

/** Parses a quantity into base units (cores for cpu, bytes for memory); undefined if malformed. */
export function parseQuantity(q: string | number | undefined | null): number | undefined {
  if (q === undefined || q === null) return undefined
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined
  const m = QUANTITY.exec(q.trim())
  if (!m) return undefined
  const base = Number(m[1])
  if (m[3] !== undefined) return base * 10 ** Number(m[3])
  return base * SUFFIX[m[2] ?? '']!
}

export function isQuantity(q: unknown): boolean {
  return (typeof q === 'string' || typeof q === 'number') && parseQuantity(q) !== undefined
}

/** CPU in millicores, rounded up as upstream's MilliValue(). */
export function milliCpu(q: string | number | undefined): number {
  const v = parseQuantity(q)
  return v === undefined ? 0 : Math.ceil(Math.round(v * 1e6) / 1e3)
}

/** Formats millicores the way kubectl shows them (`250m`, `2`). */
export function formatMilliCpu(m: number): string {
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`
}

/** Formats bytes with the largest exact binary suffix (`128Mi`), as Quantity.String() does. */
export function formatBytes(b: number): string {
  for (const s of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const) {
    const f = SUFFIX[s]!
    if (b >= f && b % f === 0) return `${b / f}${s}`
  }
  return String(b)
}

export type ResourceList = Record<string, string | number>

interface ContainerLike {
  resources?: { requests?: ResourceList; limits?: ResourceList }
}

interface PodSpecLike {
  containers?: ContainerLike[]
  initContainers?: ContainerLike[]
  overhead?: ResourceList
}

/**
 * Effective pod requests as the scheduler counts them: the sum over app containers, or the
 * largest init container if bigger, plus overhead (upstream resourcehelper.PodRequests).
 * Returns base units per resource name.
 */
export function podRequests(spec: PodSpecLike | undefined): Record<string, number> {
  const sum: Record<string, number> = {}
  for (const c of spec?.containers ?? []) {
    for (const [k, v] of Object.entries(c.resources?.requests ?? {})) sum[k] = (sum[k] ?? 0) + (parseQuantity(v) ?? 0)
  }
  for (const c of spec?.initContainers ?? []) {
    for (const [k, v] of Object.entries(c.resources?.requests ?? {})) sum[k] = Math.max(sum[k] ?? 0, parseQuantity(v) ?? 0)
  }
  for (const [k, v] of Object.entries(spec?.overhead ?? {})) sum[k] = (sum[k] ?? 0) + (parseQuantity(v) ?? 0)
  return sum
}

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort'

const QOS_RESOURCES = ['cpu', 'memory']

/** Upstream GetPodQOS: BestEffort without any cpu/memory request or limit; Guaranteed when every container limits cpu and memory with requests equal to limits. */
export function qosClass(spec: PodSpecLike | undefined): QOSClass {
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]
  let any = false
  let guaranteed = containers.length > 0
  for (const c of containers) {
    const req = c.resources?.requests ?? {}
    const lim = c.resources?.limits ?? {}
    for (const r of QOS_RESOURCES) {
      const rq = parseQuantity(req[r])
      const lm = parseQuantity(lim[r])
      if ((rq !== undefined && rq !== 0) || (lm !== undefined && lm !== 0)) any = true
      if (lm === undefined || lm === 0) guaranteed = false
      else if (rq !== undefined && rq !== lm) guaranteed = false
    }
  }
  if (!any) return 'BestEffort'
  return guaranteed ? 'Guaranteed' : 'Burstable'
}
