// What a Job's pods say about it, and what the Job controller should do next: how many pods
// are active, ready, terminating, succeeded and failed; whether the Job has met its success
// criteria (completions reached) or its failure target (more failed pods than backoffLimit, or
// with restartPolicy OnFailure as many container restarts as backoffLimit; or running longer
// than activeDeadlineSeconds); how many pods it wants active (parallelism, no more than the
// completions left); and the conditions upstream 1.32 writes (SuccessCriteriaMet then Complete,
// FailureTarget then Failed, Suspended). Mirrors pkg/controller/job/job_controller.go
// (syncJob, manageJob, pastBackoffLimitOnFailure, pastActiveDeadline, newCondition). Pure.
// Simplifies: succeeded and failed are counted from the pods that exist (never decreasing
// below what the status already says), not through the job-tracking finalizer and
// uncountedTerminatedPods; NonIndexed completion only.

import { isPodReady, isPodTerminal } from '../../api/pods.js'
import type { Job, JobCondition, Pod } from '../../api/types.js'

export const REASON_BACKOFF_LIMIT = 'BackoffLimitExceeded'
export const REASON_DEADLINE = 'DeadlineExceeded'
export const REASON_COMPLETIONS = 'CompletionsReached'
export const MESSAGE_BACKOFF_LIMIT = 'Job has reached the specified backoff limit'
export const MESSAGE_DEADLINE = 'Job was active longer than specified deadline'
export const MESSAGE_COMPLETIONS = 'Reached expected number of succeeded pods'

export interface Counts {
  active: number
  ready: number
  terminating: number
  succeeded: number
  failed: number
}

export function countPods(job: Job, pods: readonly Pod[]): Counts {
  let active = 0
  let ready = 0
  let terminating = 0
  let succeeded = 0
  let failed = 0
  for (const p of pods) {
    if (p.status?.phase === 'Succeeded') succeeded++
    else if (p.status?.phase === 'Failed') failed++
    else if (p.metadata?.deletionTimestamp) terminating++
    else {
      active++
      if (isPodReady(p)) ready++
    }
  }
  return {
    active,
    ready,
    terminating,
    succeeded: Math.max(succeeded, job.status?.succeeded ?? 0),
    failed: Math.max(failed, job.status?.failed ?? 0),
  }
}

export function hasCondition(job: Job, type: string): boolean {
  return (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True')
}

/** Complete or Failed (upstream IsJobFinished). */
export function isJobFinished(job: Job): boolean {
  return hasCondition(job, 'Complete') || hasCondition(job, 'Failed')
}

/** With restartPolicy OnFailure, failures are container restarts of the active pods (pastBackoffLimitOnFailure). */
export function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false
  let restarts = 0
  for (const p of pods) {
    if (isPodTerminal(p) || p.metadata?.deletionTimestamp) continue
    for (const c of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += c.restartCount ?? 0
  }
  const limit = job.spec?.backoffLimit ?? 6
  return limit === 0 ? restarts > 0 : restarts >= limit
}

/** Whether the Job has been active at least activeDeadlineSeconds (pastActiveDeadline). */
export function pastActiveDeadline(job: Job, now: number): boolean {
  const deadline = job.spec?.activeDeadlineSeconds
  const start = Date.parse(String(job.status?.startTime ?? ''))
  if (deadline === undefined || deadline === null || Number.isNaN(start)) return false
  return now - start >= deadline * 1000
}

/** ms until activeDeadlineSeconds runs out (undefined: no deadline or no start yet). */
export function untilDeadline(job: Job, now: number): number | undefined {
  const deadline = job.spec?.activeDeadlineSeconds
  const start = Date.parse(String(job.status?.startTime ?? ''))
  if (deadline === undefined || deadline === null || Number.isNaN(start)) return undefined
  return Math.max(0, start + deadline * 1000 - now)
}

export type Verdict = { outcome: 'running' } | { outcome: 'failed'; reason: string; message: string } | { outcome: 'succeeded' }

/** Failure first (as syncJob checks it first), then success. */
export function verdict(job: Job, pods: readonly Pod[], counts: Counts, now: number): Verdict {
  if (hasCondition(job, 'FailureTarget')) {
    const c = job.status!.conditions!.find((x) => x.type === 'FailureTarget')!
    return { outcome: 'failed', reason: c.reason ?? REASON_BACKOFF_LIMIT, message: c.message ?? MESSAGE_BACKOFF_LIMIT }
  }
  if (hasCondition(job, 'SuccessCriteriaMet')) return { outcome: 'succeeded' }
  const backoffLimit = job.spec?.backoffLimit ?? 6
  if (counts.failed > backoffLimit || pastBackoffLimitOnFailure(job, pods))
    return { outcome: 'failed', reason: REASON_BACKOFF_LIMIT, message: MESSAGE_BACKOFF_LIMIT }
  if (pastActiveDeadline(job, now)) return { outcome: 'failed', reason: REASON_DEADLINE, message: MESSAGE_DEADLINE }
  const completions = job.spec?.completions
  if (completions === undefined || completions === null) {
    // any success means the work is done once nothing else runs
    if (counts.succeeded > 0 && counts.active === 0) return { outcome: 'succeeded' }
  } else if (counts.succeeded >= completions) return { outcome: 'succeeded' }
  return { outcome: 'running' }
}

/** How many pods the Job wants active now (manageJob's wantActive). */
export function wantActive(job: Job, counts: Counts): number {
  if (job.spec?.suspend) return 0
  const parallelism = job.spec?.parallelism ?? 1
  const completions = job.spec?.completions
  if (completions === undefined || completions === null) {
    // once one pod succeeded no new ones start
    return counts.succeeded > 0 ? Math.min(counts.active, parallelism) : parallelism
  }
  return Math.max(0, Math.min(parallelism, completions - counts.succeeded))
}

export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export function newCondition(type: string, status: 'True' | 'False', reason: string, message: string, now: number): JobCondition {
  const t = timestamp(now)
  return { type, status, reason, message, lastProbeTime: t, lastTransitionTime: t } as JobCondition
}

/** Sets a condition, keeping the old one (and its times) when type, status, reason and message are the same. */
export function setCondition(conditions: readonly JobCondition[] | undefined, cond: JobCondition): JobCondition[] {
  const list = [...(conditions ?? [])]
  const i = list.findIndex((c) => c.type === cond.type)
  if (i < 0) return [...list, cond]
  const old = list[i]!
  if (old.status === cond.status && old.reason === cond.reason && old.message === cond.message) return list
  list[i] = cond
  return list
}
