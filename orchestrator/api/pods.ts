// Small facts about pods and ownership that several components share: conditions (Ready,
// PodScheduled), whether a pod is active, ready or available, and controller references.
// Mirrors k8s.io/kubernetes/pkg/api/v1/pod (IsPodReady, IsPodAvailable, UpdatePodCondition),
// pkg/controller (FilterActivePods) and apimachinery's metav1.GetControllerOf.

import type { KObject, OwnerReference } from './meta.js'
import type { Pod, PodCondition } from './types.js'

export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type)
}

export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True'
}

/** Ready for at least minReadySeconds (upstream IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now = Date.now()): boolean {
  const c = podCondition(pod, 'Ready')
  if (c?.status !== 'True') return false
  if (minReadySeconds <= 0) return true
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : 0
  return since + minReadySeconds * 1000 <= now
}

export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'
}

/** Neither finished nor being deleted (upstream controller.IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !pod.metadata?.deletionTimestamp
}

/**
 * Returns the conditions with `cond` set, keeping lastTransitionTime when the status did not
 * change (upstream UpdatePodCondition); `changed` tells whether anything is different.
 */
export function withCondition(conditions: readonly PodCondition[] | undefined, cond: PodCondition): { conditions: PodCondition[]; changed: boolean } {
  const list = [...(conditions ?? [])]
  const i = list.findIndex((c) => c.type === cond.type)
  if (i < 0) return { conditions: [...list, cond], changed: true }
  const old = list[i]!
  const next: PodCondition = { ...cond }
  if (old.status === cond.status && old.lastTransitionTime) next.lastTransitionTime = old.lastTransitionTime
  const changed = old.status !== next.status || old.reason !== next.reason || old.message !== next.message
  list[i] = changed ? next : old
  return { conditions: list, changed }
}

/** The owner reference with controller=true, if any (metav1.GetControllerOf). */
export function controllerOf(o: KObject): OwnerReference | undefined {
  return o.metadata?.ownerReferences?.find((r) => r.controller === true)
}

/** A controller reference to `owner`, as controllers set on what they create. */
export function newControllerRef(owner: KObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  }
}
