import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import type { Pod, ReplicaSet } from '../../api/types.js'
import { pod as build, T0, type PodOptions } from '../../testing/objects.js'
import { fakeBed } from '../fake.testing.js'
import { podsToDelete, ReplicaSetController, slowStartBatch } from './replicaset.js'

const pod = (name: string, o: PodOptions = {}): Pod => build({ name, created: T0, phase: 'Running', ready: false, restarts: 0, ...o })

describe('ReplicaSet controller', () => {
  it('deletes the least valuable pods first: unscheduled, pending, not ready, restarting, newest', () => {
    const pods = [
      pod('ready-old', { node: 'n', ready: true, created: '2026-01-01T00:00:00Z' }),
      pod('ready-new', { node: 'n', ready: true, created: '2026-01-02T00:00:00Z' }),
      pod('unscheduled', { phase: 'Pending' }),
      pod('pending', { node: 'n', phase: 'Pending' }),
      pod('not-ready', { node: 'n' }),
      pod('crashy', { node: 'n', restarts: 5 }),
    ]
    assert.deepEqual(
      podsToDelete(pods, 6).map((p) => p.metadata!.name),
      ['unscheduled', 'pending', 'crashy', 'not-ready', 'ready-new', 'ready-old'],
    )
    assert.deepEqual(
      podsToDelete(pods, 2).map((p) => p.metadata!.name),
      ['unscheduled', 'pending'],
    )
  })

  it('creates in slow-start batches and stops after a failing batch', async () => {
    let calls = 0
    const ok = await slowStartBatch(10, 1, async () => {
      calls++
    })
    assert.deepEqual({ created: ok.created, calls }, { created: 10, calls: 10 })
    let n = 0
    const failing = await slowStartBatch(10, 1, async () => {
      if (++n === 2) throw new Error('quota exceeded')
    })
    // batches 1 then 2 (one of which fails): the rest is skipped
    assert.equal(failing.created, 2)
    assert.match(failing.error!.message, /quota/)
  })
})

describe('ReplicaSet sync against the fake client (no API server)', () => {
  const rs = (replicas: number, status?: ReplicaSet['status']): ReplicaSet => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'shop', uid: 'rs-uid', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'i' }] } },
    },
    ...(status ? { status } : {}),
  })
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid' }
  /** A pod of the ReplicaSet in `shop`: Running and ready on node-1 unless told otherwise. */
  const member = (name: string, o: PodOptions = {}): Pod =>
    build({ name, namespace: 'shop', labels: { app: 'web' }, owner, node: 'node-1', phase: 'Running', ready: true, created: T0, ...o })
  const settled = { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 }

  const cases: {
    name: string
    objects: KObject[]
    /** Makes a call of the fake fail. */
    fail?: { verb: 'create' | 'delete'; error: ApiError }
    writes: string[]
    events: string[]
    /** reconcile rejects with this message. */
    error?: RegExp
    /** status the ReplicaSet ends with (fields named here only). */
    status?: Partial<NonNullable<ReplicaSet['status']>>
  }[] = [
    {
      name: 'creates the missing pods from the template, in slow-start batches, then reports what it found',
      objects: [rs(3)],
      writes: ['create pods web-', 'create pods web-', 'create pods web-', 'update replicasets/status web'],
      events: [
        'Normal SuccessfulCreate Created pod: web-bbbbc',
        'Normal SuccessfulCreate Created pod: web-bbbbd',
        'Normal SuccessfulCreate Created pod: web-bbbbf',
      ],
      status: { replicas: 0, observedGeneration: 1 },
    },
    {
      name: 'deletes the surplus, least valuable first (unscheduled, then pending)',
      objects: [
        rs(1),
        member('ready'),
        member('unscheduled', { node: '', phase: 'Pending', ready: false }),
        member('pending', { phase: 'Pending', ready: false }),
      ],
      writes: ['delete pods unscheduled', 'delete pods pending', 'update replicasets/status web'],
      events: ['Normal SuccessfulDelete Deleted pod: unscheduled', 'Normal SuccessfulDelete Deleted pod: pending'],
      status: { replicas: 3, readyReplicas: 1 },
    },
    {
      name: 'does nothing when the pods and the status are already right',
      objects: [rs(2, settled), member('a'), member('b')],
      writes: [],
      events: [],
    },
    {
      name: 'does not count finished pods and replaces them',
      objects: [rs(2, settled), member('a'), member('b', { phase: 'Failed', ready: false })],
      writes: ['create pods web-', 'update replicasets/status web'],
      events: ['Normal SuccessfulCreate Created pod: web-bbbbc'],
      status: { replicas: 1, readyReplicas: 1 },
    },
    {
      name: 'adopts a matching orphan instead of creating a pod',
      objects: [rs(1), build({ name: 'orphan', namespace: 'shop', labels: { app: 'web' }, node: 'node-1', phase: 'Running', ready: true })],
      writes: ['patch pods orphan', 'update replicasets/status web'],
      events: [],
      status: { replicas: 1, readyReplicas: 1 },
    },
    {
      name: 'releases an owned pod whose labels stopped matching, and replaces it',
      objects: [
        rs(1, { ...settled, replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1 }),
        member('relabelled', { labels: { app: 'debug' } }),
      ],
      writes: ['patch pods relabelled', 'create pods web-', 'update replicasets/status web'],
      events: ['Normal SuccessfulCreate Created pod: web-bbbbc'],
      status: { replicas: 0 },
    },
    {
      name: 'a refused create: FailedCreate event, ReplicaFailure condition, and an error so the key is retried',
      objects: [rs(2)],
      fail: { verb: 'create', error: new ApiError(403, 'Forbidden', 'pods "web-x" is forbidden: exceeded quota: pods') },
      writes: ['create pods web-', 'update replicasets/status web'],
      events: ['Warning FailedCreate Error creating: pods "web-x" is forbidden: exceeded quota: pods'],
      error: /exceeded quota/,
      status: { replicas: 0 },
    },
    {
      name: 'a pod already gone when deleting it is not an error',
      objects: [rs(0), member('a')],
      fail: { verb: 'delete', error: new ApiError(404, 'NotFound', 'pods "a" not found') },
      writes: ['delete pods a', 'update replicasets/status web'],
      events: [],
      status: { replicas: 1 },
    },
  ]
  for (const tc of cases) {
    it(tc.name, async () => {
      const bed = fakeBed(tc.objects)
      const controller = new ReplicaSetController(bed.ctx)
      if (tc.fail) {
        const { verb, error } = tc.fail
        bed.client.prependReactor(verb, 'pods', () => error)
      }
      try {
        const run = bed.sync(controller, 'shop/web')
        if (tc.error) await assert.rejects(run, tc.error)
        else await run
        assert.deepEqual(bed.writes(), tc.writes)
        assert.deepEqual(bed.recorder.events, tc.events)
        const status: Partial<NonNullable<ReplicaSet['status']>> =
          bed.client.stored<ReplicaSet>({ group: 'apps', version: 'v1', resource: 'replicasets', namespace: 'shop', name: 'web' })?.status ?? {}
        for (const [k, v] of Object.entries(tc.status ?? {})) assert.deepEqual(status[k as keyof typeof status], v, k)
        if (tc.error) assert.equal(status.conditions?.[0]?.type, 'ReplicaFailure')
      } finally {
        bed.stop()
      }
    })
  }

  it('a created pod carries the template, the generateName and a controller reference', async () => {
    const bed = fakeBed([rs(1)])
    try {
      await bed.sync(new ReplicaSetController(bed.ctx), 'shop/web')
      const created = bed.client.actions().find((a) => a.verb === 'create')!.object!
      assert.deepEqual(created.metadata, {
        generateName: 'web-',
        namespace: 'shop',
        labels: { app: 'web' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
      })
      assert.deepEqual(created.spec, { containers: [{ name: 'app', image: 'i' }] })
    } finally {
      bed.stop()
    }
  })
})
