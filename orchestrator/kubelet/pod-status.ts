// The pod status a kubelet reports, generated from the pod and what the runtime says about its
// containers (a pure function, table-tested): phase, conditions (PodReadyToStartContainers,
// Initialized, Ready, ContainersReady; PodScheduled is the scheduler's and kept), pod and host
// IPs, startTime, qosClass and one containerStatus per container (state, lastState, ready,
// restartCount, image, imageID, containerID, started). Mirrors the kubelet's
// generateAPIPodStatus and getPhase (pkg/kubelet/kubelet_pods.go).
// A running container is ready when its readiness probe succeeded (or it has none) and started
// when its startup probe did (or it has none); the prober decides, this only reports.
// Simplifies: no init containers.

import { withCondition } from '../api/pods.js'
import type { ContainerStatus as ApiContainerStatus, Pod, PodCondition, PodStatus } from '../api/types.js'
import type { ContainerStatus } from '../runtime/runtime.js'
import { attemptsOf } from './actions.js'

export interface StatusInput {
  pod: Pod
  /** What the runtime reports for this pod's containers. */
  containers: readonly ContainerStatus[]
  /** Containers the kubelet knows must wait, with why (ErrImagePull, CrashLoopBackOff, ...). */
  waiting: ReadonlyMap<string, { reason: string; message: string }>
  podIP?: string
  hostIP: string
  /** Scheme of containerIDs (`sim`, `docker`). */
  scheme: string
  /** The pod is finished for good (deleted and its containers stopped): the phase is final. */
  terminal?: boolean
  /** RFC 3339, for new condition transitions and startTime. */
  now: string
  /**
   * What the probes say about a running container (by name and id): ready (readiness probe
   * succeeded, or none) and started (startup probe succeeded, or none). Without it, a running
   * container is ready and started, as upstream without probes.
   */
  probes?: { ready(name: string, id: string): boolean; started(name: string, id: string): boolean }
}

function terminatedState(c: ContainerStatus, scheme: string): Record<string, unknown> {
  const t: Record<string, unknown> = {
    exitCode: c.exitCode ?? 0,
    reason: c.reason ?? ((c.exitCode ?? 0) === 0 ? 'Completed' : 'Error'),
    startedAt: c.startedAt ?? null,
    finishedAt: c.finishedAt ?? null,
    containerID: `${scheme}://${c.id}`,
  }
  if (c.message) t.message = c.message
  return { terminated: t }
}

export function containerStatuses(input: StatusInput): ApiContainerStatus[] {
  const out: ApiContainerStatus[] = []
  for (const spec of input.pod.spec?.containers ?? []) {
    const [latest, previous] = attemptsOf(input.containers, spec.name)
    const waiting = input.waiting.get(spec.name)
    let state: Record<string, unknown>
    let lastState: Record<string, unknown> = {}
    if (waiting) {
      state = { waiting: { reason: waiting.reason, message: waiting.message } }
      const last = latest?.state === 'exited' ? latest : previous?.state === 'exited' ? previous : undefined
      if (last) lastState = terminatedState(last, input.scheme)
    } else if (latest?.state === 'running') {
      state = { running: { startedAt: latest.startedAt ?? input.now } }
      if (previous?.state === 'exited') lastState = terminatedState(previous, input.scheme)
    } else if (latest?.state === 'exited') {
      state = terminatedState(latest, input.scheme)
      if (previous?.state === 'exited') lastState = terminatedState(previous, input.scheme)
    } else {
      state = { waiting: { reason: 'ContainerCreating' } }
    }
    const running = latest?.state === 'running' && !waiting
    const s: ApiContainerStatus = {
      name: spec.name,
      state,
      lastState,
      ready: running && latest !== undefined && (input.probes?.ready(spec.name, latest.id) ?? true),
      restartCount: latest?.attempt ?? 0,
      image: spec.image ?? '',
      imageID: latest?.imageId ?? '',
      started: running && latest !== undefined && (input.probes?.started(spec.name, latest.id) ?? true),
    }
    if (latest) s.containerID = `${input.scheme}://${latest.id}`
    out.push(s)
  }
  return out
}

/** Upstream getPhase, without init containers. */
export function podPhase(pod: Pod, statuses: readonly ApiContainerStatus[], terminal: boolean): PodStatus['phase'] {
  let running = 0
  let waiting = 0
  let stopped = 0
  let succeeded = 0
  let unknown = 0
  for (const spec of pod.spec?.containers ?? []) {
    const st = statuses.find((s) => s.name === spec.name)
    if (!st) unknown++
    else if (st.state?.running) running++
    else if (st.state?.terminated) {
      stopped++
      if (st.state.terminated.exitCode === 0) succeeded++
    } else if (st.state?.waiting) {
      if (st.lastState?.terminated) stopped++
      else waiting++
    } else unknown++
  }
  if (waiting > 0) return 'Pending'
  if (running > 0 && unknown === 0) {
    // a pod being torn down whose containers are still up keeps running until they stop
    return 'Running'
  }
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (terminal) return stopped === succeeded ? 'Succeeded' : 'Failed'
    switch (pod.spec?.restartPolicy ?? 'Always') {
      case 'Always':
        return 'Running'
      case 'OnFailure':
        return stopped === succeeded ? 'Succeeded' : 'Running'
      default:
        return stopped === succeeded ? 'Succeeded' : 'Failed'
    }
  }
  return 'Pending'
}

/** The pod conditions the kubelet owns. */
export const KUBELET_CONDITIONS = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady'])

export function generatePodStatus(input: StatusInput): PodStatus {
  const { pod, now } = input
  const statuses = containerStatuses(input)
  const phase = podPhase(pod, statuses, input.terminal === true)
  const finished = phase === 'Succeeded' || phase === 'Failed'
  const unready = statuses.filter((s) => !s.ready).map((s) => s.name)
  const existing = pod.status?.conditions ?? []
  let conditions: PodCondition[] = []
  const set = (c: PodCondition): void => {
    const prior = existing.find((e) => e.type === c.type)
    conditions.push(withCondition(prior ? [prior] : [], c).conditions[0]!)
  }
  const cond = (type: string, ok: boolean, reason?: string, message?: string): PodCondition => {
    const c: PodCondition = { type, status: ok ? 'True' : 'False', lastProbeTime: null as unknown as string, lastTransitionTime: now }
    if (!ok && reason) c.reason = reason
    if (!ok && message) c.message = message
    return c
  }
  set(cond('PodReadyToStartContainers', Boolean(input.podIP) && !finished))
  set(cond('Initialized', true))
  const readyReason = finished ? 'PodCompleted' : 'ContainersNotReady'
  const readyMessage = finished ? undefined : `containers with unready status: [${unready.join(' ')}]`
  set(cond('Ready', !finished && unready.length === 0, readyReason, readyMessage))
  set(cond('ContainersReady', !finished && unready.length === 0, readyReason, readyMessage))
  // conditions other writers own (PodScheduled from the scheduler, DisruptionTarget, ...) stay
  for (const c of existing) if (!KUBELET_CONDITIONS.has(c.type)) conditions.push(c)
  conditions = conditions.map((c) => ({ ...c }))
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: pod.status?.startTime ?? now,
    containerStatuses: statuses,
  }
  if (input.podIP) {
    status.podIP = input.podIP
    status.podIPs = [{ ip: input.podIP }]
  }
  if (pod.status?.qosClass) status.qosClass = pod.status.qosClass
  return status
}
