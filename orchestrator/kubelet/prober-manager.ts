// The prober manager: per-container probe workers of every pod a kubelet runs. On every pod
// sync it starts a worker for each probe the spec declares, lets the workers see new
// containers, and triggers the readiness probe of every running container that is not Ready;
// it answers the kubelet's questions from the workers' published results (started, ready,
// unhealthy) and stops a pod's workers when the pod is gone. Mirrors
// pkg/kubelet/prober/prober_manager.go (AddPod, RemovePod, UpdatePodStatus) with the results
// managers folded in; simplified: results are looked up on the workers, keyed by container id.

import type { Pod } from '../api/types.js'
import type { ContainerRuntime, ContainerStatus } from '../runtime/runtime.js'
import { containerProbes, type ProbeType } from './prober.js'
import { Worker, type PodView } from './prober-worker.js'

export interface ProberDeps {
  runtime: Pick<ContainerRuntime, 'exec'>
  /** An Unhealthy event about the container (reason, message). */
  unhealthy(pod: Pod, container: string, message: string): void
  /** A published result changed: the kubelet syncs the pod (status, or kill and restart). */
  changed(podUid: string, type: ProbeType): void
  /** First delay of the readiness probe of a container that is not Ready (default 25 ms). */
  fastProbeMs?: number
}

/** Per-container probe workers of every pod a kubelet runs; results by container id. */
export class ProbeManager {
  private readonly pods = new Map<string, PodView>()
  private readonly workers = new Map<string, Worker>()
  readonly fastMs: number

  constructor(readonly deps: ProberDeps) {
    this.fastMs = deps.fastProbeMs ?? 25
  }

  view(uid: string): PodView | undefined {
    return this.pods.get(uid)
  }

  /**
   * Called on every pod sync with what the runtime reports for the pod: starts workers for
   * the probes the spec declares, lets them see new containers, and triggers a readiness probe
   * of every running container that is not Ready.
   */
  sync(pod: Pod, containers: readonly ContainerStatus[], podIP: string | undefined): void {
    const uid = pod.metadata?.uid ?? ''
    const latest = new Map<string, ContainerStatus>()
    for (const c of containers) {
      const cur = latest.get(c.name)
      if (!cur || c.attempt > cur.attempt) latest.set(c.name, c)
    }
    this.pods.set(uid, { pod, podIP, latest })
    for (const spec of pod.spec?.containers ?? []) {
      for (const s of containerProbes(spec)) {
        const key = `${uid}/${spec.name}/${s.type}`
        let w = this.workers.get(key)
        if (!w) {
          w = new Worker(this, uid, spec.name, s)
          this.workers.set(key, w)
        }
        const c = latest.get(spec.name)
        if (c?.state !== 'running') continue
        // a new container, or (upstream's manual trigger) a readiness probe of one that is not Ready
        if (w.containerId !== c.id || (s.type === 'readiness' && w.published !== 'success')) w.trigger()
      }
    }
  }

  /** Stops the workers of a pod that is gone. */
  removePod(uid: string): void {
    this.pods.delete(uid)
    for (const [k, w] of this.workers) {
      if (w.podUid !== uid) continue
      w.stop()
      this.workers.delete(k)
    }
  }

  stop(): void {
    for (const w of this.workers.values()) w.stop()
    this.workers.clear()
    this.pods.clear()
  }

  private worker(uid: string, container: string, type: ProbeType): Worker | undefined {
    return this.workers.get(`${uid}/${container}/${type}`)
  }

  /** Whether a container has started: its startup probe succeeded, or it has none. */
  started(uid: string, container: string, id: string): boolean {
    const w = this.worker(uid, container, 'startup')
    if (!w) return true
    return w.containerId === id && w.published === 'success'
  }

  /** Ready as far as probes go: its readiness probe succeeded, or it has none (and it has started). */
  ready(uid: string, container: string, id: string): boolean {
    if (!this.started(uid, container, id)) return false
    const w = this.worker(uid, container, 'readiness')
    if (!w) return true
    return w.containerId === id && w.published === 'success'
  }

  /** The running containers of a pod whose liveness or startup probe failed: the kubelet kills them. */
  unhealthy(uid: string): Map<string, ProbeType> {
    const out = new Map<string, ProbeType>()
    for (const w of this.workers.values()) {
      if (w.podUid !== uid || !w.containerId) continue
      if ((w.settings.type === 'liveness' || w.settings.type === 'startup') && w.published === 'failure') out.set(w.containerId, w.settings.type)
    }
    return out
  }

  /** A worker's result changed (or it adopted a new container): tell the kubelet, wake dependants. */
  publish(w: Worker, notify: boolean): void {
    if (w.settings.type === 'startup' && w.published === 'success') {
      // started: liveness and readiness begin now
      this.worker(w.podUid, w.container, 'liveness')?.trigger()
      this.worker(w.podUid, w.container, 'readiness')?.trigger()
    }
    if (notify) this.deps.changed(w.podUid, w.settings.type)
  }
}
