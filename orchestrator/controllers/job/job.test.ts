import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KObject } from '../../api/meta.js'
import type { Job, Pod } from '../../api/types.js'
import { pod as build, type PodOptions } from '../../testing/objects.js'
import { fakeBed } from '../fake.testing.js'
import { backoffDelay, backoffRecord, remainingBackoff } from './backoff.js'
import { JobController } from './job.js'

const NOW = Date.parse('2026-01-01T00:10:00Z')

describe('Job failure back-off (backoff_utils.go)', () => {
  const cases: { failures: number; base?: number; max?: number; want: number }[] = [
    { failures: 0, want: 0 },
    { failures: 1, want: 10_000 },
    { failures: 2, want: 20_000 },
    { failures: 3, want: 40_000 },
    { failures: 6, want: 320_000 },
    { failures: 7, want: 600_000 }, // 640 s capped at 10 min
    { failures: 1000, want: 600_000 },
    { failures: 3, base: 200, max: 1000, want: 800 },
    { failures: 4, base: 200, max: 1000, want: 1000 },
  ]
  for (const c of cases) it(`${c.failures} failures in a row wait ${c.want} ms`, () => assert.equal(backoffDelay(c.failures, c.base, c.max), c.want))

  const finished = (name: string, phase: 'Succeeded' | 'Failed', at: string): Pod => {
    const p = build({ name, phase })
    p.status!.containerStatuses = [
      { name: 'app', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: phase === 'Failed' ? 1 : 0, finishedAt: at } } },
    ]
    return p
  }
  it('counts the failures after the last success, and when the last one happened', () => {
    const pods = [
      finished('a', 'Failed', '2026-01-01T00:01:00Z'),
      finished('b', 'Succeeded', '2026-01-01T00:02:00Z'),
      finished('c', 'Failed', '2026-01-01T00:09:00Z'),
      finished('d', 'Failed', '2026-01-01T00:09:50Z'),
      build({ name: 'running', phase: 'Running' }),
    ]
    const r = backoffRecord(pods)
    assert.deepEqual(r, { failuresAfterLastSuccess: 2, lastFailureTime: Date.parse('2026-01-01T00:09:50Z') })
    // 2 failures: 20 s from 00:09:50, 10 s of it gone at 00:10:00
    assert.equal(remainingBackoff(r, NOW), 10_000)
    assert.equal(remainingBackoff(r, NOW + 30_000), 0)
    assert.equal(remainingBackoff(backoffRecord([finished('ok', 'Succeeded', '2026-01-01T00:09:59Z')]), NOW), 0)
  })
})

describe('Job sync against the fake client (no API server)', () => {
  const job = (spec: Partial<NonNullable<Job['spec']>>, status?: Job['status']): Job => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'shop', uid: 'job-uid', generation: 1 },
    spec: {
      completions: 3,
      parallelism: 2,
      backoffLimit: 2,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } },
      template: {
        metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'job-uid', 'batch.kubernetes.io/job-name': 'pi' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'i' }] },
      },
      ...spec,
    },
    status: { startTime: '2026-01-01T00:00:00Z', ...status },
  })
  const owner = { apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid' }
  const member = (name: string, o: PodOptions = {}): Pod =>
    build({ name, namespace: 'shop', labels: { 'batch.kubernetes.io/controller-uid': 'job-uid' }, owner, node: 'node-1', phase: 'Running', ready: true, ...o })
  const failed = (name: string, at: string): Pod => {
    const p = member(name, { phase: 'Failed', ready: false })
    p.status!.containerStatuses = [
      { name: 'app', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, finishedAt: at } } },
    ]
    return p
  }

  const cases: {
    name: string
    objects: KObject[]
    writes: string[]
    events?: string[]
    /** status fields the Job ends with. */
    status?: Record<string, unknown>
    /** condition types (True) the Job ends with, in order. */
    conditions?: string[]
    requeueAfterMs?: number
  }[] = [
    {
      name: 'starts parallelism pods, no more',
      objects: [job({})],
      writes: ['create pods pi-', 'create pods pi-', 'update jobs/status pi'],
      status: { active: 2, ready: 0, terminating: 0 },
    },
    {
      name: 'starts no more pods than completions are missing',
      objects: [job({}), member('done', { phase: 'Succeeded', ready: false }), member('done-2', { phase: 'Succeeded', ready: false })],
      writes: ['create pods pi-', 'update jobs/status pi'],
      status: { active: 1, succeeded: 2 },
    },
    {
      name: 'waits out the back-off before replacing a failed pod, and asks to be called again',
      objects: [job({}), member('running'), failed('f1', '2026-01-01T00:09:55Z')],
      writes: ['update jobs/status pi'],
      status: { active: 1, failed: 1, ready: 1 },
      requeueAfterMs: 5_000,
    },
    {
      name: 'replaces a failed pod once the back-off is over',
      objects: [job({}), member('running'), failed('f1', '2026-01-01T00:09:00Z')],
      writes: ['create pods pi-', 'update jobs/status pi'],
      status: { active: 2, failed: 1 },
    },
    {
      name: 'backoffLimit 2 and 3 failed pods: FailureTarget, the running pod deleted, Failed once none runs',
      objects: [job({}), member('running'), failed('f1', '2026-01-01T00:01:00Z'), failed('f2', '2026-01-01T00:02:00Z'), failed('f3', '2026-01-01T00:03:00Z')],
      writes: ['delete pods running', 'update jobs/status pi'],
      events: ['Normal SuccessfulDelete Deleted pod: running'],
      status: { failed: 3, terminating: 1 },
      conditions: ['FailureTarget'],
    },
    {
      name: 'backoffLimit 2 and 2 failed pods: still running',
      objects: [
        job({}, { active: 1, failed: 2, ready: 1, terminating: 0 }),
        member('running'),
        failed('f1', '2026-01-01T00:01:00Z'),
        failed('f2', '2026-01-01T00:02:00Z'),
      ],
      writes: ['create pods pi-', 'update jobs/status pi'],
      status: { failed: 2, active: 2 },
      conditions: [],
    },
    {
      name: 'the last completion: SuccessCriteriaMet and Complete with a completion time',
      objects: [job({}), ...['a', 'b', 'c'].map((n) => member(n, { phase: 'Succeeded', ready: false }))],
      writes: ['update jobs/status pi'],
      events: ['Normal Completed Job completed'],
      status: { succeeded: 3, completionTime: '2026-01-01T00:10:00Z' },
      conditions: ['SuccessCriteriaMet', 'Complete'],
    },
    {
      name: 'past activeDeadlineSeconds: DeadlineExceeded, the pods deleted',
      objects: [job({ activeDeadlineSeconds: 60 }), member('running')],
      writes: ['delete pods running', 'update jobs/status pi'],
      events: ['Normal SuccessfulDelete Deleted pod: running'],
      conditions: ['FailureTarget'],
    },
    {
      name: 'a finished Job is left alone',
      objects: [
        job({}, { conditions: [{ type: 'Complete', status: 'True', lastProbeTime: '', lastTransitionTime: '', reason: '', message: '' }] }),
        member('straggler'),
      ],
      writes: [],
    },
  ]
  for (const tc of cases) {
    it(tc.name, async () => {
      const bed = fakeBed(tc.objects)
      const controller = new JobController(bed.ctx, () => NOW)
      try {
        const result = await bed.sync(controller, 'shop/pi')
        assert.deepEqual(bed.writes(), tc.writes)
        if (tc.events)
          assert.deepEqual(
            bed.recorder.events.filter((e) => !e.includes('SuccessfulCreate')),
            tc.events,
          )
        const stored = bed.client.stored<Job>({ group: 'batch', version: 'v1', resource: 'jobs', namespace: 'shop', name: 'pi' })
        const status = (stored?.status ?? {}) as Record<string, unknown>
        for (const [k, v] of Object.entries(tc.status ?? {})) assert.deepEqual(status[k], v, k)
        if (tc.conditions)
          assert.deepEqual(
            (stored?.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type),
            tc.conditions,
          )
        assert.equal(result?.requeueAfterMs, tc.requeueAfterMs)
      } finally {
        bed.stop()
      }
    })
  }

  it('a created pod carries the template, the generateName and a controller reference', async () => {
    const bed = fakeBed([job({ parallelism: 1 })])
    try {
      await bed.sync(new JobController(bed.ctx, () => NOW), 'shop/pi')
      const created = bed.client.actions().find((a) => a.verb === 'create')!.object!
      assert.deepEqual(created.metadata, {
        generateName: 'pi-',
        namespace: 'shop',
        labels: { 'batch.kubernetes.io/controller-uid': 'job-uid', 'batch.kubernetes.io/job-name': 'pi' },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true, blockOwnerDeletion: true }],
      })
    } finally {
      bed.stop()
    }
  })
})
