// What scenarios ask about workloads, nodes and scheduling, answered through the Kubernetes
// API only (so it works on any cluster): pods by label and where they run, why a pod is
// Pending (its PodScheduled condition and FailedScheduling events), the ReplicaSet a
// Deployment owns, and Ready nodes.

import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Node, type V1Pod, type V1ReplicaSet } from '@kubernetes/client-node'

/** Quantities in base units (cores, bytes), for comparisons. */
export function quantity(q: string | number | undefined): number {
  if (q === undefined) return 0
  if (typeof q === 'number') return q
  const m = /^([0-9.]+)(n|u|m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(q.trim())
  if (!m) throw new Error(`"${q}" is not a quantity`)
  const f: Record<string, number> = { '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 }
  return Number(m[1]) * f[m[2] ?? '']!
}

export function core(kc: KubeConfig): CoreV1Api {
  return kc.makeApiClient(CoreV1Api)
}

export async function podsLabelled(kc: KubeConfig, namespace: string, selector: string): Promise<V1Pod[]> {
  return (await core(kc).listNamespacedPod({ namespace, labelSelector: selector })).items
}

/** Running and not being deleted. */
export function isRunning(p: V1Pod): boolean {
  return p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp
}

/** The pod's Ready condition is True. */
export function isPodReady(p: V1Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false
}

export function describePods(pods: V1Pod[]): string[] {
  return pods.map((p) => `${p.metadata?.name} ${p.metadata?.deletionTimestamp ? 'Terminating' : p.status?.phase} on ${p.spec?.nodeName ?? '<none>'}`)
}

/** Why a pod is not scheduled: its PodScheduled condition and the messages of its FailedScheduling events. */
export async function schedulingFailure(
  kc: KubeConfig,
  namespace: string,
  pod: string,
): Promise<{ condition?: { status?: string; reason?: string; message?: string }; events: string[]; nodeName?: string; phase?: string }> {
  const api = core(kc)
  const p = await api.readNamespacedPod({ name: pod, namespace })
  const condition = p.status?.conditions?.find((c) => c.type === 'PodScheduled')
  const events = (await api.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${pod},reason=FailedScheduling` })).items
  return { condition, events: events.map((e) => e.message ?? ''), nodeName: p.spec?.nodeName, phase: p.status?.phase }
}

export async function nodes(kc: KubeConfig): Promise<V1Node[]> {
  return (await core(kc).listNode()).items
}

export function isReady(n: V1Node): boolean {
  return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false
}

/** The ReplicaSets a Deployment controls (by controller reference). */
export async function replicaSetsOf(kc: KubeConfig, namespace: string, deployment: string): Promise<V1ReplicaSet[]> {
  const apps = kc.makeApiClient(AppsV1Api)
  const d = await apps.readNamespacedDeployment({ name: deployment, namespace })
  const all = (await apps.listNamespacedReplicaSet({ namespace })).items
  return all.filter((rs) => rs.metadata?.ownerReferences?.some((r) => r.controller && r.uid === d.metadata?.uid))
}

/** The ReplicaSet of a Deployment that has replicas (the one the Deployment currently runs). */
export async function activeReplicaSetOf(kc: KubeConfig, namespace: string, deployment: string): Promise<V1ReplicaSet> {
  const rss = await replicaSetsOf(kc, namespace, deployment)
  const active = rss.filter((rs) => (rs.spec?.replicas ?? 0) > 0)
  const rs = active[0] ?? rss[0]
  if (!rs) throw new Error(`deployment ${deployment} owns no replica set`)
  return rs
}

export async function scaleReplicaSet(kc: KubeConfig, namespace: string, name: string, replicas: number): Promise<void> {
  await kc
    .makeApiClient(AppsV1Api)
    .patchNamespacedReplicaSetScale({ name, namespace, body: { spec: { replicas } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))
}

/** Sets a Deployment's replicas through its scale subresource (kubectl scale deployment). */
export async function scaleDeployment(kc: KubeConfig, namespace: string, name: string, replicas: number): Promise<void> {
  await kc
    .makeApiClient(AppsV1Api)
    .patchNamespacedDeploymentScale({ name, namespace, body: { spec: { replicas } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))
}

/** Adds labels to a node (kubectl label node). */
export async function labelNode(kc: KubeConfig, name: string, labels: Record<string, string>): Promise<void> {
  await core(kc).patchNode({ name, body: { metadata: { labels } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))
}

/** Adds a taint to a node (kubectl taint node name key=value:Effect). */
export async function taintNode(kc: KubeConfig, name: string, taint: { key: string; value?: string; effect: string }): Promise<void> {
  const api = core(kc)
  const n = await api.readNode({ name })
  const taints = [...(n.spec?.taints ?? []).filter((t) => !(t.key === taint.key && t.effect === taint.effect)), taint]
  await api.patchNode({ name, body: { spec: { taints } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))
}

/** A pod manifest for the kit's sample image, with optional requests and limits. */
export function samplePod(
  name: string,
  requests?: { cpu?: string; memory?: string },
  limits?: { cpu?: string; memory?: string },
  labels: Record<string, string> = { app: name },
): V1Pod {
  const resources: { requests?: Record<string, string>; limits?: Record<string, string> } = {}
  if (requests && Object.keys(requests).length) resources.requests = requests as Record<string, string>
  if (limits && Object.keys(limits).length) resources.limits = limits as Record<string, string>
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'app', image: 'registry.internal/ock/app:1', resources }] },
  }
}

/** The pod with its node already chosen (spec.nodeName): the scheduler never sees it pending. */
export function boundTo(pod: V1Pod, nodeName: string): V1Pod {
  return { ...pod, spec: { ...pod.spec!, nodeName } }
}
