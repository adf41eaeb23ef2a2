// What steps read about Jobs and CronJobs through the API, as on any cluster: the pods of a Job
// (the `batch.kubernetes.io/job-name` label upstream's Job controller puts on them), how many
// of them were active at once over a watch of the pods, and the Jobs a CronJob owns.

import type { V1Pod } from '@kubernetes/client-node'

export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name'

export function jobSelector(job: string): string {
  return `${JOB_NAME_LABEL}=${job}`
}

function isActive(p: V1Pod): boolean {
  const phase = p.status?.phase
  return phase !== 'Succeeded' && phase !== 'Failed' && !p.metadata?.deletionTimestamp
}

/**
 * The most pods of the Job that were active (neither finished nor being deleted) at the same
 * time, replaying the watch events in the order they were delivered.
 */
export function maxActiveAtOnce(timeline: readonly { type: string; pod: V1Pod }[], job: string): number {
  const active = new Set<string>()
  let most = 0
  for (const { type, pod } of timeline) {
    if (pod.metadata?.labels?.[JOB_NAME_LABEL] !== job) continue
    const uid = pod.metadata?.uid ?? ''
    if (type !== 'DELETED' && isActive(pod)) active.add(uid)
    else active.delete(uid)
    most = Math.max(most, active.size)
  }
  return most
}

/** Every pod of the Job the watch saw, by uid, in its last state. */
export function podsSeen(timeline: readonly { type: string; pod: V1Pod }[], job: string): Map<string, V1Pod> {
  const seen = new Map<string, V1Pod>()
  for (const { pod } of timeline) if (pod.metadata?.labels?.[JOB_NAME_LABEL] === job) seen.set(pod.metadata?.uid ?? '', pod)
  return seen
}
