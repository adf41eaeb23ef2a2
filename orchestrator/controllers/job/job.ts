// The Job controller: runs a Job's pods to completion. It claims the pods its selector matches
// (adopting orphans, releasing pods that stopped matching), keeps up to `parallelism` pods
// active but no more than the completions still missing, creates a failed pod's replacement
// only after the failure back-off (10 s doubling, capped; backoff.ts), and decides the Job's
// outcome (progress.ts): more failed pods than backoffLimit (or as many container restarts
// with restartPolicy OnFailure) or a run past activeDeadlineSeconds fail it, reaching its
// completions completes it. A finishing Job first gets FailureTarget / SuccessCriteriaMet, its
// remaining pods are deleted, and once none runs it gets Failed / Complete (with
// completionTime), as 1.32 writes them. status: active, ready, terminating, succeeded, failed,
// startTime, completionTime, conditions. Suspending deletes the active pods (Suspended).
// Mirrors pkg/controller/job/job_controller.go. Events: SuccessfulCreate, FailedCreate,
// SuccessfulDelete, Completed, BackoffLimitExceeded, DeadlineExceeded, Suspended, Resumed
// (component job-controller).
// Simplifies: NonIndexed completion only; no podFailurePolicy, successPolicy,
// backoffLimitPerIndex or job-tracking finalizer (see progress.ts); no 1 s sync batching.

import { ApiError } from '../../api/errors.js'
import { objectKey, type KObject } from '../../api/meta.js'
import { controllerOf, newControllerRef } from '../../api/pods.js'
import { lookupResource } from '../../api/resources.js'
import { fromLabelSelector } from '../../api/selectors.js'
import type { Job, JobStatus, Pod } from '../../api/types.js'
import { refFor, type ReadWriter } from '../../client/client.js'
import type { EventRecorder } from '../../client/events.js'
import { byNamespace, type Informer } from '../../client/informer.js'
import { claim } from '../claim.js'
import { Controller, type ControllerContext, type ReconcileResult, type Reconciler } from '../controller.js'
import { Expectations } from '../expectations.js'
import { backoffRecord, DEFAULT_POD_FAILURE_BACKOFF_MS, MAX_POD_FAILURE_BACKOFF_MS, remainingBackoff } from './backoff.js'
import {
  countPods,
  type Counts,
  hasCondition,
  isJobFinished,
  MESSAGE_COMPLETIONS,
  newCondition,
  REASON_COMPLETIONS,
  setCondition,
  timestamp,
  untilDeadline,
  verdict,
  wantActive,
} from './progress.js'

const PODS = lookupResource('', 'pods')!
const JOBS = lookupResource('batch', 'jobs')!

/** Upstream MaxPodCreateDeletePerSync. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500

/**
 * Runs `n` creations in batches of 1, 2, 4, ... and stops after the first batch with a failure,
 * as upstream's manageJob does (the same slow start as the ReplicaSet controller's, which a
 * controller may not import). Answers how many succeeded and the first error.
 */
async function slowStartBatch(n: number, fn: () => Promise<void>): Promise<{ created: number; error?: Error }> {
  let done = 0
  for (let batch = Math.min(1, n); done < n; batch = Math.min(2 * batch, n - done)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, fn))
    done += results.filter((r) => r.status === 'fulfilled').length
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) return { created: done, error: failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason)) }
  }
  return { created: done }
}

export class JobController implements Reconciler {
  readonly name = 'job-controller'
  private readonly client: ReadWriter
  private readonly recorder: EventRecorder
  private readonly jobInformer: Informer<Job>
  private readonly podInformer: Informer<Pod>
  private readonly controller: Controller
  private readonly backoffBaseMs: number
  private readonly backoffMaxMs: number
  readonly expectations = new Expectations()

  constructor(
    ctx: ControllerContext,
    private readonly now: () => number = Date.now,
  ) {
    this.client = ctx.client
    this.recorder = ctx.recorder('job-controller')
    this.backoffBaseMs = ctx.config.job?.podFailureBackOffMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS
    this.backoffMaxMs = ctx.config.job?.podFailureBackOffMaxMs ?? MAX_POD_FAILURE_BACKOFF_MS
    this.jobInformer = ctx.informers.informer<Job>(JOBS)
    this.podInformer = ctx.informers.informer<Pod>(PODS)
    this.jobInformer.addIndexer('namespace', byNamespace)
    this.podInformer.addIndexer('namespace', byNamespace)
    this.controller = new Controller(this, { workers: ctx.config.concurrentJobSyncs ?? 5 })
    this.jobInformer.on({
      add: (j) => this.controller.enqueue(objectKey(j)),
      update: (_old, j) => this.controller.enqueue(objectKey(j)),
      delete: (j) => {
        this.expectations.delete(objectKey(j))
        this.controller.enqueue(objectKey(j))
      },
    })
    this.podInformer.on({ add: (p) => this.podAdded(p), update: (o, p) => this.podUpdated(o, p), delete: (p) => this.podDeleted(p) })
  }

  async start(): Promise<void> {
    this.controller.start()
  }

  async stop(): Promise<void> {
    await this.controller.stop()
  }

  // -------------------------------------------------------------------------------------------
  // pod events -> the Job keys to reconcile

  private ownerKey(p: Pod): string | undefined {
    const ref = controllerOf(p)
    if (!ref || ref.kind !== 'Job') return undefined
    const key = `${p.metadata?.namespace}/${ref.name}`
    const job = this.jobInformer.get(key)
    return job && job.metadata?.uid === ref.uid ? key : undefined
  }

  private matching(p: Pod): string[] {
    return this.jobInformer
      .byIndex('namespace', p.metadata?.namespace ?? '')
      .filter((j) => fromLabelSelector(j.spec?.selector).matches(p.metadata?.labels))
      .map(objectKey)
  }

  private podAdded(p: Pod): void {
    const owner = this.ownerKey(p)
    if (owner) {
      this.expectations.creationObserved(owner)
      this.controller.enqueue(owner)
    } else if (!controllerOf(p)) for (const k of this.matching(p)) this.controller.enqueue(k)
  }

  private podUpdated(old: Pod, p: Pod): void {
    const owner = this.ownerKey(p)
    if (owner && p.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) this.expectations.deletionObserved(owner, objectKey(p))
    const before = this.ownerKey(old)
    if (before && before !== owner) this.controller.enqueue(before)
    if (owner) this.controller.enqueue(owner)
    else if (!controllerOf(p)) for (const k of this.matching(p)) this.controller.enqueue(k)
  }

  private podDeleted(p: Pod): void {
    const owner = this.ownerKey(p)
    if (!owner) return
    this.expectations.deletionObserved(owner, objectKey(p))
    this.controller.enqueue(owner)
  }

  // -------------------------------------------------------------------------------------------

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const job = this.jobInformer.get(key)
    if (!job) {
      this.expectations.delete(key)
      return
    }
    if (isJobFinished(job) || job.metadata?.deletionTimestamp) return
    const needsSync = this.expectations.satisfied(key)
    const pods = await claim(
      this.client,
      {
        owner: job,
        ownerRef: newControllerRef(job, 'batch/v1', 'Job'),
        selector: fromLabelSelector(job.spec?.selector),
        refOf: (o) => refFor(PODS, o.metadata?.namespace, o.metadata?.name),
        fresh: () => this.client.get(refFor(JOBS, job.metadata?.namespace, job.metadata?.name)).catch(() => undefined),
      },
      this.podInformer.byIndex('namespace', job.metadata?.namespace ?? ''),
    )
    const now = this.now()
    const counts = countPods(job, pods)
    const status: JobStatus = structuredClone(job.status ?? {})
    const suspended = job.spec?.suspend === true
    if (!status.startTime && !suspended) status.startTime = timestamp(now)
    const view: Job = { ...job, status }
    const active = pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
    const v = verdict(view, pods, counts, now)
    let requeueAfterMs: number | undefined
    let manageError: Error | undefined

    if (v.outcome !== 'running') {
      // finishing: the interim condition first, the remaining pods go, then the final one
      const interim = v.outcome === 'failed' ? 'FailureTarget' : 'SuccessCriteriaMet'
      const reason = v.outcome === 'failed' ? v.reason : REASON_COMPLETIONS
      const message = v.outcome === 'failed' ? v.message : MESSAGE_COMPLETIONS
      status.conditions = setCondition(status.conditions, newCondition(interim, 'True', reason, message, now))
      if (active.length) await this.deletePods(key, job, active)
      counts.terminating += active.length
      counts.active = 0
      counts.ready = 0
      if (counts.terminating === 0) {
        const final = v.outcome === 'failed' ? 'Failed' : 'Complete'
        status.conditions = setCondition(status.conditions, newCondition(final, 'True', reason, message, now))
        if (v.outcome === 'succeeded') {
          status.completionTime = timestamp(now)
          this.recorder.event(job, 'Normal', 'Completed', 'Job completed')
        } else this.recorder.event(job, 'Warning', reason, message)
      }
    } else if (suspended) {
      if (active.length) await this.deletePods(key, job, active)
      counts.terminating += active.length
      counts.active = 0
      counts.ready = 0
      if (!hasCondition(view, 'Suspended')) {
        status.conditions = setCondition(status.conditions, newCondition('Suspended', 'True', 'JobSuspended', 'Job suspended', now))
        delete status.startTime
        this.recorder.event(job, 'Normal', 'Suspended', 'Job suspended')
      }
    } else {
      if (hasCondition(view, 'Suspended')) {
        status.conditions = setCondition(status.conditions, newCondition('Suspended', 'False', 'JobResumed', 'Job resumed', now))
        this.recorder.event(job, 'Normal', 'Resumed', 'Job resumed')
      }
      if (needsSync) {
        try {
          requeueAfterMs = await this.manageJob(key, job, counts, active, pods, now)
        } catch (e) {
          manageError = e instanceof Error ? e : new Error(String(e))
        }
      }
      const deadline = untilDeadline(view, now)
      if (deadline !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? deadline, deadline)
    }
    // active, succeeded and failed are omitempty upstream; ready and terminating are pointers
    for (const f of ['active', 'succeeded', 'failed'] as const) {
      if (counts[f]) status[f] = counts[f]
      else delete status[f]
    }
    status.ready = counts.ready
    status.terminating = counts.terminating
    await this.updateStatus(job, status)
    if (manageError) throw manageError
    if (requeueAfterMs !== undefined) return { requeueAfterMs }
  }

  /** Creates or deletes pods towards wantActive; answers when to look again for a pending back-off. */
  private async manageJob(key: string, job: Job, counts: Counts, active: Pod[], pods: Pod[], now: number): Promise<number | undefined> {
    const want = wantActive(job, counts)
    if (counts.active > want) {
      // the newest go first
      const surplus = [...active]
        .sort((a, b) => Date.parse(b.metadata?.creationTimestamp ?? '') - Date.parse(a.metadata?.creationTimestamp ?? ''))
        .slice(0, Math.min(counts.active - want, MAX_POD_CREATE_DELETE_PER_SYNC))
      await this.deletePods(key, job, surplus)
      counts.active -= surplus.length
      return undefined
    }
    if (counts.active === want) return undefined
    const wait = remainingBackoff(backoffRecord(pods), now, this.backoffBaseMs, this.backoffMaxMs)
    if (wait > 0) return wait
    const n = Math.min(want - counts.active, MAX_POD_CREATE_DELETE_PER_SYNC)
    this.expectations.expectCreations(key, n)
    const { created, error } = await slowStartBatch(n, () => this.createPod(job))
    for (let i = created; i < n; i++) this.expectations.creationObserved(key)
    counts.active += created
    if (error) throw error
    return undefined
  }

  private async createPod(job: Job): Promise<void> {
    const template = job.spec?.template ?? {}
    const metadata: KObject['metadata'] = {
      generateName: `${job.metadata?.name}-`,
      namespace: job.metadata?.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      ownerReferences: [newControllerRef(job, 'batch/v1', 'Job')],
    }
    if (template.metadata?.annotations) metadata!.annotations = { ...template.metadata.annotations }
    const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(template.spec ?? {}) }
    try {
      const created = await this.client.create(refFor(PODS, job.metadata?.namespace), pod)
      this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`)
    } catch (e) {
      this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${e instanceof Error ? e.message : String(e)}`)
      throw e
    }
  }

  private async deletePods(key: string, job: Job, victims: Pod[]): Promise<void> {
    this.expectations.expectDeletions(key, victims.map(objectKey))
    await Promise.all(
      victims.map(async (p) => {
        try {
          await this.client.delete(refFor(PODS, p.metadata?.namespace, p.metadata?.name))
          this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name}`)
        } catch (e) {
          this.expectations.deletionObserved(key, objectKey(p))
          if (e instanceof ApiError && e.code === 404) return
          this.recorder.event(job, 'Warning', 'FailedDelete', `Error deleting: ${e instanceof Error ? e.message : String(e)}`)
          throw e
        }
      }),
    )
  }

  private async updateStatus(job: Job, status: JobStatus): Promise<void> {
    if (JSON.stringify(job.status ?? {}) === JSON.stringify(status)) return
    let current: Job = job
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.update(refFor(JOBS, job.metadata?.namespace, job.metadata?.name, 'status'), { ...current, status })
        return
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) return
        if (!(e instanceof ApiError && e.code === 409) || attempt >= 1) throw e
        current = await this.client.get<Job>(refFor(JOBS, job.metadata?.namespace, job.metadata?.name))
      }
    }
  }
}
