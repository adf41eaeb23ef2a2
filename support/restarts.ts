// A container's restart history, pieced together from the versions of a pod that a watch saw:
// every container the pod ran in (by containerID), when it started and finished (from
// state.running, state.terminated and lastState.terminated), in order, and how long the
// kubelet waited between one container's end and the next one's start (the CrashLoopBackOff).

import type { V1Pod } from '@kubernetes/client-node'

export interface Attempt {
  containerID: string
  startedAt: string
  finishedAt?: string
  /** Milliseconds between the previous attempt's end and this one's start (0 for the first). */
  waitedMs: number
}

type Stamp = Date | string | undefined

const iso = (t: Stamp): string | undefined => (t === undefined || t === null ? undefined : t instanceof Date ? t.toISOString() : String(t))

/** The attempts of a pod's first container, oldest first. */
export function restartTimeline(versions: readonly V1Pod[], container?: string): Attempt[] {
  const byId = new Map<string, { startedAt?: string; finishedAt?: string }>()
  const note = (id: string | undefined, startedAt: Stamp, finishedAt?: Stamp): void => {
    if (!id) return
    const e = byId.get(id) ?? {}
    e.startedAt ??= iso(startedAt)
    e.finishedAt ??= iso(finishedAt)
    byId.set(id, e)
  }
  for (const p of versions) {
    const cs = (p.status?.containerStatuses ?? []).find((c) => (container ? c.name === container : true))
    if (!cs) continue
    if (cs.state?.running) note(cs.containerID, cs.state.running.startedAt)
    const t = cs.state?.terminated
    if (t) note(t.containerID ?? cs.containerID, t.startedAt, t.finishedAt)
    const l = cs.lastState?.terminated
    if (l) note(l.containerID, l.startedAt, l.finishedAt)
  }
  const attempts = [...byId.entries()]
    .filter(([, e]) => e.startedAt)
    .map(([containerID, e]) => ({ containerID, startedAt: e.startedAt!, finishedAt: e.finishedAt, waitedMs: 0 }))
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))
  for (let i = 1; i < attempts.length; i++) {
    const prev = attempts[i - 1]!
    attempts[i]!.waitedMs = prev.finishedAt ? Date.parse(attempts[i]!.startedAt) - Date.parse(prev.finishedAt) : NaN
  }
  return attempts
}
