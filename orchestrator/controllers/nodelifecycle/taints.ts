// The pure part of the node lifecycle controller: which taints a node should carry for what it
// reports (TaintNodesByCondition's NoSchedule taints, the Ready condition's NoExecute taint),
// and the version skew check a node must pass before it gets pods. Table-tested.
// Mirrors pkg/controller/nodelifecycle (nodeConditionToTaintKeyStatusMap,
// doNoScheduleTaintingPass, processTaintBaseEviction's mutually exclusive not-ready /
// unreachable taints) and the version skew policy (kubelet no newer than kube-apiserver, at
// most three minor versions older).
// Simplifies: the version skew taint and condition are OCK's own (upstream has no such check).

import {
  formatTaint,
  sameTaint,
  TAINT_NODE_DISK_PRESSURE,
  TAINT_NODE_MEMORY_PRESSURE,
  TAINT_NODE_NETWORK_UNAVAILABLE,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_PID_PRESSURE,
  TAINT_NODE_UNREACHABLE,
  TAINT_NODE_UNSCHEDULABLE,
} from '../../api/taints.js'
import type { Node, NodeCondition, Taint } from '../../api/types.js'

/** Condition type -> status -> the NoSchedule taint it brings (upstream nodeConditionToTaintKeyStatusMap). */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NODE_NOT_READY, Unknown: TAINT_NODE_UNREACHABLE },
  MemoryPressure: { True: TAINT_NODE_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_NODE_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NODE_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_NODE_PID_PRESSURE },
}

const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)))

/** The taint a node gets while its kubelet is older or newer than the version skew policy allows. */
export const TAINT_KUBELET_VERSION_SKEW = 'ock.dev/kubelet-version-skew'
/** The node condition that says why (True while the check fails). */
export const CONDITION_KUBELET_VERSION_SKEW = 'KubeletVersionSkew'

export function condition(node: Node, type: string): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === type)
}

/** The NoSchedule taints the node's conditions and spec.unschedulable call for. */
export function desiredNoScheduleTaints(node: Node): Taint[] {
  const out: Taint[] = []
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status]
    if (key) out.push({ key, effect: 'NoSchedule' })
  }
  if (node.spec?.unschedulable) out.push({ key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' })
  return out
}

function isManagedNoSchedule(t: Taint): boolean {
  return t.effect === 'NoSchedule' && (t.key === TAINT_NODE_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key))
}

/**
 * The node's taints with the condition NoSchedule taints brought in line (others untouched),
 * or undefined when nothing changes (upstream doNoScheduleTaintingPass).
 */
export function reconcileNoScheduleTaints(node: Node, now: string): Taint[] | undefined {
  const have = node.spec?.taints ?? []
  const want = desiredNoScheduleTaints(node)
  const managed = have.filter(isManagedNoSchedule)
  const add = want.filter((w) => !managed.some((m) => sameTaint(m, w)))
  const remove = managed.filter((m) => !want.some((w) => sameTaint(m, w)))
  if (!add.length && !remove.length) return undefined
  return [...have.filter((t) => !remove.some((r) => sameTaint(r, t))), ...add.map((t) => ({ ...t, timeAdded: now }))]
}

/** The NoExecute taint the Ready condition calls for: not-ready for False, unreachable for Unknown. */
export function noExecuteTaintFor(ready: string | undefined): Taint | undefined {
  if (ready === 'False') return { key: TAINT_NODE_NOT_READY, effect: 'NoExecute' }
  if (ready === 'Unknown') return { key: TAINT_NODE_UNREACHABLE, effect: 'NoExecute' }
  return undefined
}

const NO_EXECUTE_KEYS = [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE]

/**
 * The node's taints with exactly `want` among the not-ready / unreachable NoExecute taints
 * (they are mutually exclusive, as the Ready condition has one status), or undefined when
 * nothing changes. A taint that stays keeps its timeAdded.
 */
export function reconcileNoExecuteTaint(taints: readonly Taint[] | undefined, want: Taint | undefined, now: string): Taint[] | undefined {
  const have = taints ?? []
  const managed = have.filter((t) => t.effect === 'NoExecute' && NO_EXECUTE_KEYS.includes(t.key))
  const keep = want && managed.some((t) => sameTaint(t, want))
  if (keep && managed.length === 1) return undefined
  if (!want && !managed.length) return undefined
  const others = have.filter((t) => !managed.includes(t))
  const kept = keep ? managed.filter((t) => sameTaint(t, want)) : want ? [{ ...want, timeAdded: now }] : []
  return [...others, ...kept]
}

export interface Version {
  major: number
  minor: number
}

/** `v1.32.0-ock.0` -> { major: 1, minor: 32 }; undefined when it is not a version. */
export function parseVersion(v: string | undefined): Version | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(v?.trim() ?? '')
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined
}

/** How many minor versions a kubelet may lag behind kube-apiserver (the version skew policy, since v1.28). */
export const MAX_KUBELET_MINOR_SKEW = 3

/**
 * Why a kubelet of this version may not run pods under this control plane, or undefined when
 * it may: a kubelet must not be newer than kube-apiserver, and at most three minor versions older.
 */
export function versionSkew(kubelet: string | undefined, apiServer: string): { reason: string; message: string } | undefined {
  // a Node no kubelet has reported on yet (created through the API) has nothing to check
  if (!kubelet) return undefined
  const k = parseVersion(kubelet)
  const a = parseVersion(apiServer)
  if (!a) return undefined
  const policy = `the version skew policy allows kubelets from v${a.major}.${Math.max(0, a.minor - MAX_KUBELET_MINOR_SKEW)} to v${a.major}.${a.minor}`
  if (!k) return { reason: 'KubeletVersionUnknown', message: `kubelet version "${kubelet}" cannot be read; ${policy}` }
  if (k.major > a.major || (k.major === a.major && k.minor > a.minor)) {
    return { reason: 'KubeletTooNew', message: `kubelet ${kubelet} is newer than kube-apiserver ${apiServer}; ${policy}` }
  }
  if (k.major < a.major || a.minor - k.minor > MAX_KUBELET_MINOR_SKEW) {
    return {
      reason: 'KubeletTooOld',
      message: `kubelet ${kubelet} is more than ${MAX_KUBELET_MINOR_SKEW} minor versions older than kube-apiserver ${apiServer}; ${policy}`,
    }
  }
  return undefined
}

/** A taint value from a version: label-value characters only, at most 63. */
export function taintValue(v: string | undefined): string {
  const cleaned = (v ?? '').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
  return cleaned.slice(0, 63)
}

/** The node's taints with the version skew taint present (with this value) or absent; undefined when unchanged. */
export function reconcileSkewTaint(taints: readonly Taint[] | undefined, value: string | undefined, now: string): Taint[] | undefined {
  const have = taints ?? []
  const current = have.find((t) => t.key === TAINT_KUBELET_VERSION_SKEW && t.effect === 'NoSchedule')
  if (value === undefined) return current ? have.filter((t) => t !== current) : undefined
  if (current && (current.value ?? '') === value) return undefined
  return [...have.filter((t) => t !== current), { key: TAINT_KUBELET_VERSION_SKEW, value, effect: 'NoSchedule', timeAdded: now }]
}

export function describeTaints(taints: readonly Taint[] | undefined): string {
  return (taints ?? []).map(formatTaint).join(', ') || 'none'
}
