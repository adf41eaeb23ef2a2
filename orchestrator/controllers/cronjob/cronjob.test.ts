import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KObject } from '../../api/meta.js'
import type { CronJob, Job } from '../../api/types.js'
import { fakeBed } from '../fake.testing.js'
import type { ScheduleClock } from '../config.js'
import { beyondHistory, CronJobController, SCHEDULED_TIMESTAMP_ANNOTATION } from './cronjob.js'

const CREATED = '2026-01-01T00:00:30Z'
const clockAt = (iso: string): ScheduleClock => ({ now: () => Date.parse(iso), onAdvance: () => () => undefined })
const minutes = (iso: string): number => Date.parse(iso) / 60_000

const cronJob = (spec: Partial<NonNullable<CronJob['spec']>> = {}, status: CronJob['status'] = {}): CronJob => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'tick', namespace: 'shop', uid: 'cj-uid', creationTimestamp: CREATED },
  spec: {
    schedule: '*/5 * * * *',
    concurrencyPolicy: 'Allow',
    jobTemplate: { metadata: { labels: { team: 'a' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'w', image: 'i' }] } } } },
    ...spec,
  },
  status,
})
const owner = { apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }
const job = (name: string, finished?: 'Complete' | 'Failed', startTime = '2026-01-01T00:05:00Z'): Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'shop', uid: `uid-${name}`, ownerReferences: [owner] },
  spec: { template: {} },
  status: {
    startTime,
    ...(finished ? { conditions: [{ type: finished, status: 'True', lastProbeTime: '', lastTransitionTime: '', reason: '', message: '' }] } : {}),
    ...(finished === 'Complete' ? { completionTime: '2026-01-01T00:06:00Z' } : {}),
  },
})
const ref = (j: Job): Record<string, unknown> => ({ kind: 'Job', namespace: 'shop', name: j.metadata!.name, uid: j.metadata!.uid, apiVersion: 'batch/v1' })

describe('CronJob sync against the fake client (no API server)', () => {
  const cases: {
    name: string
    now: string
    objects: KObject[]
    writes: string[]
    events?: string[]
    requeueAfterMs?: number
  }[] = [
    {
      name: 'nothing due yet: waits for the next time, just after it',
      now: '2026-01-01T00:04:00Z',
      objects: [cronJob()],
      writes: [],
      requeueAfterMs: 60_100,
    },
    {
      name: 'due: one Job named after its minute, then the status',
      now: '2026-01-01T00:05:10Z',
      objects: [cronJob()],
      writes: [`create jobs tick-${minutes('2026-01-01T00:05:00Z')}`, 'update cronjobs/status tick'],
      events: [`Normal SuccessfulCreate Created job tick-${minutes('2026-01-01T00:05:00Z')}`],
    },
    {
      name: 'several missed: only the most recent one',
      now: '2026-01-01T00:17:00Z',
      objects: [cronJob()],
      writes: [`create jobs tick-${minutes('2026-01-01T00:15:00Z')}`, 'update cronjobs/status tick'],
    },
    {
      name: 'Forbid while one runs: none, and says why',
      now: '2026-01-01T00:10:10Z',
      objects: [cronJob({ concurrencyPolicy: 'Forbid' }, { active: [ref(job('tick-1'))], lastScheduleTime: '2026-01-01T00:05:00Z' } as never), job('tick-1')],
      writes: [],
      events: ['Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid'],
    },
    {
      name: 'Replace: the running one goes first',
      now: '2026-01-01T00:10:10Z',
      objects: [cronJob({ concurrencyPolicy: 'Replace' }, { active: [ref(job('tick-1'))], lastScheduleTime: '2026-01-01T00:05:00Z' } as never), job('tick-1')],
      writes: ['delete jobs tick-1', `create jobs tick-${minutes('2026-01-01T00:10:00Z')}`, 'update cronjobs/status tick'],
    },
    {
      name: 'suspended: nothing',
      now: '2026-01-01T00:10:10Z',
      objects: [cronJob({ suspend: true })],
      writes: [],
    },
    {
      name: 'missed by more than startingDeadlineSeconds: skipped',
      now: '2026-01-01T00:09:00Z',
      objects: [cronJob({ startingDeadlineSeconds: 60 })],
      writes: [],
    },
    {
      name: 'a finished Job leaves the active list; lastSuccessfulTime; the oldest successes beyond the limit go',
      now: '2026-01-01T00:06:30Z',
      objects: [
        cronJob({ successfulJobsHistoryLimit: 1 }, { active: [ref(job('tick-3'))], lastScheduleTime: '2026-01-01T00:05:00Z' } as never),
        job('tick-1', 'Complete', '2026-01-01T00:01:00Z'),
        job('tick-3', 'Complete', '2026-01-01T00:05:00Z'),
      ],
      writes: ['delete jobs tick-1', 'update cronjobs/status tick'],
      events: ['Normal SawCompletedJob Saw completed job: tick-3, condition: Complete', 'Normal SuccessfulDelete Deleted job tick-1'],
    },
  ]
  for (const tc of cases) {
    it(tc.name, async () => {
      const bed = fakeBed(tc.objects, { cronJobClock: clockAt(tc.now) })
      try {
        const result = await bed.sync(new CronJobController(bed.ctx), 'shop/tick')
        assert.deepEqual(bed.writes(), tc.writes)
        if (tc.events) assert.deepEqual(bed.recorder.events, tc.events)
        if (tc.requeueAfterMs !== undefined) assert.equal(result?.requeueAfterMs, tc.requeueAfterMs)
      } finally {
        bed.stop()
      }
    })
  }

  it('the Job carries the template, the scheduled time stamp and a controller reference; the status names it', async () => {
    const bed = fakeBed([cronJob({ timeZone: 'Europe/Berlin' })], { cronJobClock: clockAt('2026-01-01T00:05:10Z') })
    try {
      await bed.sync(new CronJobController(bed.ctx), 'shop/tick')
      const created = bed.client.actions().find((a) => a.verb === 'create')!.object!
      assert.deepEqual(created.metadata?.labels, { team: 'a' })
      assert.equal(created.metadata?.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION], '2026-01-01T01:05:00+01:00')
      assert.deepEqual(created.metadata?.ownerReferences, [owner])
      const stored = bed.client.stored<CronJob>({ group: 'batch', version: 'v1', resource: 'cronjobs', namespace: 'shop', name: 'tick' })
      assert.equal(stored?.status?.lastScheduleTime, '2026-01-01T00:05:00Z')
      assert.deepEqual(
        stored?.status?.active?.map((r) => r.name),
        [created.metadata?.name],
      )
    } finally {
      bed.stop()
    }
  })

  it('history limits delete the oldest by start time', () => {
    const jobs = [job('c', 'Failed', '2026-01-01T00:03:00Z'), job('a', 'Failed', '2026-01-01T00:01:00Z'), job('b', 'Failed', '2026-01-01T00:02:00Z')]
    assert.deepEqual(
      beyondHistory(jobs, 1).map((j) => j.metadata!.name),
      ['a', 'b'],
    )
    assert.deepEqual(beyondHistory(jobs, 3), [])
  })
})
