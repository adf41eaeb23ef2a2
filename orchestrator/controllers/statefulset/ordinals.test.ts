import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Pod, StatefulSet } from '../../api/types.js'
import { pod as build, T0, type PodOptions } from '../../testing/objects.js'
import { calculateStatus, ordinalOf, planStatefulSet, podFor, takesCurrentRevision } from './ordinals.js'

type Spec = NonNullable<StatefulSet['spec']>
const set = (spec: Partial<Spec> = {}, status?: StatefulSet['status']): StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'shop', uid: 'sts-uid', generation: 3 },
  spec: {
    replicas: 3,
    serviceName: 'db',
    selector: { matchLabels: { app: 'db' } },
    template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'i' }] } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    ...spec,
  },
  ...(status ? { status } : {}),
})
/** db-<ordinal>, Running and Ready on revision `rev` unless told otherwise. */
const member = (ordinal: number, o: PodOptions = {}, rev = 'db-new'): Pod =>
  build({
    name: `db-${ordinal}`,
    namespace: 'shop',
    labels: { app: 'db', 'controller-revision-hash': rev },
    node: 'n1',
    phase: 'Running',
    ready: true,
    created: T0,
    ...o,
  })

describe('the pod of an ordinal', () => {
  it('is named <set>-<ordinal>, with its hostname, the Service as subdomain and the identity labels', () => {
    const p = podFor(set(), set().spec!.template, 2, 'db-abc')
    assert.deepEqual(p.metadata, {
      name: 'db-2',
      namespace: 'shop',
      labels: { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-2', 'apps.kubernetes.io/pod-index': '2', 'controller-revision-hash': 'db-abc' },
    })
    assert.equal(p.spec?.hostname, 'db-2')
    assert.equal(p.spec?.subdomain, 'db')
  })

  const ordinals: [string, number][] = [
    ['db-0', 0],
    ['db-12', 12],
    ['db-01', -1],
    ['db-x', -1],
    ['dba-1', -1],
    ['other-1', -1],
  ]
  for (const [name, want] of ordinals) it(`the ordinal of ${name} is ${want}`, () => assert.equal(ordinalOf(set(), build({ name })), want))

  it('below the partition a recreated pod takes the current revision', () => {
    const s = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } })
    assert.deepEqual(
      [0, 1, 2].map((i) => takesCurrentRevision(s, i)),
      [true, true, false],
    )
    assert.equal(takesCurrentRevision(set({ updateStrategy: { type: 'OnDelete' } }), 0), false)
  })
})

describe('one sync of a StatefulSet', () => {
  const cases: { name: string; set: StatefulSet; pods: Pod[]; want: { create: number[]; delete: string[] } }[] = [
    { name: 'OrderedReady: creates the lowest missing ordinal first, one at a time', set: set(), pods: [], want: { create: [0], delete: [] } },
    {
      name: 'OrderedReady: waits for the pod before to be Running and Ready',
      set: set(),
      pods: [member(0, { ready: false })],
      want: { create: [], delete: [] },
    },
    { name: 'OrderedReady: then creates the next', set: set(), pods: [member(0)], want: { create: [1], delete: [] } },
    {
      name: 'Parallel: creates every missing ordinal at once',
      set: set({ podManagementPolicy: 'Parallel' }),
      pods: [member(1, { ready: false })],
      want: { create: [0, 2], delete: [] },
    },
    {
      name: 'a pod being deleted keeps its identity: no replacement until it is gone',
      set: set(),
      pods: [member(0), member(1, { deleting: true }), member(2)],
      want: { create: [], delete: [] },
    },
    {
      name: 'Parallel too waits for the old pod of an identity, but goes on with the others',
      set: set({ podManagementPolicy: 'Parallel' }),
      pods: [member(1, { deleting: true })],
      want: { create: [0, 2], delete: [] },
    },
    { name: 'a failed pod is deleted, to be made again', set: set(), pods: [member(0, { phase: 'Failed' })], want: { create: [], delete: ['db-0'] } },
    {
      name: 'scale down: the highest ordinal goes first, one at a time',
      set: set({ replicas: 1 }),
      pods: [member(0), member(1), member(2)],
      want: { create: [], delete: ['db-2'] },
    },
    {
      name: 'scale down waits while the pod going is still terminating',
      set: set({ replicas: 1 }),
      pods: [member(0), member(1), member(2, { deleting: true })],
      want: { create: [], delete: [] },
    },
    {
      name: 'rolling update: the highest ordinal not on the update revision is replaced first',
      set: set(),
      pods: [member(0, {}, 'db-old'), member(1, {}, 'db-old'), member(2, {}, 'db-old')],
      want: { create: [], delete: ['db-2'] },
    },
    {
      name: 'rolling update: then the next, once the updated one is healthy',
      set: set(),
      pods: [member(0, {}, 'db-old'), member(1, {}, 'db-old'), member(2)],
      want: { create: [], delete: ['db-1'] },
    },
    {
      name: 'rolling update stops at the partition',
      set: set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }),
      pods: [member(0, {}, 'db-old'), member(1, {}, 'db-old'), member(2)],
      want: { create: [], delete: [] },
    },
    {
      name: 'OnDelete: old pods stay',
      set: set({ updateStrategy: { type: 'OnDelete' } }),
      pods: [member(0, {}, 'db-old'), member(1, {}, 'db-old'), member(2, {}, 'db-old')],
      want: { create: [], delete: [] },
    },
  ]
  for (const tc of cases) {
    it(tc.name, () => {
      const plan = planStatefulSet(tc.set, tc.pods, 'db-new')
      assert.deepEqual({ create: plan.create.map((c) => c.ordinal), delete: plan.delete }, tc.want)
    })
  }
})

describe('the status of a StatefulSet', () => {
  it('counts ready, current and updated pods, and names the revisions', () => {
    const pods = [member(0, {}, 'db-old'), member(1, { ready: false }), member(2)]
    assert.deepEqual(calculateStatus(set(), pods, 'db-old', 'db-new'), {
      observedGeneration: 3,
      replicas: 3,
      readyReplicas: 2,
      currentReplicas: 1,
      updatedReplicas: 2,
      currentRevision: 'db-old',
      updateRevision: 'db-new',
      collisionCount: 0,
      availableReplicas: 2,
    })
  })

  it('a finished rolling update makes the update revision the current one', () => {
    const s = calculateStatus(set(), [member(0), member(1), member(2)], 'db-old', 'db-new')
    assert.deepEqual([s.currentRevision, s.currentReplicas, s.updatedReplicas], ['db-new', 3, 3])
  })
})
