import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KObject } from '../../api/meta.js'
import type { ControllerRevision, DaemonSet, Pod } from '../../api/types.js'
import { node, pod as build, T0, type PodOptions } from '../../testing/objects.js'
import { fakeBed } from '../fake.testing.js'
import { hashOf, revisionName } from '../history.js'
import { DaemonSetController, nodeEligibilityChanged } from './daemonset.js'

const template = { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'i' }] } }
const HASH = hashOf(template)

const ds = (
  status?: DaemonSet['status'],
  strategy: NonNullable<DaemonSet['spec']>['updateStrategy'] = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
): DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'ops', uid: 'ds-uid', generation: 1 },
  spec: { selector: { matchLabels: { app: 'agent' } }, template, updateStrategy: strategy, revisionHistoryLimit: 10 },
  ...(status ? { status } : {}),
})
const owner = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid' }
const member = (name: string, nodeName: string, o: PodOptions = {}, hash = HASH): Pod =>
  build({
    name,
    namespace: 'ops',
    labels: { app: 'agent', 'controller-revision-hash': hash },
    owner,
    node: nodeName,
    phase: 'Running',
    ready: true,
    created: T0,
    ...o,
  })
const revision = (hash: string, number: number): ControllerRevision => ({
  apiVersion: 'apps/v1',
  kind: 'ControllerRevision',
  metadata: {
    name: revisionName('agent', hash),
    namespace: 'ops',
    uid: `rev-${hash}`,
    labels: { app: 'agent' },
    ownerReferences: [{ ...owner, controller: true }],
  },
  data: {},
  revision: number,
})
const settled = {
  currentNumberScheduled: 2,
  numberMisscheduled: 0,
  desiredNumberScheduled: 2,
  numberReady: 2,
  observedGeneration: 1,
  updatedNumberScheduled: 2,
  numberAvailable: 2,
}

describe('DaemonSet sync against the fake client (no API server)', () => {
  const cases: { name: string; objects: KObject[]; writes: string[]; status?: Partial<NonNullable<DaemonSet['status']>> }[] = [
    {
      name: 'records the template as revision 1 and creates a pod for each eligible node',
      objects: [
        ds(),
        node({ name: 'n1' }),
        node({ name: 'n2' }),
        node({ name: 'n3', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] }),
      ],
      writes: [`create controllerrevisions ${revisionName('agent', HASH)}`, 'create pods agent-', 'create pods agent-', 'update daemonsets/status agent'],
      status: { desiredNumberScheduled: 2, currentNumberScheduled: 0, observedGeneration: 1 },
    },
    {
      name: 'does nothing when every node has its up-to-date pod and the status says so',
      objects: [ds(settled), revision(HASH, 1), node({ name: 'n1' }), node({ name: 'n2' }), member('a', 'n1'), member('b', 'n2')],
      writes: [],
    },
    {
      name: 'deletes the pod of a node that stopped tolerating it (an untolerated NoExecute taint)',
      objects: [
        ds(settled),
        revision(HASH, 1),
        node({ name: 'n1' }),
        node({ name: 'n2', taints: [{ key: 'gpu', effect: 'NoExecute' }] }),
        member('a', 'n1'),
        member('b', 'n2'),
      ],
      writes: ['delete pods b', 'update daemonsets/status agent'],
      status: { desiredNumberScheduled: 1, numberMisscheduled: 1 },
    },
    {
      name: 'rolling update: replaces one old pod at a time and renumbers nothing',
      objects: [ds(settled), revision('old', 1), node({ name: 'n1' }), node({ name: 'n2' }), member('a', 'n1', {}, 'old'), member('b', 'n2', {}, 'old')],
      writes: [`create controllerrevisions ${revisionName('agent', HASH)}`, 'delete pods a', 'update daemonsets/status agent'],
      status: { updatedNumberScheduled: 0 },
    },
    {
      name: 'OnDelete: old pods stay until deleted by hand',
      objects: [
        ds(settled, { type: 'OnDelete' }),
        revision('old', 1),
        node({ name: 'n1' }),
        node({ name: 'n2' }),
        member('a', 'n1', {}, 'old'),
        member('b', 'n2', {}, 'old'),
      ],
      writes: [`create controllerrevisions ${revisionName('agent', HASH)}`, 'update daemonsets/status agent'],
      status: { updatedNumberScheduled: 0 },
    },
    {
      name: 'rolled back to an older template: its revision becomes the newest',
      objects: [ds(settled), revision(HASH, 1), revision('other', 2), node({ name: 'n1' }), node({ name: 'n2' }), member('a', 'n1'), member('b', 'n2')],
      writes: [`update controllerrevisions ${revisionName('agent', HASH)}`],
    },
  ]
  for (const tc of cases) {
    it(tc.name, async () => {
      const bed = fakeBed(tc.objects)
      try {
        await bed.sync(new DaemonSetController(bed.ctx), 'ops/agent')
        assert.deepEqual(bed.writes(), tc.writes)
        const status: Partial<NonNullable<DaemonSet['status']>> =
          bed.client.stored<DaemonSet>({ group: 'apps', version: 'v1', resource: 'daemonsets', namespace: 'ops', name: 'agent' })?.status ?? {}
        for (const [k, v] of Object.entries(tc.status ?? {})) assert.deepEqual(status[k as keyof typeof status], v, k)
      } finally {
        bed.stop()
      }
    })
  }

  it('a created pod is owned by the DaemonSet and names its node in a node affinity, for the scheduler', async () => {
    const bed = fakeBed([ds(), node({ name: 'n1' })])
    try {
      await bed.sync(new DaemonSetController(bed.ctx), 'ops/agent')
      const created = bed.client.actions().find((a) => a.verb === 'create' && a.resource === 'pods')!.object as Pod
      assert.deepEqual(created.metadata?.ownerReferences, [{ ...owner, controller: true, blockOwnerDeletion: true }])
      assert.equal(created.metadata?.labels?.['controller-revision-hash'], HASH)
      assert.deepEqual(created.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
      ])
    } finally {
      bed.stop()
    }
  })

  it('looks again at its DaemonSets only when a node change can matter (labels, taints, cordon)', () => {
    const n = node({ name: 'n1', conditions: { Ready: 'True' } })
    assert.equal(nodeEligibilityChanged(n, node({ name: 'n1', conditions: { Ready: 'False' } })), false)
    assert.equal(nodeEligibilityChanged(n, node({ name: 'n1', taints: [{ key: 'k', effect: 'NoSchedule' }] })), true)
    assert.equal(nodeEligibilityChanged(n, node({ name: 'n1', labels: { disk: 'ssd' } })), true)
    assert.equal(nodeEligibilityChanged(n, node({ name: 'n1', unschedulable: true })), true)
  })
})
