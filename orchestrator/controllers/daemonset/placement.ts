// What the DaemonSet controller decides, as pure functions: which nodes should run a daemon pod
// and which may keep one (node name, node selector, required node affinity, taints against the
// template's tolerations plus the ones every daemon pod gets), the pod for one node (its node
// affinity `metadata.name In [node]` so the default scheduler binds it there), what to create
// and delete on each node, the rolling update's choice of old pods to replace (maxUnavailable)
// or nodes to surge onto (maxSurge), and the status counters.
// Mirrors pkg/controller/daemon: NodeShouldRunDaemonPod and predicates (daemon_controller.go),
// util.AddOrUpdateDaemonPodTolerations, util.ReplaceDaemonSetPodNodeNameNodeAffinity,
// util.GetTargetNodeName, podsShouldBeOnNode, rollingUpdate and findUpdatedPodsOnNode
// (update.go), updateDaemonSetStatus.
// Simplifies: a failed daemon pod is deleted at once (upstream backs off per node); no
// templateGeneration (deprecated).

import { scaledValue } from '../../api/intstr.js'
import { isPodAvailable, isPodReady } from '../../api/pods.js'
import { Selector, type Operator } from '../../api/selectors.js'
import {
  toleratesTaint,
  TAINT_NODE_DISK_PRESSURE,
  TAINT_NODE_MEMORY_PRESSURE,
  TAINT_NODE_NETWORK_UNAVAILABLE,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_PID_PRESSURE,
  TAINT_NODE_UNREACHABLE,
  TAINT_NODE_UNSCHEDULABLE,
} from '../../api/taints.js'
import type { DaemonSet, Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec, Taint, Toleration } from '../../api/types.js'
import { REVISION_HASH_LABEL } from '../history.js'

type DaemonSetStatus = NonNullable<DaemonSet['status']>

/** The tolerations every daemon pod gets (util.AddOrUpdateDaemonPodTolerations). */
export function daemonTolerations(spec: PodSpec | undefined): Toleration[] {
  const out: Toleration[] = [
    { key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_NODE_DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_NODE_MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_NODE_PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_NODE_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' },
  ]
  if (spec?.hostNetwork) out.push({ key: TAINT_NODE_NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' })
  return out
}

/** The template's tolerations with the daemon ones added or updated (same key and effect). */
export function withDaemonTolerations(spec: PodSpec | undefined): Toleration[] {
  const tolerations = [...(spec?.tolerations ?? [])]
  for (const t of daemonTolerations(spec)) {
    const i = tolerations.findIndex((x) => x.key === t.key && x.effect === t.effect)
    if (i >= 0) tolerations[i] = t
    else tolerations.push(t)
  }
  return tolerations
}

function requirements(exprs: readonly NodeSelectorRequirement[] | undefined): { key: string; operator: Operator; values: string[] }[] {
  return (exprs ?? []).map((e) => ({ key: e.key, operator: e.operator as Operator, values: [...(e.values ?? [])] }))
}

/** A required node selector term (an empty one matches no node, as upstream). */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const labels = requirements(term.matchExpressions)
  const fields = requirements(term.matchFields)
  if (!labels.length && !fields.length) return false
  return new Selector(labels).matches(node.metadata?.labels ?? {}) && new Selector(fields).matches({ 'metadata.name': node.metadata?.name ?? '' })
}

function fitsAffinity(spec: PodSpec | undefined, node: Node): boolean {
  const labels = node.metadata?.labels ?? {}
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms
  return !terms || terms.some((t) => termMatches(t, node))
}

function untolerated(taints: readonly Taint[], tolerations: readonly Toleration[], effects: readonly string[]): boolean {
  return taints.some((taint) => effects.includes(taint.effect) && !tolerations.some((t) => toleratesTaint(t, taint)))
}

/**
 * Whether a daemon pod should be started on `node` (`run`) and whether one already there may
 * stay (`keep`): node name and affinity decide both; an untolerated NoSchedule taint stops new
 * pods only, an untolerated NoExecute taint removes running ones too (NodeShouldRunDaemonPod).
 */
export function shouldRunOn(ds: DaemonSet, node: Node): { run: boolean; keep: boolean } {
  const spec = ds.spec?.template?.spec
  if (spec?.nodeName && spec.nodeName !== node.metadata?.name) return { run: false, keep: false }
  if (!fitsAffinity(spec, node)) return { run: false, keep: false }
  const taints = node.spec?.taints ?? []
  const tolerations = withDaemonTolerations(spec)
  if (untolerated(taints, tolerations, ['NoSchedule', 'NoExecute'])) return { run: false, keep: !untolerated(taints, tolerations, ['NoExecute']) }
  return { run: true, keep: true }
}

/** The node a daemon pod is for: its spec.nodeName, else its node affinity's metadata.name (util.GetTargetNodeName). */
export function targetNode(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0]
  }
  return undefined
}

/** The daemon pod for `node`: the template, its tolerations, the revision hash and the node affinity. */
export function podFor(ds: DaemonSet, node: string, hash: string): Pod {
  const template = ds.spec?.template ?? {}
  const spec: PodSpec = structuredClone(template.spec ?? { containers: [] })
  spec.tolerations = withDaemonTolerations(spec)
  const affinity = spec.affinity ?? {}
  const nodeAffinity = affinity.nodeAffinity ?? {}
  // the required terms become the one that names the node (ReplaceDaemonSetPodNodeNameNodeAffinity)
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
  }
  spec.affinity = { ...affinity, nodeAffinity }
  const metadata: Pod['metadata'] = {
    generateName: `${ds.metadata?.name}-`,
    namespace: ds.metadata?.namespace,
    labels: { ...(template.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
  }
  if (template.metadata?.annotations) metadata!.annotations = { ...template.metadata.annotations }
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec }
}

/** Oldest first, Running before others at equal age (podByCreationTimestampAndPhase). */
export function byAge(a: Pod, b: Pod): number {
  const ca = Date.parse(a.metadata?.creationTimestamp ?? '') || 0
  const cb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0
  if (ca !== cb) return ca - cb
  const ra = a.status?.phase === 'Running' ? 0 : 1
  const rb = b.status?.phase === 'Running' ? 0 : 1
  return ra - rb || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '')
}

export function isUpdated(pod: Pod, hash: string): boolean {
  return pod.metadata?.labels?.[REVISION_HASH_LABEL] === hash
}

export function surgeAllowed(ds: DaemonSet): boolean {
  if (ds.spec?.updateStrategy?.type === 'OnDelete') return false
  const surge = ds.spec?.updateStrategy?.rollingUpdate?.maxSurge
  return surge !== undefined && surge !== 0 && surge !== '0%' && surge !== '0'
}

export interface NodePlan {
  /** Nodes that need a daemon pod. */
  create: string[]
  /** Pods to delete (names). */
  delete: string[]
}

/**
 * What to create and delete so each node has the daemon pods it should (podsShouldBeOnNode):
 * `byNode` holds the claimed pods by target node, terminating ones included.
 */
export function planNodes(ds: DaemonSet, nodes: readonly Node[], byNode: ReadonlyMap<string, Pod[]>, hash: string, now = Date.now()): NodePlan {
  const plan: NodePlan = { create: [], delete: [] }
  const surge = surgeAllowed(ds)
  const minReady = ds.spec?.minReadySeconds ?? 0
  for (const node of nodes) {
    const name = node.metadata?.name ?? ''
    const pods = byNode.get(name)
    const { run, keep } = shouldRunOn(ds, node)
    if (run && !pods?.length) {
      plan.create.push(name)
      continue
    }
    if (keep) {
      const running: Pod[] = []
      for (const p of pods ?? []) {
        if (p.metadata?.deletionTimestamp) continue
        if (p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded') plan.delete.push(p.metadata!.name!)
        else running.push(p)
      }
      running.sort(byAge)
      if (!surge) {
        // one pod per node: the oldest stays
        for (const p of running.slice(1)) plan.delete.push(p.metadata!.name!)
        continue
      }
      if (running.length <= 1) {
        if (!running.length && run) plan.create.push(name)
        continue
      }
      // surging: keep the oldest new and the oldest old pod until the new one is available
      let newest: Pod | undefined
      let oldest: Pod | undefined
      for (const p of running) {
        if (isUpdated(p, hash) ? !newest : !oldest) {
          if (isUpdated(p, hash)) newest = p
          else oldest = p
          continue
        }
        plan.delete.push(p.metadata!.name!)
      }
      if (newest && oldest && (!isPodReady(oldest) || isPodAvailable(newest, minReady, now))) plan.delete.push(oldest.metadata!.name!)
      continue
    }
    for (const p of pods ?? []) if (!p.metadata?.deletionTimestamp) plan.delete.push(p.metadata!.name!)
  }
  return plan
}

/** maxSurge and maxUnavailable against the desired number of nodes (updatedDesiredNodeCounts). */
export function rollingBudget(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = ds.spec?.updateStrategy?.rollingUpdate
  let maxSurge = surgeAllowed(ds) ? scaledValue(ru?.maxSurge, desired, true, '0') : 0
  let maxUnavailable = scaledValue(ru?.maxUnavailable, desired, true, '1')
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1
  if (maxSurge < 0) maxSurge = 0
  return { maxSurge, maxUnavailable }
}

/**
 * One step of a RollingUpdate (update.go rollingUpdate): without surge, old pods to delete so
 * that no more than maxUnavailable nodes lack an available up-to-date pod; with surge, nodes to
 * start a new pod on beside the old one and old pods whose replacement is available.
 */
export function planRollingUpdate(ds: DaemonSet, nodes: readonly Node[], byNode: ReadonlyMap<string, Pod[]>, hash: string, now = Date.now()): NodePlan {
  const desired = nodes.filter((n) => shouldRunOn(ds, n).run).length
  const { maxSurge, maxUnavailable } = rollingBudget(ds, desired)
  const minReady = ds.spec?.minReadySeconds ?? 0
  const plan: NodePlan = { create: [], delete: [] }
  const candidates: string[] = []
  let spent = 0
  for (const [node, all] of [...byNode.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const pods = all.filter((p) => !p.metadata?.deletionTimestamp)
    const fresh = pods.filter((p) => isUpdated(p, hash))
    const old = pods.filter((p) => !isUpdated(p, hash))
    if (fresh.length > 1 || old.length > 1) {
      spent++ // the node loop cleans this node up; count it against the budget
      continue
    }
    const [newPod] = fresh
    const [oldPod] = old
    if (maxSurge === 0) {
      if ((!newPod && !oldPod) || (newPod && oldPod)) spent++
      else if (newPod) {
        if (!isPodAvailable(newPod, minReady, now)) spent++
      } else if (!isPodAvailable(oldPod!, minReady, now)) plan.delete.push(oldPod!.metadata!.name!)
      else if (spent < maxUnavailable) candidates.push(oldPod!.metadata!.name!)
      continue
    }
    if (!oldPod) continue
    if (!newPod) {
      if (!isPodAvailable(oldPod, minReady, now)) plan.create.push(node)
      else if (spent < maxSurge) candidates.push(node)
      continue
    }
    if (!isPodAvailable(newPod, minReady, now)) spent++
    else plan.delete.push(oldPod.metadata!.name!)
  }
  const budget = Math.max(0, (maxSurge === 0 ? maxUnavailable : maxSurge) - spent)
  const chosen = candidates.slice(0, budget)
  if (maxSurge === 0) plan.delete.push(...chosen)
  else plan.create.push(...chosen)
  return plan
}

/** The status counters (updateDaemonSetStatus). */
export function calculateStatus(ds: DaemonSet, nodes: readonly Node[], byNode: ReadonlyMap<string, Pod[]>, hash: string, now = Date.now()): DaemonSetStatus {
  const minReady = ds.spec?.minReadySeconds ?? 0
  let desired = 0
  let current = 0
  let misscheduled = 0
  let ready = 0
  let available = 0
  let updated = 0
  for (const node of nodes) {
    const pods = [...(byNode.get(node.metadata?.name ?? '') ?? [])].sort(byAge)
    const { run } = shouldRunOn(ds, node)
    if (!run) {
      if (pods.length) misscheduled++
      continue
    }
    desired++
    const pod = pods[0]
    if (!pod) continue
    current++
    if (isPodReady(pod)) {
      ready++
      if (isPodAvailable(pod, minReady, now)) available++
    }
    if (isUpdated(pod, hash)) updated++
  }
  const status: DaemonSetStatus = {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: ds.metadata?.generation ?? 0,
    updatedNumberScheduled: updated,
    numberAvailable: available,
  }
  if (desired - available > 0) status.numberUnavailable = desired - available
  if (ds.status?.collisionCount !== undefined) status.collisionCount = ds.status.collisionCount
  return status
}
