// The CronJob controller: creates a Job for each time a CronJob's schedule comes due, named
// `<cronjob>-<scheduled time in minutes>` (so one time never gets two Jobs) and annotated
// `batch.kubernetes.io/cronjob-scheduled-timestamp`, honouring suspend, concurrencyPolicy
// (Allow; Forbid: not while one runs; Replace: the running ones are deleted first) and
// startingDeadlineSeconds (a time missed by more is skipped with MissSchedule); keeps
// status.active (its unfinished Jobs), lastScheduleTime and lastSuccessfulTime, and deletes
// the oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit.
// Schedules are read on an injectable clock (config.cronJobClock; the reference cluster lets
// a scenario move it forward), and only schedules: everything else keeps the real time.
// Mirrors pkg/controller/cronjob/cronjob_controllerv2.go (syncCronJob, cleanupFinishedJobs)
// and utils.go. Events: SuccessfulCreate, FailedCreate, SawCompletedJob, MissingJob,
// UnexpectedJob, JobAlreadyActive, MissSchedule, UnparseableSchedule, UnknownTimeZone,
// SuccessfulDelete (component cronjob-controller).
// Simplifies: no TooManyMissedTimes warning; the Job's creationTimestamp is the server's.

import { ApiError } from '../../api/errors.js'
import { objectKey, type KObject } from '../../api/meta.js'
import { controllerOf, newControllerRef } from '../../api/pods.js'
import { jobNameFor, mostRecentScheduleTime, parseSchedule, rfc3339In, validTimeZone, type Schedule } from '../../api/cron.js'
import { lookupResource } from '../../api/resources.js'
import type { CronJob, Job } from '../../api/types.js'
import { refFor, type ReadWriter } from '../../client/client.js'
import type { EventRecorder } from '../../client/events.js'
import { byNamespace, type Informer } from '../../client/informer.js'
import type { ScheduleClock } from '../config.js'
import { Controller, type ControllerContext, type ReconcileResult, type Reconciler } from '../controller.js'

const JOBS = lookupResource('batch', 'jobs')!
const CRONJOBS = lookupResource('batch', 'cronjobs')!

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp'

/** Upstream nextScheduleTimeDuration adds this so the controller wakes just after the time. */
const NEXT_SCHEDULE_DELTA_MS = 100

type CronJobStatus = NonNullable<CronJob['status']>
type ObjectRef = NonNullable<CronJobStatus['active']>[number]

/** The real time, never moved. */
export const REAL_CLOCK: ScheduleClock = { now: () => Date.now(), onAdvance: () => () => undefined }

/** Complete or Failed, with the condition type (getFinishedStatus). */
export function finishedStatus(job: Job): 'Complete' | 'Failed' | undefined {
  for (const c of job.status?.conditions ?? []) if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type
  return undefined
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function refOf(job: Job): ObjectRef {
  return {
    kind: 'Job',
    namespace: job.metadata?.namespace,
    name: job.metadata?.name,
    uid: job.metadata?.uid,
    apiVersion: 'batch/v1',
    resourceVersion: job.metadata?.resourceVersion,
  }
}

/** The finished Jobs to delete beyond a history limit, oldest first (removeOldestJobs: by status.startTime). */
export function beyondHistory(jobs: readonly Job[], limit: number): Job[] {
  if (jobs.length <= limit) return []
  const start = (j: Job): number => Date.parse(String(j.status?.startTime ?? '')) || 0
  return [...jobs].sort((a, b) => start(a) - start(b)).slice(0, jobs.length - limit)
}

export class CronJobController implements Reconciler {
  readonly name = 'cronjob-controller'
  private readonly client: ReadWriter
  private readonly recorder: EventRecorder
  private readonly cronJobs: Informer<CronJob>
  private readonly jobs: Informer<Job>
  private readonly controller: Controller
  private readonly clock: ScheduleClock
  private unsubscribe?: () => void

  constructor(ctx: ControllerContext) {
    this.client = ctx.client
    this.recorder = ctx.recorder('cronjob-controller')
    this.clock = ctx.config.cronJobClock ?? REAL_CLOCK
    this.cronJobs = ctx.informers.informer<CronJob>(CRONJOBS)
    this.jobs = ctx.informers.informer<Job>(JOBS)
    this.jobs.addIndexer('namespace', byNamespace)
    this.controller = new Controller(this, { workers: ctx.config.concurrentCronJobSyncs ?? 5 })
    this.cronJobs.on({ add: (c) => this.controller.enqueue(objectKey(c)), update: (_o, c) => this.controller.enqueue(objectKey(c)) })
    const owner = (j: Job): void => {
      const ref = controllerOf(j)
      if (ref?.kind === 'CronJob') this.controller.enqueue(`${j.metadata?.namespace}/${ref.name}`)
    }
    this.jobs.on({ add: owner, update: (_o, j) => owner(j), delete: owner })
  }

  async start(): Promise<void> {
    this.controller.start()
    // a moved clock may make schedules due: look at every CronJob again
    this.unsubscribe = this.clock.onAdvance(() => {
      for (const c of this.cronJobs.list()) this.controller.enqueue(objectKey(c))
    })
  }

  async stop(): Promise<void> {
    this.unsubscribe?.()
    await this.controller.stop()
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const cached = this.cronJobs.get(key)
    if (!cached || cached.metadata?.deletionTimestamp) return
    const cj: CronJob = structuredClone(cached)
    const status: CronJobStatus = (cj.status ??= {})
    const jobs = this.jobs.byIndex('namespace', cj.metadata?.namespace ?? '').filter((j) => controllerOf(j)?.uid === cj.metadata?.uid)
    let changed = await this.reconcileActive(cj, status, jobs)
    const { changed: scheduled, requeueAfterMs } = await this.schedule(cj, status)
    changed ||= scheduled
    await this.cleanupFinished(cj, jobs)
    if (changed) await this.updateStatus(cj, status)
    if (requeueAfterMs !== undefined) return { requeueAfterMs }
  }

  /** The first part of syncCronJob: the active list against the Jobs that exist. */
  private async reconcileActive(cj: CronJob, status: CronJobStatus, jobs: Job[]): Promise<boolean> {
    let changed = false
    const active = (): ObjectRef[] => (status.active ??= [])
    const children = new Set<string>()
    for (const j of jobs) {
      children.add(j.metadata?.uid ?? '')
      const found = active().some((r) => r.uid === j.metadata?.uid)
      const finished = finishedStatus(j)
      if (!found && !finished) {
        this.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata?.name}`)
      } else if (found && finished) {
        status.active = active().filter((r) => r.uid !== j.metadata?.uid)
        this.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata?.name}, condition: ${finished}`)
        changed = true
      }
      if (finished === 'Complete' && j.status?.completionTime) {
        const t = Date.parse(String(j.status.completionTime))
        const last = Date.parse(String(status.lastSuccessfulTime ?? ''))
        if (Number.isNaN(last) || t > last) {
          status.lastSuccessfulTime = j.status.completionTime
          changed = true
        }
      }
    }
    for (const r of [...active()]) {
      if (children.has(r.uid ?? '')) continue
      try {
        await this.client.get(refFor(JOBS, r.namespace, r.name))
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e
        this.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${r.name}`)
        status.active = active().filter((x) => x.uid !== r.uid)
        changed = true
      }
    }
    if (status.active && status.active.length === 0) delete status.active
    return changed
  }

  /** The second part of syncCronJob: start the Job of the most recent due time, if any. */
  private async schedule(cj: CronJob, status: CronJobStatus): Promise<{ changed: boolean; requeueAfterMs?: number }> {
    const spec = cj.spec!
    const tz = spec.timeZone ?? undefined
    if (tz && !validTimeZone(tz)) {
      this.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${tz}": unknown time zone ${tz}`)
      return { changed: false }
    }
    if (spec.suspend) return { changed: false }
    let sched: Schedule
    try {
      sched = parseSchedule(spec.schedule, tz)
    } catch (e) {
      this.recorder.event(
        cj,
        'Warning',
        'UnparseableSchedule',
        `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${e instanceof Error ? e.message : String(e)}`,
      )
      return { changed: false }
    }
    const now = this.clock.now()
    const earliest = Date.parse(String(status.lastScheduleTime ?? cj.metadata?.creationTimestamp ?? '')) || now
    const deadline = spec.startingDeadlineSeconds ?? undefined
    const due = mostRecentScheduleTime(sched, earliest, now, deadline)
    const wake = (): number => {
      const after = Math.max(now, Date.parse(String(status.lastScheduleTime ?? '')) || 0)
      return Math.max(0, sched.next(after) - now) + NEXT_SCHEDULE_DELTA_MS
    }
    if (due === undefined) return { changed: false, requeueAfterMs: wake() }
    if (deadline !== undefined && due + deadline * 1000 < now) {
      this.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${new Date(due).toUTCString()}`)
      return { changed: false, requeueAfterMs: wake() }
    }
    const name = jobNameFor(cj.metadata?.name ?? '', due)
    if ((status.active ?? []).some((r) => r.name === name) || Date.parse(String(status.lastScheduleTime ?? '')) === due)
      return { changed: false, requeueAfterMs: wake() }
    const policy = spec.concurrencyPolicy ?? 'Allow'
    let changed = false
    if (policy === 'Forbid' && (status.active ?? []).length > 0) {
      this.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid')
      return { changed: false, requeueAfterMs: wake() }
    }
    if (policy === 'Replace') {
      for (const r of status.active ?? []) {
        await this.deleteJob(cj, r.namespace ?? '', r.name ?? '')
        changed = true
      }
      delete status.active
    }
    const template = spec.jobTemplate
    const job: KObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: cj.metadata?.namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations: { ...(template.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339In(due, tz) },
        ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
      },
      spec: structuredClone(template.spec ?? {}),
    }
    let created: Job
    try {
      created = await this.client.create<Job>(refFor(JOBS, cj.metadata?.namespace), job)
      this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`)
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) {
        this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${e instanceof Error ? e.message : String(e)}`)
        throw e
      }
      // someone (an earlier sync) made it already: ours if it names us
      created = await this.client.get<Job>(refFor(JOBS, cj.metadata?.namespace, name))
      if (controllerOf(created)?.uid !== cj.metadata?.uid) return { changed, requeueAfterMs: wake() }
    }
    if (!finishedStatus(created)) status.active = [...(status.active ?? []).filter((r) => r.uid !== created.metadata?.uid), refOf(created)]
    status.lastScheduleTime = iso(due)
    return { changed: true, requeueAfterMs: wake() }
  }

  private async deleteJob(cj: CronJob, namespace: string, name: string): Promise<void> {
    try {
      await this.client.delete(refFor(JOBS, namespace, name), { propagationPolicy: 'Background' })
      this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${name}`)
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return
      this.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${e instanceof Error ? e.message : String(e)}`)
      throw e
    }
  }

  private async cleanupFinished(cj: CronJob, jobs: Job[]): Promise<void> {
    const successful = jobs.filter((j) => finishedStatus(j) === 'Complete' && !j.metadata?.deletionTimestamp)
    const failed = jobs.filter((j) => finishedStatus(j) === 'Failed' && !j.metadata?.deletionTimestamp)
    const victims = [...beyondHistory(successful, cj.spec?.successfulJobsHistoryLimit ?? 3), ...beyondHistory(failed, cj.spec?.failedJobsHistoryLimit ?? 1)]
    for (const j of victims) await this.deleteJob(cj, j.metadata?.namespace ?? '', j.metadata?.name ?? '')
  }

  private async updateStatus(cj: CronJob, status: CronJobStatus): Promise<void> {
    try {
      await this.client.update(refFor(CRONJOBS, cj.metadata?.namespace, cj.metadata?.name, 'status'), { ...cj, status })
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return
      throw e
    }
  }
}
