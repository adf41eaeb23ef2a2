// What scenarios ask about a node's life, through the Kubernetes API only (so it works on any
// cluster): its conditions and taints, its heartbeat Lease in kube-node-lease, cordoning, the
// Eviction API, and a drain that does what `kubectl drain --ignore-daemonsets` does: cordon,
// list the node's pods (field selector spec.nodeName), leave mirror and DaemonSet pods alone,
// refuse unmanaged pods (kubectl's --force), evict the rest through pods/eviction - retrying an
// eviction refused with 429 - and wait until every evicted pod is gone.

import {
  CoordinationV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Lease,
  type V1Node,
  type V1Pod,
  type V1Taint,
} from '@kubernetes/client-node'
import { toStatus, type StatusError } from './kube.js'
import { core } from './workloads.js'

export const NODE_LEASE_NAMESPACE = 'kube-node-lease'

export async function readNode(kc: KubeConfig, name: string): Promise<V1Node> {
  return core(kc).readNode({ name })
}

export function nodeCondition(n: V1Node, type: string): { status?: string; reason?: string; message?: string } | undefined {
  return n.status?.conditions?.find((c) => c.type === type)
}

/** `key=value:Effect` or `key:Effect`, as kubectl writes a taint. */
export function formatTaint(t: V1Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`
}

/** `key=value:Effect` or `key:Effect` as a taint (value undefined when not given). */
export function parseTaint(taint: string): V1Taint {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(taint)
  if (!m) throw new Error(`"${taint}" is not a taint (key:Effect or key=value:Effect)`)
  return { key: m[1]!, value: m[2], effect: m[3]! }
}

/** Whether a node carries a taint written `key:Effect` (any value) or `key=value:Effect`. */
export function hasTaint(n: Pick<V1Node, 'spec'>, taint: string): boolean {
  const want = parseTaint(taint)
  return (n.spec?.taints ?? []).some((t) => t.key === want.key && t.effect === want.effect && (want.value === undefined || (t.value ?? '') === want.value))
}

export async function nodeLease(kc: KubeConfig, node: string): Promise<V1Lease> {
  return kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: node, namespace: NODE_LEASE_NAMESPACE })
}

/** kubectl cordon / uncordon. */
export async function setUnschedulable(kc: KubeConfig, node: string, unschedulable: boolean): Promise<void> {
  await core(kc).patchNode({ name: node, body: { spec: { unschedulable: unschedulable || null } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))
}

/** The pods bound to a node, in every namespace, as kubectl drain lists them. */
export async function podsOnNode(kc: KubeConfig, node: string): Promise<V1Pod[]> {
  return (await core(kc).listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items
}

/** POST pods/eviction; undefined when the pod was evicted, the server's Status when refused. */
export async function evict(kc: KubeConfig, namespace: string, name: string): Promise<StatusError | undefined> {
  try {
    await core(kc).createNamespacedPodEviction({ name, namespace, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } } })
    return undefined
  } catch (e) {
    return toStatus(e)
  }
}

export interface DrainOptions {
  /** How long to wait before trying a refused (429) eviction again (kubectl: 5s). */
  retryMs: number
  /** Leave DaemonSet pods alone (kubectl --ignore-daemonsets); without it they stop the drain. */
  ignoreDaemonSets?: boolean
  signal?: AbortSignal
}

export interface DrainProgress {
  /** Pods evicted so far (namespace/name). */
  evicted: string[]
  /** Every refusal the Eviction API answered (429 while a budget allows no disruption). */
  refusals: { pod: string; status: StatusError }[]
  /** Pods the drain leaves on the node (mirror and DaemonSet pods). */
  ignored: string[]
  done: boolean
  error?: string
}

const MIRROR = 'kubernetes.io/config.mirror'

function controllerKind(p: V1Pod): string | undefined {
  return p.metadata?.ownerReferences?.find((r) => r.controller)?.kind
}

/**
 * Drains a node as `kubectl drain` does; `progress` is updated as it goes (a step can watch a
 * drain that a disruption budget holds back). Resolves when every pod to evict is gone; rejects
 * on an error kubectl would stop at, or when aborted.
 */
export async function drain(kc: KubeConfig, node: string, opts: DrainOptions, progress: DrainProgress): Promise<void> {
  try {
    await setUnschedulable(kc, node, true)
    const pods = await podsOnNode(kc, node)
    const toEvict: V1Pod[] = []
    const problems: string[] = []
    for (const p of pods) {
      const id = `${p.metadata?.namespace}/${p.metadata?.name}`
      if (p.metadata?.annotations?.[MIRROR] !== undefined) {
        progress.ignored.push(id)
        continue
      }
      const kind = controllerKind(p)
      const finished = p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed'
      if (kind === 'DaemonSet') {
        if (opts.ignoreDaemonSets) progress.ignored.push(id)
        else problems.push(`cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${id}`)
        continue
      }
      if (!kind && !finished) {
        problems.push(`cannot delete Pods that declare no controller (use --force to override): ${id}`)
        continue
      }
      toEvict.push(p)
    }
    if (problems.length) throw new Error(problems.join('; '))
    await Promise.all(toEvict.map((p) => evictUntilGone(kc, p, opts, progress)))
    progress.done = true
  } catch (e) {
    progress.error = e instanceof Error ? e.message : String(e)
    throw e
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('the drain was stopped'))
    const t = setTimeout(resolve, ms) // the drain's retry interval, as kubectl's, not a test wait
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t)
        reject(new Error('the drain was stopped'))
      },
      { once: true },
    )
  })
}

async function evictUntilGone(kc: KubeConfig, p: V1Pod, opts: DrainOptions, progress: DrainProgress): Promise<void> {
  const namespace = p.metadata!.namespace!
  const name = p.metadata!.name!
  for (;;) {
    if (opts.signal?.aborted) throw new Error('the drain was stopped')
    const refusal = await evict(kc, namespace, name)
    if (!refusal || refusal.code === 404) break
    if (refusal.code !== 429) throw new Error(`error when evicting pods/"${name}" -n "${namespace}": ${refusal.message}`)
    progress.refusals.push({ pod: `${namespace}/${name}`, status: refusal })
    await pause(opts.retryMs, opts.signal)
  }
  // kubectl waits for the pod to be gone (or replaced by one with the same name and a new uid)
  for (;;) {
    let current: V1Pod | undefined
    try {
      current = await core(kc).readNamespacedPod({ name, namespace })
    } catch (e) {
      if (toStatus(e).code === 404) break
      throw e
    }
    if (current.metadata?.uid !== p.metadata?.uid) break
    await pause(100, opts.signal)
  }
  progress.evicted.push(`${namespace}/${name}`)
}

/** What a scenario may change on a node and must put back on a shared cluster. */
export interface NodeMarks {
  name: string
  labels: Record<string, string>
  taints: V1Taint[]
  unschedulable: boolean
}
