import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KObject, WatchEvent } from '../../api/meta.js'
import { startTestApiServer, type TestApiServer } from '../testserver.testing.js'
import { apiGroup, apiGroupList, apiResourceList } from './discovery.js'
import { localAPIServices } from './aggregator.js'

// Discovery of a group served in several versions, and a request in a version other than the
// stored one (autoscaling/v1 HorizontalPodAutoscalers beside the stored v2) end to end.

type Doc = Record<string, unknown>
const names = (doc: Doc | undefined): string[] => ((doc?.resources ?? []) as Doc[]).map((r) => String(r.name))

describe('discovery documents', () => {
  it('/apis and /apis/autoscaling: both versions, v2 preferred', () => {
    const groups = apiGroupList().groups as Doc[]
    const autoscaling = groups.find((g) => g.name === 'autoscaling')
    const want = {
      name: 'autoscaling',
      versions: [
        { groupVersion: 'autoscaling/v2', version: 'v2' },
        { groupVersion: 'autoscaling/v1', version: 'v1' },
      ],
      preferredVersion: { groupVersion: 'autoscaling/v2', version: 'v2' },
    }
    assert.deepEqual(autoscaling, want)
    assert.deepEqual(apiGroup('autoscaling'), { kind: 'APIGroup', apiVersion: 'v1', ...want })
  })

  it('/apis/autoscaling/v1 and /v2 list the HPA with the same short names, categories and storage hash', () => {
    const v1 = (apiResourceList('autoscaling', 'v1')!.resources as Doc[])[0]!
    const v2 = (apiResourceList('autoscaling', 'v2')!.resources as Doc[])[0]!
    assert.equal(apiResourceList('autoscaling', 'v1')!.groupVersion, 'autoscaling/v1')
    assert.deepEqual(names(apiResourceList('autoscaling', 'v1')), ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'])
    assert.deepEqual(v1, v2)
    assert.deepEqual([v1.shortNames, v1.categories], [['hpa'], ['all']])
    assert.equal(apiResourceList('autoscaling', 'v3'), undefined)
  })

  it('/api/v1 lists replicationcontrollers with rc, all, and the status and scale subresources', () => {
    const doc = apiResourceList('', 'v1')!
    const rc = (doc.resources as Doc[]).find((r) => r.name === 'replicationcontrollers')!
    assert.deepEqual([rc.kind, rc.shortNames, rc.categories, rc.namespaced], ['ReplicationController', ['rc'], ['all'], true])
    const scale = (doc.resources as Doc[]).find((r) => r.name === 'replicationcontrollers/scale')!
    assert.deepEqual([scale.group, scale.version, scale.kind], ['autoscaling', 'v1', 'Scale'])
    assert.ok(names(doc).includes('replicationcontrollers/status'))
  })

  it('a local APIService per served group version, the preferred one with the higher priority', () => {
    const svcs = localAPIServices().filter((s) => s.spec?.group === 'autoscaling')
    assert.deepEqual(
      svcs.map((s) => [s.metadata?.name, s.spec?.versionPriority]),
      [
        ['v2.autoscaling', 30],
        ['v1.autoscaling', 15],
      ],
    )
  })
})

describe('a request in a version other than the stored one', () => {
  let t: TestApiServer
  before(async () => {
    t = await startTestApiServer()
  })
  after(() => t.stop())

  const V1 = { group: 'autoscaling', version: 'v1', resource: 'horizontalpodautoscalers', namespace: 'default' }
  const V2 = { ...V1, version: 'v2' }
  const hpaV1 = (name: string): KObject => ({
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 },
  })

  it('create, get, list and patch in v1 read and write the stored v2 object', async () => {
    const created = await t.admin.create(V1, hpaV1('a'))
    assert.equal(created.apiVersion, 'autoscaling/v1')
    assert.equal((created.spec as Doc).targetCPUUtilizationPercentage, 80)
    assert.deepEqual(created.status, { currentReplicas: 0, desiredReplicas: 0 })

    const stored = await t.admin.get({ ...V2, name: 'a' })
    assert.equal(stored.apiVersion, 'autoscaling/v2')
    assert.deepEqual((stored.spec as Doc).metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }])

    const list = await t.admin.list(V1)
    assert.deepEqual([list.apiVersion, list.items.map((o) => o.apiVersion)], ['autoscaling/v1', ['autoscaling/v1']])

    const patched = await t.admin.patch({ ...V1, name: 'a' }, { spec: { targetCPUUtilizationPercentage: 60 } })
    assert.equal((patched.spec as Doc).targetCPUUtilizationPercentage, 60)
    const after = await t.admin.get({ ...V2, name: 'a' })
    assert.deepEqual((after.spec as Doc).metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }])
    assert.equal(after.metadata?.generation, 2)
  })

  it('a body of the other version is refused as upstream refuses it', async () => {
    await assert.rejects(
      t.admin.create(V1, { ...hpaV1('b'), apiVersion: 'autoscaling/v2' }),
      /the API version in the data \(autoscaling\/v2\) does not match the expected API version \(autoscaling\/v1\)/,
    )
  })

  it('a watch in v1 converts every event: the initial state and a later write made in v2', async () => {
    const events: WatchEvent[] = []
    const waiters: { n: number; resolve: () => void }[] = []
    const w = t.admin.watch(
      V1,
      {},
      (e) => {
        events.push(e)
        for (const x of waiters) if (events.length >= x.n) x.resolve()
      },
      () => {},
    )
    const seen = (n: number): Promise<void> => new Promise((resolve) => (events.length >= n ? resolve() : waiters.push({ n, resolve })))
    try {
      await seen(1)
      await t.admin.patch({ ...V2, name: 'a' }, { spec: { maxReplicas: 7 } })
      await seen(2)
      assert.deepEqual(
        events.map((e) => [e.type, (e.object as KObject).apiVersion, ((e.object as KObject).spec as Doc).maxReplicas]),
        [
          ['ADDED', 'autoscaling/v1', 5],
          ['MODIFIED', 'autoscaling/v1', 7],
        ],
      )
      assert.equal(((events[1]!.object as KObject).spec as Doc).targetCPUUtilizationPercentage, 60)
    } finally {
      w.stop()
    }
  })
})
