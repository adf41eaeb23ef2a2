// The kubelet's status manager: the status of every pod the kubelet runs goes to the API
// through pods/status, only when it differs from what was last sent; the kubelet's own
// conditions win over the API's, other components' conditions are kept; startTime is the
// moment the kubelet first saw the pod. A periodic sync sends a status again when the API's
// copy no longer says what was sent (the node lifecycle controller marked the pod NotReady
// while heartbeats were missing).
// Mirrors pkg/kubelet/status/status_manager.go (SetPodStatus, syncBatch / needsReconcile,
// mergePodStatus). Simplifies: one patch per change, no batching channel, no versioned cache.

import { nowTimestamp } from '../api/meta.js'
import { lookupResource } from '../api/resources.js'
import type { Pod, PodStatus } from '../api/types.js'
import { refFor, type Writer } from '../client/client.js'
import type { ContainerRuntime, ContainerStatus } from '../runtime/runtime.js'
import type { Waiting } from './images.js'
import { generatePodStatus } from './pod-status.js'

const PODS = lookupResource('', 'pods')!

export interface StatusManagerDeps {
  /** A client authenticated as the node. */
  client: Writer
  runtime: ContainerRuntime
  /** The node's IP (status.hostIP). */
  hostIP: string
  /** The scheme of container IDs (`containerd://`, `docker://`), as the runtime reports its version. */
  scheme(): string
  /** The pod as the kubelet knows it now; undefined when it runs no such pod (or it is being deleted). */
  livePod(uid: string): Pod | undefined
  waiting(uid: string): Waiting | undefined
  podIP(uid: string): string | undefined
  ready(uid: string, container: string, id: string): boolean
  started(uid: string, container: string, id: string): boolean
  /** Asks for the pod to be synced again. */
  resync(uid: string): void
}

export class StatusManager {
  private readonly lastSent = new Map<string, { json: string; status: PodStatus }>()
  private readonly firstSeen = new Map<string, string>()

  constructor(private readonly deps: StatusManagerDeps) {}

  /** The kubelet has seen the pod (its startTime, if the pod has none yet). */
  seen(uid: string): void {
    if (!this.firstSeen.has(uid)) this.firstSeen.set(uid, nowTimestamp())
  }

  /** The status last sent for the pod, if any. */
  lastStatus(uid: string): PodStatus | undefined {
    return this.lastSent.get(uid)?.status
  }

  /**
   * Sends the pod's status through pods/status when it differs from what was last sent.
   * Contract: `terminal` says the pod's containers were stopped for its deletion; API errors
   * are thrown (the caller decides which mean the pod is gone).
   */
  async report(uid: string, pod: Pod, terminal: boolean, listed?: ContainerStatus[]): Promise<void> {
    const containers = listed ?? (await this.deps.runtime.listContainers({ podUid: uid }))
    const previous = this.lastSent.get(uid)?.status
    const base: Pod = previous
      ? { ...pod, status: { ...pod.status, conditions: mergeConditions(pod.status?.conditions, previous.conditions), startTime: previous.startTime } }
      : pod
    const status = generatePodStatus({
      pod: base.status?.startTime ? base : { ...base, status: { ...base.status, startTime: this.firstSeen.get(uid) } },
      containers,
      waiting: this.deps.waiting(uid) ?? new Map(),
      podIP: this.deps.podIP(uid),
      hostIP: this.deps.hostIP,
      scheme: this.deps.scheme(),
      terminal,
      now: nowTimestamp(),
      probes: {
        ready: (name, id) => this.deps.ready(uid, name, id),
        started: (name, id) => this.deps.started(uid, name, id),
      },
    })
    const json = JSON.stringify(status)
    if (previous && this.lastSent.get(uid)?.json === json) return
    await this.deps.client.patchQuietly(refFor(PODS, pod.metadata?.namespace, pod.metadata?.name, 'status'), { status })
    this.lastSent.set(uid, { json, status })
  }

  /**
   * The periodic sync: a pod whose status in the API no longer says what this kubelet sent is
   * synced again, and its status sent again.
   */
  reconcile(): void {
    for (const [uid, sent] of this.lastSent) {
      const pod = this.deps.livePod(uid)
      if (!pod) continue
      const api = pod.status
      const drift =
        api?.phase !== sent.status.phase || (sent.status.conditions ?? []).some((c) => api?.conditions?.find((x) => x.type === c.type)?.status !== c.status)
      if (!drift) continue
      this.lastSent.delete(uid)
      this.deps.resync(uid)
    }
  }

  /** Forgets a pod (it is gone). */
  forgetPod(uid: string): void {
    this.lastSent.delete(uid)
    this.firstSeen.delete(uid)
  }
}

/** Conditions from the API, with the kubelet's own ones as it last sent them. */
function mergeConditions(api: PodStatus['conditions'], mine: PodStatus['conditions']): PodStatus['conditions'] {
  const own = new Set((mine ?? []).map((c) => c.type))
  return [...(mine ?? []), ...(api ?? []).filter((c) => !own.has(c.type))]
}
