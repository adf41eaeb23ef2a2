import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KObject } from '../../api/meta.js'
import type { Pod } from '../../api/types.js'
import { pod as build, T0, type PodOptions } from '../../testing/objects.js'
import { fakeBed } from '../fake.testing.js'
import { newReplicationManager, replicationControllerAsReplicaSet } from './replication.js'

// The replication manager is the ReplicaSet controller over ReplicationControllers: these rows
// check what differs (the map selector, the v1 controller reference, the RC's status), not the
// ReplicaSet logic its own tests cover.

const rc = (replicas: number, status?: Record<string, unknown>): KObject => ({
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name: 'web', namespace: 'shop', uid: 'rc-uid', generation: 1 },
  spec: {
    replicas,
    selector: { app: 'web' },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'i' }] } },
  },
  ...(status ? { status } : {}),
})
const owner = { apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: 'rc-uid' }
const member = (name: string, o: PodOptions = {}): Pod =>
  build({ name, namespace: 'shop', labels: { app: 'web' }, owner, node: 'node-1', phase: 'Running', ready: true, created: T0, ...o })
const RC_REF = { group: '', version: 'v1', resource: 'replicationcontrollers', namespace: 'shop', name: 'web' }

describe('replication manager (the ReplicaSet controller over ReplicationControllers)', () => {
  it('reads an RC selector map as matchLabels, leaving the RC untouched', () => {
    const o = rc(1)
    assert.deepEqual((replicationControllerAsReplicaSet(o).spec as { selector: unknown }).selector, { matchLabels: { app: 'web' } })
    assert.deepEqual((o.spec as { selector: unknown }).selector, { app: 'web' })
  })

  const cases: { name: string; objects: KObject[]; writes: string[]; events: string[]; status: Record<string, unknown> }[] = [
    {
      name: 'creates the missing pods and writes the RC status',
      objects: [rc(2)],
      writes: ['create pods web-', 'create pods web-', 'update replicationcontrollers/status web'],
      events: ['Normal SuccessfulCreate Created pod: web-bbbbc', 'Normal SuccessfulCreate Created pod: web-bbbbd'],
      status: { replicas: 0, observedGeneration: 1 },
    },
    {
      name: 'deletes the surplus',
      objects: [rc(1), member('a'), member('b', { phase: 'Pending', ready: false })],
      writes: ['delete pods b', 'update replicationcontrollers/status web'],
      events: ['Normal SuccessfulDelete Deleted pod: b'],
      status: { replicas: 2, readyReplicas: 1 },
    },
    {
      name: 'adopts a matching orphan with a v1 controller reference',
      objects: [rc(1), build({ name: 'orphan', namespace: 'shop', labels: { app: 'web' }, node: 'node-1', phase: 'Running', ready: true })],
      writes: ['patch pods orphan', 'update replicationcontrollers/status web'],
      events: [],
      status: { replicas: 1, readyReplicas: 1 },
    },
    {
      name: 'leaves pods of a ReplicaSet of the same labels alone (only RC controller references count)',
      objects: [
        rc(1, { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 }),
        build({
          name: 'rs-pod',
          namespace: 'shop',
          labels: { app: 'web' },
          owner: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid' },
          node: 'node-1',
          phase: 'Running',
          ready: true,
        }),
      ],
      writes: ['create pods web-'],
      events: ['Normal SuccessfulCreate Created pod: web-bbbbc'],
      status: { replicas: 0 },
    },
  ]
  for (const tc of cases) {
    it(tc.name, async () => {
      const bed = fakeBed(tc.objects)
      try {
        await bed.sync(newReplicationManager(bed.ctx), 'shop/web')
        assert.deepEqual(bed.writes(), tc.writes)
        assert.deepEqual(bed.recorder.events, tc.events)
        const status = (bed.client.stored<KObject>(RC_REF)?.status ?? {}) as Record<string, unknown>
        for (const [k, v] of Object.entries(tc.status)) assert.deepEqual(status[k], v, k)
        // the RC keeps its own selector (a status write never sends the ReplicaSet view)
        assert.deepEqual((bed.client.stored<KObject>(RC_REF)?.spec as { selector: unknown }).selector, { app: 'web' })
      } finally {
        bed.stop()
      }
    })
  }

  it('a created pod is owned by the RC (v1 ReplicationController), so the garbage collector deletes it with the RC', async () => {
    const bed = fakeBed([rc(1)])
    try {
      await bed.sync(newReplicationManager(bed.ctx), 'shop/web')
      const created = bed.client.actions().find((a) => a.verb === 'create')!.object!
      assert.deepEqual(created.metadata?.ownerReferences, [
        { apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: 'rc-uid', controller: true, blockOwnerDeletion: true },
      ])
    } finally {
      bed.stop()
    }
  })
})
