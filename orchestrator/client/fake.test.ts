import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from '../api/errors.js'
import type { KObject, WatchEvent } from '../api/meta.js'
import type { ResourceRef } from './client.js'
import { FakeClient, FakeRecorder, refOfPath, WRITE_VERBS, type Action } from './fake.js'
import { Informer } from './informer.js'
import { eventually } from '../testing/eventually.js'

const PODS: ResourceRef = { group: '', version: 'v1', resource: 'pods', namespace: 'shop' }
const pods = (name?: string, subresource?: string): ResourceRef => ({ ...PODS, name, subresource })
const NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces' }

const web = (extra: Partial<KObject['metadata']> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' }, ...extra },
  spec: { containers: [{ name: 'app', image: 'i' }] },
  status: { phase: 'Pending' },
})

/** What a failed call answers, or the call's answer. */
async function outcome(p: Promise<unknown>): Promise<{ code: number; reason: string; message: string } | unknown> {
  try {
    return await p
  } catch (e) {
    if (!(e instanceof ApiError)) throw e
    return { code: e.code, reason: e.reason, message: e.message }
  }
}

describe('the fake client: errors as the API server words them', () => {
  const cases: { name: string; seed: KObject[]; call: (c: FakeClient) => Promise<unknown>; want: { code: number; reason: string; message: string } }[] = [
    {
      name: 'get of a missing object is 404 NotFound',
      seed: [],
      call: (c) => c.get(pods('web')),
      want: { code: 404, reason: 'NotFound', message: 'pods "web" not found' },
    },
    {
      name: 'a group is part of the resource in messages',
      seed: [],
      call: (c) => c.get({ group: 'apps', version: 'v1', resource: 'replicasets', namespace: 'shop', name: 'web' }),
      want: { code: 404, reason: 'NotFound', message: 'replicasets.apps "web" not found' },
    },
    {
      name: 'create of a taken name is 409 AlreadyExists',
      seed: [web()],
      call: (c) => c.create(PODS, web()),
      want: { code: 409, reason: 'AlreadyExists', message: 'pods "web" already exists' },
    },
    {
      name: 'create without name or generateName is 422 Invalid',
      seed: [],
      call: (c) => c.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: {} }),
      want: { code: 422, reason: 'Invalid', message: 'Pod "" is invalid: metadata.name: Required value: name or generateName is required' },
    },
    {
      name: 'update with a stale resourceVersion is 409 Conflict',
      seed: [web()],
      call: async (c) => {
        const old = await c.get(pods('web'))
        await c.update(pods('web'), { ...old, metadata: { ...old.metadata, labels: { app: 'web', v: '2' } } })
        return c.update(pods('web'), old)
      },
      want: {
        code: 409,
        reason: 'Conflict',
        message: 'Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again',
      },
    },
    {
      name: 'update of a missing object is 404 NotFound',
      seed: [],
      call: (c) => c.update(pods('web'), web()),
      want: { code: 404, reason: 'NotFound', message: 'pods "web" not found' },
    },
    {
      name: 'a patch that pins an old resourceVersion is 409 Conflict',
      seed: [web()],
      call: (c) => c.patch(pods('web'), { metadata: { resourceVersion: '0', labels: { v: '2' } } }),
      want: {
        code: 409,
        reason: 'Conflict',
        message: 'Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again',
      },
    },
    {
      name: 'a patch that names another uid is 409 Conflict (a precondition)',
      seed: [web({ uid: 'u-1' })],
      call: (c) => c.patch(pods('web'), { metadata: { uid: 'u-2' } }, 'application/strategic-merge-patch+json'),
      want: {
        code: 409,
        reason: 'Conflict',
        message: 'Operation cannot be fulfilled on pods "web": Precondition failed: UID in precondition: u-2, UID in object meta: u-1',
      },
    },
    {
      name: 'delete of a missing object is 404 NotFound',
      seed: [],
      call: (c) => c.delete(pods('web')),
      want: { code: 404, reason: 'NotFound', message: 'pods "web" not found' },
    },
    {
      name: 'delete with a uid precondition that does not hold is 409 Conflict',
      seed: [web({ uid: 'u-1' })],
      call: (c) => c.delete(pods('web'), { preconditions: { uid: 'u-2' } }),
      want: {
        code: 409,
        reason: 'Conflict',
        message: 'Operation cannot be fulfilled on pods "web": Precondition failed: UID in precondition: u-2, UID in object meta: u-1',
      },
    },
    {
      name: 'a patch of an unknown content type is 415',
      seed: [web()],
      call: (c) => c.patch(pods('web'), {}, 'text/plain'),
      want: {
        code: 415,
        reason: 'UnsupportedMediaType',
        message:
          'the body of the request was in an unknown format (text/plain) - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json',
      },
    },
    {
      name: 'a reactor fails the call it matches, after recording it',
      seed: [],
      call: (c) => {
        c.prependReactor('create', 'pods', () => new ApiError(403, 'Forbidden', 'exceeded quota'))
        return c.create(PODS, web())
      },
      want: { code: 403, reason: 'Forbidden', message: 'exceeded quota' },
    },
  ]
  for (const tc of cases) {
    it(tc.name, async () => {
      assert.deepEqual(await outcome(tc.call(new FakeClient(...tc.seed))), tc.want)
    })
  }
})

describe('the fake client: what it stores', () => {
  const cases: { name: string; seed: KObject[]; call: (c: FakeClient) => Promise<unknown>; want: (c: FakeClient) => unknown; equals: unknown }[] = [
    {
      name: 'create sets uid, creationTimestamp, generation and a resourceVersion; generateName gets a suffix',
      seed: [],
      call: (c) => c.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'web-' } }),
      want: (c) => {
        const p = c.stored(pods('web-bbbbc'))!.metadata!
        return [p.name, p.namespace, Boolean(p.uid), Boolean(p.creationTimestamp), p.generation, p.resourceVersion]
      },
      equals: ['web-bbbbc', 'shop', true, true, 1, '1'],
    },
    {
      name: 'every write bumps the resourceVersion; a spec change bumps the generation, a status update does not',
      seed: [web()],
      call: async (c) => {
        const p = await c.get(pods('web'))
        await c.update(pods('web', 'status'), { ...p, status: { phase: 'Running' } })
        await c.patch(pods('web'), { spec: { nodeName: 'node-1' } })
      },
      want: (c) => {
        const p = c.stored(pods('web'))!
        return [p.metadata!.resourceVersion, p.metadata!.generation, (p.status as { phase: string }).phase, (p.spec as { nodeName: string }).nodeName]
      },
      equals: ['3', 2, 'Running', 'node-1'],
    },
    {
      name: 'a plain update leaves the status alone; a status update leaves the rest alone',
      seed: [web()],
      call: async (c) => {
        const p = await c.get(pods('web'))
        await c.update(pods('web'), { ...p, metadata: { ...p.metadata, labels: { app: 'db' } }, status: { phase: 'Failed' } })
        const q = await c.get(pods('web'))
        await c.update(pods('web', 'status'), { ...q, metadata: { ...q.metadata, labels: { app: 'cache' } }, status: { phase: 'Running' } })
      },
      want: (c) => [c.stored(pods('web'))!.metadata!.labels, c.stored(pods('web'))!.status],
      equals: [{ app: 'db' }, { phase: 'Running' }],
    },
    {
      name: 'strategic merge patch merges conditions by type and removes an ownerReference by uid',
      seed: [
        {
          ...web({
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-1' },
              { apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'n-1' },
            ],
          }),
          status: {
            conditions: [
              { type: 'Ready', status: 'False' },
              { type: 'PodScheduled', status: 'True' },
            ],
          },
        },
      ],
      call: async (c) => {
        await c.patch(pods('web'), { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'rs-1' }] } }, 'application/strategic-merge-patch+json')
        await c.patch(pods('web', 'status'), { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'application/strategic-merge-patch+json')
      },
      want: (c) => {
        const p = c.stored(pods('web'))!
        return [p.metadata!.ownerReferences!.map((r) => r.uid), (p.status as { conditions: unknown[] }).conditions]
      },
      equals: [
        ['n-1'],
        [
          { type: 'Ready', status: 'True' },
          { type: 'PodScheduled', status: 'True' },
        ],
      ],
    },
    {
      name: 'an object with finalizers is marked for deletion, and goes when the last finalizer is removed',
      seed: [web({ finalizers: ['example.com/hold'] })],
      call: async (c) => {
        await c.delete(pods('web'))
        const marked = Boolean(c.stored(pods('web'))?.metadata?.deletionTimestamp)
        await c.patch(pods('web'), { metadata: { finalizers: null } })
        return marked
      },
      want: (c) => c.stored(pods('web')),
      equals: undefined,
    },
    {
      name: 'list filters by namespace, label and field selector, sorted by name',
      seed: [
        web({ name: 'b' }),
        web({ name: 'a' }),
        web({ name: 'c', labels: { app: 'db' } }),
        { ...web({ name: 'd' }), spec: { nodeName: 'node-2' } },
        web({ name: 'e', namespace: 'other' }),
      ],
      call: async () => undefined,
      want: async (c: FakeClient) =>
        (await c.list(PODS, { labelSelector: 'app=web', fieldSelector: 'spec.nodeName!=node-2' })).items.map((p) => p.metadata?.name),
      equals: ['a', 'b'],
    },
    {
      name: 'a raw request maps its path to the same calls (namespaces/finalize writes the spec only)',
      seed: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { a: 'b' } }, spec: { finalizers: ['kubernetes'] } }],
      call: (c) =>
        c.request('PUT', '/api/v1/namespaces/shop/finalize', {
          body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' }, spec: { finalizers: [] } },
        }),
      want: (c) => [c.stored({ ...NAMESPACES, name: 'shop' })!.spec, c.stored({ ...NAMESPACES, name: 'shop' })!.metadata!.labels],
      equals: [{ finalizers: [] }, { a: 'b' }],
    },
    {
      name: 'pods/binding sets the node',
      seed: [web()],
      call: (c) =>
        c.request('POST', '/api/v1/namespaces/shop/pods/web/binding', {
          body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { kind: 'Node', name: 'node-1' } },
        }),
      want: (c) => (c.stored(pods('web'))!.spec as { nodeName?: string }).nodeName,
      equals: 'node-1',
    },
  ]
  for (const tc of cases) {
    it(tc.name, async () => {
      const c = new FakeClient(...tc.seed)
      await tc.call(c)
      assert.deepEqual(await tc.want(c), tc.equals)
    })
  }
})

describe('the fake client: actions and watches', () => {
  it('records every call, failed ones too, with what was sent', async () => {
    const c = new FakeClient(web())
    await c.get(pods('web'))
    await c.patch(pods('web'), { metadata: { labels: { v: '2' } } })
    await outcome(c.delete(pods('nope')))
    await c.create(PODS, { metadata: { name: 'db' } })
    const writes = c.actions().filter((a) => WRITE_VERBS.includes(a.verb))
    assert.deepEqual(
      writes.map((a: Action) => [a.verb, a.resource, a.namespace, a.name || a.object?.metadata?.name, a.subresource]),
      [
        ['patch', 'pods', 'shop', 'web', ''],
        ['delete', 'pods', 'shop', 'nope', ''],
        ['create', 'pods', 'shop', 'db', ''],
      ],
    )
    assert.equal(c.actions()[0]!.verb, 'get')
    c.clearActions()
    assert.deepEqual(c.actions(), [])
  })

  it('feeds an informer: list, then the writes as watch events, selections included', async () => {
    const c = new FakeClient(web({ name: 'a' }), web({ name: 'b', labels: { app: 'db' } }))
    const informer = new Informer(c, { group: '', version: 'v1', resource: 'pods' }, { labelSelector: 'app=web' })
    await informer.start()
    assert.deepEqual(
      informer.list().map((p) => p.metadata?.name),
      ['a'],
    )
    await c.create(PODS, web({ name: 'c' }))
    await c.patch(pods('b'), { metadata: { labels: { app: 'web' } } })
    await c.patch(pods('a'), { metadata: { labels: { app: 'db' } } })
    await eventually('the informer follows the writes', () => {
      const names = informer
        .list()
        .map((p) => p.metadata?.name)
        .sort()
      assert.deepEqual(names, ['b', 'c'])
      return true
    })
    informer.stop()
  })

  it('replays the changes after a resourceVersion, in order', async () => {
    const c = new FakeClient(web())
    const { metadata } = await c.list(PODS)
    await c.patch(pods('web'), { metadata: { labels: { v: '2' } } })
    await c.delete(pods('web'))
    const seen: WatchEvent['type'][] = []
    const w = c.watch(
      PODS,
      { resourceVersion: metadata.resourceVersion },
      (e) => seen.push(e.type),
      () => undefined,
    )
    await eventually('both events', () => (assert.deepEqual(seen, ['MODIFIED', 'DELETED']), true))
    w.stop()
  })

  it('maps request paths to references', () => {
    const cases: [string, ResourceRef][] = [
      ['/api/v1/namespaces/shop/pods/web/status', { group: '', version: 'v1', resource: 'pods', namespace: 'shop', name: 'web', subresource: 'status' }],
      ['/api/v1/namespaces/shop', { group: '', version: 'v1', resource: 'namespaces', name: 'shop' }],
      ['/api/v1/namespaces/shop/finalize', { group: '', version: 'v1', resource: 'namespaces', name: 'shop', subresource: 'finalize' }],
      [
        '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases',
        { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-system' },
      ],
      ['/api/v1/nodes?labelSelector=a', { group: '', version: 'v1', resource: 'nodes' }],
    ]
    for (const [path, ref] of cases) assert.deepEqual(refOfPath(path), ref, path)
  })

  it('FakeRecorder keeps events as lines', () => {
    const r = new FakeRecorder()
    r.event(web(), 'Normal', 'SuccessfulCreate', 'Created pod: web')
    assert.deepEqual(r.events, ['Normal SuccessfulCreate Created pod: web'])
  })
})
