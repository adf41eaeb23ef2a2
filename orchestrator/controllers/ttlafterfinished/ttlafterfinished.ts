// The TTL-after-finished controller: deletes a finished Job (Complete or Failed) once
// spec.ttlSecondsAfterFinished has passed since it finished, with Foreground propagation so
// its pods go first, and a uid precondition so a new Job of the same name is never hit.
// Mirrors pkg/controller/ttlafterfinished/ttlafterfinished_controller.go (processJob,
// processTTL, jobFinishTime: the Complete / Failed condition's lastTransitionTime).
// Simplifies: the cached Job is trusted (upstream re-reads it from the API server before deleting).

import { ApiError } from '../../api/errors.js'
import { objectKey } from '../../api/meta.js'
import { lookupResource } from '../../api/resources.js'
import type { Job } from '../../api/types.js'
import { refFor, type ReadWriter } from '../../client/client.js'
import type { Informer } from '../../client/informer.js'
import { Controller, type ControllerContext, type ReconcileResult, type Reconciler } from '../controller.js'

const JOBS = lookupResource('batch', 'jobs')!

/** When a Job finished: the lastTransitionTime of its True Complete or Failed condition (ms). */
export function jobFinishTime(job: Job): number | undefined {
  const c = (job.status?.conditions ?? []).find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True')
  if (!c) return undefined
  const t = Date.parse(String(c.lastTransitionTime ?? ''))
  return Number.isNaN(t) ? undefined : t
}

/** ms until the Job may be deleted (0: now), or undefined when it has no TTL or has not finished. */
export function timeLeft(job: Job, now: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished
  if (ttl === undefined || ttl === null || job.metadata?.deletionTimestamp) return undefined
  const finished = jobFinishTime(job)
  if (finished === undefined) return undefined
  return Math.max(0, finished + ttl * 1000 - now)
}

export class TTLAfterFinishedController implements Reconciler {
  readonly name = 'ttl-after-finished-controller'
  private readonly client: ReadWriter
  private readonly jobs: Informer<Job>
  private readonly controller: Controller

  constructor(
    ctx: ControllerContext,
    private readonly now: () => number = Date.now,
  ) {
    this.client = ctx.client
    this.jobs = ctx.informers.informer<Job>(JOBS)
    this.controller = new Controller(this, { workers: ctx.config.concurrentTTLSyncs ?? 5 })
    const enqueue = (j: Job): void => {
      if (j.spec?.ttlSecondsAfterFinished !== undefined && j.spec?.ttlSecondsAfterFinished !== null) this.controller.enqueue(objectKey(j))
    }
    this.jobs.on({ add: enqueue, update: (_o, j) => enqueue(j) })
  }

  async start(): Promise<void> {
    this.controller.start()
  }

  async stop(): Promise<void> {
    await this.controller.stop()
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const job = this.jobs.get(key)
    if (!job) return
    const left = timeLeft(job, this.now())
    if (left === undefined) return
    if (left > 0) return { requeueAfterMs: left }
    try {
      await this.client.delete(refFor(JOBS, job.metadata?.namespace, job.metadata?.name), {
        propagationPolicy: 'Foreground',
        preconditions: { uid: job.metadata?.uid },
      })
    } catch (e) {
      if (e instanceof ApiError && (e.code === 404 || e.code === 409)) return
      throw e
    }
  }
}
