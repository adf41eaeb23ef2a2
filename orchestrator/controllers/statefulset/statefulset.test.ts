import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KObject } from '../../api/meta.js'
import type { ControllerRevision, Pod, StatefulSet } from '../../api/types.js'
import { pod as build, T0, type PodOptions } from '../../testing/objects.js'
import { fakeBed } from '../fake.testing.js'
import { hashOf, revisionName, templatePatch } from '../history.js'
import { StatefulSetController, templateOf } from './statefulset.js'

const template = { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'i:2' }] } }
const oldTemplate = { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'i:1' }] } }
const NEW = revisionName('db', hashOf(templatePatch(template), 0))
const OLD = revisionName('db', 'old')

const sts = (replicas: number, status?: StatefulSet['status'], partition = 0): StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'shop', uid: 'sts-uid', generation: 1 },
  spec: {
    replicas,
    serviceName: 'db',
    selector: { matchLabels: { app: 'db' } },
    template,
    podManagementPolicy: 'OrderedReady',
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition } },
    revisionHistoryLimit: 10,
  },
  ...(status ? { status } : {}),
})
const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'sts-uid' }
const member = (ordinal: number, rev = NEW, o: PodOptions = {}): Pod =>
  build({
    name: `db-${ordinal}`,
    namespace: 'shop',
    labels: { app: 'db', 'controller-revision-hash': rev },
    owner,
    node: 'n1',
    phase: 'Running',
    ready: true,
    created: T0,
    ...o,
  })
const revision = (name: string, number: number, t = template): ControllerRevision => ({
  apiVersion: 'apps/v1',
  kind: 'ControllerRevision',
  metadata: { name, namespace: 'shop', uid: `uid-${name}`, labels: { app: 'db' }, ownerReferences: [{ ...owner, controller: true }] },
  data: templatePatch(t),
  revision: number,
})

describe('StatefulSet sync against the fake client (no API server)', () => {
  const cases: { name: string; objects: KObject[]; writes: string[]; status?: Partial<NonNullable<StatefulSet['status']>> }[] = [
    {
      name: 'records its template and creates db-0 first',
      objects: [sts(2)],
      writes: [`create controllerrevisions ${NEW}`, 'create pods db-0', 'update statefulsets/status db'],
      status: { replicas: 0, updateRevision: NEW, currentRevision: NEW, observedGeneration: 1 },
    },
    {
      name: 'a lost pod still terminating keeps its name: nothing is created for it',
      objects: [sts(2), revision(NEW, 1), member(0), member(1, NEW, { deleting: true })],
      writes: ['update statefulsets/status db'],
      status: { replicas: 2, readyReplicas: 2 },
    },
    {
      name: 'once the lost pod is gone, it is made again under the same name',
      objects: [sts(2), revision(NEW, 1), member(0)],
      writes: ['create pods db-1', 'update statefulsets/status db'],
    },
    {
      name: 'a recreated pod below the partition gets the current revision',
      objects: [sts(2, { replicas: 1, currentRevision: OLD }, 2), revision(OLD, 1, oldTemplate), revision(NEW, 2), member(0, OLD)],
      writes: ['create pods db-1', 'update statefulsets/status db'],
      status: { currentRevision: OLD, updateRevision: NEW, currentReplicas: 1, updatedReplicas: 0 },
    },
  ]
  for (const tc of cases) {
    it(tc.name, async () => {
      const bed = fakeBed(tc.objects)
      try {
        await bed.sync(new StatefulSetController(bed.ctx), 'shop/db')
        assert.deepEqual(bed.writes(), tc.writes)
        const status: Partial<NonNullable<StatefulSet['status']>> =
          bed.client.stored<StatefulSet>({ group: 'apps', version: 'v1', resource: 'statefulsets', namespace: 'shop', name: 'db' })?.status ?? {}
        for (const [k, v] of Object.entries(tc.status ?? {})) assert.deepEqual(status[k as keyof typeof status], v, k)
      } finally {
        bed.stop()
      }
    })
  }

  it('the pod made below the partition runs the current revision template', async () => {
    const bed = fakeBed([sts(2, { replicas: 1, currentRevision: OLD }, 2), revision(OLD, 1, oldTemplate), revision(NEW, 2), member(0, OLD)])
    try {
      await bed.sync(new StatefulSetController(bed.ctx), 'shop/db')
      const created = bed.client.actions().find((a) => a.verb === 'create' && a.resource === 'pods')!.object as Pod
      assert.equal(created.spec?.containers[0]?.image, 'i:1')
      assert.equal(created.metadata?.labels?.['controller-revision-hash'], OLD)
      assert.deepEqual(created.metadata?.ownerReferences, [{ ...owner, controller: true, blockOwnerDeletion: true }])
      assert.deepEqual([created.spec?.hostname, created.spec?.subdomain], ['db-1', 'db'])
    } finally {
      bed.stop()
    }
  })

  it('a revision gives back its template without the $patch directive', () => {
    assert.deepEqual(templateOf(revision(OLD, 1, oldTemplate)), oldTemplate)
    assert.equal(templateOf(undefined), undefined)
  })
})
