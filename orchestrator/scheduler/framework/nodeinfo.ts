// What the scheduler knows about a node and the pods on it (NodeInfo), and what it parsed once
// about a pod (PodInfo): effective requests (and the non-zero defaults upstream scores with:
// 100m CPU and 200Mi memory per container that requests nothing), host ports, parsed
// inter-pod (anti-)affinity terms. Mirrors k8s.io/kube-scheduler/framework's NodeInfo and
// PodInfo (types.go). Simplifies: no image states, no volume counts.

import type { LabelSelector } from '../../api/meta.js'
import { objectKey } from '../../api/meta.js'
import { milliCpu, parseQuantity } from '../../api/quantity.js'
import { fromLabelSelector, type Selector } from '../../api/selectors.js'
import type { Node, Pod, PodAffinityTerm, Taint, Toleration } from '../../api/types.js'

export const DEFAULT_MILLI_CPU_REQUEST = 100
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024

export interface Resources {
  milliCPU: number
  memory: number
  ephemeralStorage: number
  /** Extended resources (example.com/gpu: 2). */
  scalar: Record<string, number>
}

export interface AffinityTerm {
  selector: Selector
  /** The namespaces the term looks in; `all` for an empty namespaceSelector. */
  namespaces: ReadonlySet<string> | 'all'
  topologyKey: string
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number
}

export interface HostPort {
  protocol: string
  ip: string
  port: number
}

function emptyResources(): Resources {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: {} }
}

const BASIC = new Set(['cpu', 'memory', 'ephemeral-storage', 'pods'])

export function parseTerm(pod: Pod, t: PodAffinityTerm): AffinityTerm {
  let namespaces: ReadonlySet<string> | 'all'
  const nsSel = t.namespaceSelector as LabelSelector | undefined
  if (nsSel && !nsSel.matchLabels && !nsSel.matchExpressions?.length) namespaces = 'all'
  else namespaces = new Set(t.namespaces?.length ? t.namespaces : [pod.metadata?.namespace ?? 'default'])
  return { selector: fromLabelSelector(t.labelSelector as LabelSelector | undefined), namespaces, topologyKey: t.topologyKey }
}

/** Whether an existing pod is what a term looks for (namespace and labels). */
export function termMatches(term: AffinityTerm, pod: Pod): boolean {
  const ns = pod.metadata?.namespace ?? ''
  if (term.namespaces !== 'all' && !term.namespaces.has(ns)) return false
  return term.selector.matches(pod.metadata?.labels)
}

function add(into: Resources, name: string, v: string | number): void {
  if (name === 'cpu') into.milliCPU += milliCpu(v)
  else if (name === 'memory') into.memory += parseQuantity(v) ?? 0
  else if (name === 'ephemeral-storage') into.ephemeralStorage += parseQuantity(v) ?? 0
  else if (!BASIC.has(name)) into.scalar[name] = (into.scalar[name] ?? 0) + (parseQuantity(v) ?? 0)
}

export class PodInfo {
  readonly key: string
  readonly uid: string
  readonly requests: Resources
  readonly nonZero: { milliCPU: number; memory: number }
  readonly hostPorts: HostPort[]
  readonly tolerations: readonly Toleration[]
  readonly requiredAffinity: AffinityTerm[]
  readonly requiredAntiAffinity: AffinityTerm[]
  readonly preferredAffinity: WeightedAffinityTerm[]
  readonly preferredAntiAffinity: WeightedAffinityTerm[]

  constructor(readonly pod: Pod) {
    this.key = objectKey(pod)
    this.uid = pod.metadata?.uid ?? this.key
    const spec = pod.spec
    const req = emptyResources()
    const nonZero = { milliCPU: 0, memory: 0 }
    for (const c of spec?.containers ?? []) {
      const r = (c.resources?.requests ?? {}) as Record<string, string | number>
      for (const [k, v] of Object.entries(r)) add(req, k, v)
      const cpu = r.cpu !== undefined ? milliCpu(r.cpu) : 0
      const mem = r.memory !== undefined ? (parseQuantity(r.memory) ?? 0) : 0
      nonZero.milliCPU += cpu || DEFAULT_MILLI_CPU_REQUEST
      nonZero.memory += mem || DEFAULT_MEMORY_REQUEST
    }
    // an init container runs alone: the pod needs at least its largest request
    for (const c of spec?.initContainers ?? []) {
      const one = emptyResources()
      for (const [k, v] of Object.entries((c.resources?.requests ?? {}) as Record<string, string | number>)) add(one, k, v)
      req.milliCPU = Math.max(req.milliCPU, one.milliCPU)
      req.memory = Math.max(req.memory, one.memory)
      req.ephemeralStorage = Math.max(req.ephemeralStorage, one.ephemeralStorage)
      for (const [k, v] of Object.entries(one.scalar)) req.scalar[k] = Math.max(req.scalar[k] ?? 0, v)
    }
    for (const [k, v] of Object.entries((spec?.overhead ?? {}) as Record<string, string | number>)) add(req, k, v)
    this.requests = req
    this.nonZero = nonZero
    this.hostPorts = []
    for (const c of spec?.containers ?? []) {
      for (const p of c.ports ?? []) {
        if (p.hostPort) this.hostPorts.push({ protocol: p.protocol ?? 'TCP', ip: p.hostIP || '0.0.0.0', port: p.hostPort })
      }
    }
    this.tolerations = spec?.tolerations ?? []
    const aff = spec?.affinity
    this.requiredAffinity = (aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => parseTerm(pod, t))
    this.requiredAntiAffinity = (aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => parseTerm(pod, t))
    this.preferredAffinity = (aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({
      ...parseTerm(pod, w.podAffinityTerm),
      weight: w.weight,
    }))
    this.preferredAntiAffinity = (aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({
      ...parseTerm(pod, w.podAffinityTerm),
      weight: w.weight,
    }))
  }

  /** The same pod with spec.nodeName set (what the scheduler assumes), without parsing it again. */
  boundTo(nodeName: string): PodInfo {
    const copy = Object.create(PodInfo.prototype) as PodInfo
    Object.assign(copy, this)
    ;(copy as { pod: Pod }).pod = { ...this.pod, spec: { ...this.pod.spec!, nodeName } }
    return copy
  }

  get hasAffinity(): boolean {
    return this.requiredAffinity.length + this.requiredAntiAffinity.length + this.preferredAffinity.length + this.preferredAntiAffinity.length > 0
  }

  get hasRequiredAntiAffinity(): boolean {
    return this.requiredAntiAffinity.length > 0
  }
}

function portKey(p: HostPort): string {
  return `${p.protocol}/${p.port}`
}

export class NodeInfo {
  node: Node
  allocatable: Resources & { pods: number } = { ...emptyResources(), pods: 0 }
  readonly requested: Resources = emptyResources()
  readonly nonZeroRequested = { milliCPU: 0, memory: 0 }
  readonly pods = new Map<string, PodInfo>()
  readonly podsWithAffinity = new Set<PodInfo>()
  readonly podsWithRequiredAntiAffinity = new Set<PodInfo>()
  /** protocol/port -> the host IPs using it. */
  readonly usedPorts = new Map<string, string[]>()
  taints: readonly Taint[] = []
  labels: Readonly<Record<string, string>> = {}
  unschedulable = false

  constructor(node: Node) {
    this.node = node
    this.setNode(node)
  }

  get name(): string {
    return this.node.metadata?.name ?? ''
  }

  setNode(node: Node): void {
    this.node = node
    const a = (node.status?.allocatable ?? node.status?.capacity ?? {}) as Record<string, string | number>
    const scalar: Record<string, number> = {}
    for (const [k, v] of Object.entries(a)) if (!BASIC.has(k)) scalar[k] = parseQuantity(v) ?? 0
    this.allocatable = {
      milliCPU: a.cpu !== undefined ? milliCpu(a.cpu) : 0,
      memory: parseQuantity(a.memory) ?? 0,
      ephemeralStorage: parseQuantity(a['ephemeral-storage']) ?? 0,
      pods: Number(parseQuantity(a.pods) ?? 0),
      scalar,
    }
    this.taints = node.spec?.taints ?? []
    this.labels = node.metadata?.labels ?? {}
    this.unschedulable = node.spec?.unschedulable === true
  }

  addPod(pi: PodInfo): void {
    if (this.pods.has(pi.uid)) this.removePod(pi.uid)
    this.pods.set(pi.uid, pi)
    this.requested.milliCPU += pi.requests.milliCPU
    this.requested.memory += pi.requests.memory
    this.requested.ephemeralStorage += pi.requests.ephemeralStorage
    for (const [k, v] of Object.entries(pi.requests.scalar)) this.requested.scalar[k] = (this.requested.scalar[k] ?? 0) + v
    this.nonZeroRequested.milliCPU += pi.nonZero.milliCPU
    this.nonZeroRequested.memory += pi.nonZero.memory
    if (pi.hasAffinity) this.podsWithAffinity.add(pi)
    if (pi.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity.add(pi)
    for (const p of pi.hostPorts) {
      const k = portKey(p)
      const ips = this.usedPorts.get(k) ?? []
      ips.push(p.ip)
      this.usedPorts.set(k, ips)
    }
  }

  removePod(uid: string): PodInfo | undefined {
    const pi = this.pods.get(uid)
    if (!pi) return undefined
    this.pods.delete(uid)
    this.requested.milliCPU -= pi.requests.milliCPU
    this.requested.memory -= pi.requests.memory
    this.requested.ephemeralStorage -= pi.requests.ephemeralStorage
    for (const [k, v] of Object.entries(pi.requests.scalar)) this.requested.scalar[k] = (this.requested.scalar[k] ?? 0) - v
    this.nonZeroRequested.milliCPU -= pi.nonZero.milliCPU
    this.nonZeroRequested.memory -= pi.nonZero.memory
    this.podsWithAffinity.delete(pi)
    this.podsWithRequiredAntiAffinity.delete(pi)
    for (const p of pi.hostPorts) {
      const k = portKey(p)
      const ips = this.usedPorts.get(k)
      if (!ips) continue
      const i = ips.indexOf(p.ip)
      if (i >= 0) ips.splice(i, 1)
      if (!ips.length) this.usedPorts.delete(k)
    }
    return pi
  }

  /** Whether a host port is free here (0.0.0.0 conflicts with every address, as upstream). */
  portFree(p: HostPort): boolean {
    const ips = this.usedPorts.get(portKey(p))
    if (!ips?.length) return true
    if (p.ip === '0.0.0.0') return false
    return !ips.some((ip) => ip === '0.0.0.0' || ip === p.ip)
  }
}
