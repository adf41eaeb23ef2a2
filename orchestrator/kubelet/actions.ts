// What the kubelet must do to bring one pod's containers in line with its spec, decided from
// the spec and what the runtime reports (a pure function, so it is table-tested). Mirrors
// kuberuntime's computePodActions: start what is missing, restart what exited according to
// restartPolicy (the first restart at once, later ones after the CrashLoopBackOff window),
// replace a container whose image changed, and garbage-collect dead containers beyond the
// last one per name (kept for lastState and logs).
// A running container whose liveness or startup probe failed is killed and, unless
// restartPolicy is Never, started again as a new container (attempt + 1).
// Simplifies: no init or ephemeral containers, no sandbox; a container counts as "changed"
// only when its image differs.

import type { Pod, Container } from '../api/types.js'
import type { ContainerStatus } from '../runtime/runtime.js'
import type { BackOff } from './backoff.js'
import type { ProbeType } from './prober.js'

export interface StartAction {
  container: Container
  attempt: number
  /** Set when this start restarts an exited container: the back-off key and that exit's time. */
  restart?: { key: string; finishedAt: number }
}

export interface PodActions {
  start: StartAction[]
  /** Running containers to stop (spec changed, a liveness or startup probe failed), with the event message. */
  kill: { id: string; name: string; message: string; probe?: ProbeType }[]
  /** Dead containers to remove. */
  remove: string[]
  /** Containers that must wait, with the reason the status shows, and when to look again. */
  wait: { name: string; reason: string; message: string; retryAfterMs: number }[]
}

/** Containers of one name, newest attempt first. */
export function attemptsOf(containers: readonly ContainerStatus[], name: string): ContainerStatus[] {
  return containers.filter((c) => c.name === name).sort((a, b) => b.attempt - a.attempt || Date.parse(b.createdAt) - Date.parse(a.createdAt))
}

export function restartKey(pod: Pod, name: string): string {
  return `${pod.metadata?.uid ?? ''}/${name}`
}

export function shouldRestart(pod: Pod, exitCode: number | undefined): boolean {
  const policy = pod.spec?.restartPolicy ?? 'Always'
  if (policy === 'Always') return true
  if (policy === 'OnFailure') return (exitCode ?? 0) !== 0
  return false
}

/**
 * `unhealthy` names running containers (by id) whose liveness or startup probe failed: they are
 * killed, and restarted at once unless restartPolicy is Never (upstream: "Container app failed
 * liveness probe, will be restarted").
 */
export function computePodActions(
  pod: Pod,
  containers: readonly ContainerStatus[],
  restarts: BackOff,
  unhealthy: ReadonlyMap<string, ProbeType> = new Map(),
): PodActions {
  const actions: PodActions = { start: [], kill: [], remove: [], wait: [] }
  const specNames = new Set<string>()
  for (const c of pod.spec?.containers ?? []) {
    specNames.add(c.name)
    const [latest, previous, ...older] = attemptsOf(containers, c.name)
    for (const dead of older) if (dead.state !== 'running') actions.remove.push(dead.id)
    if (previous && previous.state === 'created') actions.remove.push(previous.id)
    if (!latest) {
      actions.start.push({ container: c, attempt: 0 })
      continue
    }
    switch (latest.state) {
      case 'running': {
        const failed = unhealthy.get(latest.id)
        if (latest.image !== c.image) {
          actions.kill.push({ id: latest.id, name: c.name, message: `Container ${c.name} definition changed, will be restarted` })
          actions.start.push({ container: c, attempt: latest.attempt + 1 })
        } else if (failed) {
          const restart = (pod.spec?.restartPolicy ?? 'Always') !== 'Never'
          actions.kill.push({
            id: latest.id,
            name: c.name,
            message: `Container ${c.name} failed ${failed} probe${restart ? ', will be restarted' : ''}`,
            probe: failed,
          })
          if (restart) {
            if (previous && previous.state !== 'running') actions.remove.push(previous.id)
            actions.start.push({ container: c, attempt: latest.attempt + 1 })
          }
        }
        break
      }
      case 'created':
      case 'unknown':
        // created but never started (the kubelet stopped in between): start afresh
        actions.remove.push(latest.id)
        actions.start.push({ container: c, attempt: latest.attempt })
        break
      case 'exited': {
        if (!shouldRestart(pod, latest.exitCode)) break
        const key = restartKey(pod, c.name)
        const finishedAt = latest.finishedAt ? Date.parse(latest.finishedAt) : 0
        const remaining = restarts.remainingMs(key, finishedAt)
        if (remaining > 0) {
          const m = pod.metadata ?? {}
          actions.wait.push({
            name: c.name,
            reason: 'CrashLoopBackOff',
            message: `back-off ${Math.round(restarts.windowMs(key) / 1000)}s restarting failed container=${c.name} pod=${m.name}_${m.namespace}(${m.uid})`,
            retryAfterMs: remaining,
          })
        } else {
          if (previous && previous.state !== 'running') actions.remove.push(previous.id)
          actions.start.push({ container: c, attempt: latest.attempt + 1, restart: { key, finishedAt } })
        }
        break
      }
    }
  }
  // containers of names the spec does not have (cannot happen for an unchanged pod, but a
  // runtime may hold leftovers): stop and remove them
  for (const c of containers) {
    if (specNames.has(c.name)) continue
    if (c.state === 'running') actions.kill.push({ id: c.id, name: c.name, message: `Container ${c.name} is not in the pod's spec` })
    actions.remove.push(c.id)
  }
  return actions
}
