// The Job controller's back-off for failed pods: after a pod of a Job fails, its replacement is
// created only after a delay that starts at 10 s and doubles with each further failure since the
// Job's last success, capped at 10 min. Mirrors pkg/controller/job/backoff_utils.go
// (backoffRecord: failuresAfterLastSuccess, lastFailureTime; getRemainingTime) and the
// constants DefaultJobPodFailureBackOff / MaxJobPodFailureBackOff of job_controller.go (the
// Job docs say "capped at six minutes"; the code says 10 min, and that is what runs).
// Pure: the controller passes the pods and the clock.
// Simplifies: the record is recomputed from the pods the controller sees, not kept in a store.

import type { Pod } from '../../api/types.js'

/** DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000

export interface BackoffRecord {
  /** Failed pods that finished after the last pod that succeeded. */
  failuresAfterLastSuccess: number
  /** When the last of them finished (ms), if any. */
  lastFailureTime?: number
}

/** When a terminal pod finished: its containers' latest finishedAt, else its last condition change. */
export function finishTime(p: Pod): number | undefined {
  let latest: number | undefined
  for (const c of p.status?.containerStatuses ?? []) {
    const t = Date.parse(String(c.state?.terminated?.finishedAt ?? ''))
    if (!Number.isNaN(t) && (latest === undefined || t > latest)) latest = t
  }
  if (latest !== undefined) return latest
  for (const c of p.status?.conditions ?? []) {
    const t = Date.parse(String(c.lastTransitionTime ?? ''))
    if (!Number.isNaN(t) && (latest === undefined || t > latest)) latest = t
  }
  return latest
}

/** The back-off record of a Job from its terminal pods (phase Succeeded or Failed). */
export function backoffRecord(pods: readonly Pod[]): BackoffRecord {
  const finished = pods
    .filter((p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed')
    .map((p) => ({ phase: p.status!.phase, at: finishTime(p) ?? 0 }))
    .sort((a, b) => a.at - b.at)
  let failures = 0
  let last: number | undefined
  for (const f of finished) {
    if (f.phase === 'Succeeded') {
      failures = 0
      last = undefined
    } else {
      failures++
      last = f.at
    }
  }
  return last === undefined ? { failuresAfterLastSuccess: failures } : { failuresAfterLastSuccess: failures, lastFailureTime: last }
}

/** The delay after `failures` failures in a row: base * 2^(failures-1), capped; 0 without failures. */
export function backoffDelay(failures: number, baseMs = DEFAULT_POD_FAILURE_BACKOFF_MS, maxMs = MAX_POD_FAILURE_BACKOFF_MS): number {
  if (failures <= 0) return 0
  // 2^(failures-1) overflows long before a Job has that many failures: cap the exponent
  const delay = baseMs * 2 ** Math.min(failures - 1, 40)
  return Math.min(delay, maxMs)
}

/** How long from `now` until a replacement pod may be created (0: now). */
export function remainingBackoff(record: BackoffRecord, now: number, baseMs?: number, maxMs?: number): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0
  const delay = backoffDelay(record.failuresAfterLastSuccess, baseMs, maxMs)
  const elapsed = now - record.lastFailureTime
  return elapsed >= delay ? 0 : delay - elapsed
}
