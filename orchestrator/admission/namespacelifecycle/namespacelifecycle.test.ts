import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KObject } from '../../api/meta.js'
import type { AdmissionReader } from '../admission.js'
import { attrs, refusal } from '../testing.js'
import { NamespaceLifecycle } from './namespacelifecycle.js'

const ns = (name: string, phase = 'Active'): KObject => ({ metadata: { name }, status: { phase } }) as KObject

/** A reader with a namespace cache and a store that may disagree, counting live reads. */
function reader(cached: KObject[], stored: KObject[]): AdmissionReader & { liveGets: number } {
  return {
    liveGets: 0,
    async get(_group, _resource, _namespace, name) {
      this.liveGets++
      return stored.find((o) => o.metadata?.name === name)
    },
    async list() {
      return []
    },
    cachedNamespace(name) {
      return cached.find((o) => o.metadata?.name === name)
    },
    async resourceQuotas() {
      return []
    },
  }
}

describe('NamespaceLifecycle', () => {
  const cases: { name: string; cached: KObject[]; stored: KObject[]; deletedFirst?: boolean; resource?: string; want?: string; liveGets: number }[] = [
    { name: 'cache hit, Active: admitted without a live read', cached: [ns('team-a')], stored: [ns('team-a')], liveGets: 0 },
    { name: 'cache miss, in the store (created through another API server): live read admits', cached: [], stored: [ns('team-a')], liveGets: 1 },
    { name: 'cache miss, not in the store: 404', cached: [], stored: [], want: '404 namespaces "team-a" not found', liveGets: 1 },
    {
      name: 'Terminating in the cache: refused without a live read',
      cached: [ns('team-a', 'Terminating')],
      stored: [ns('team-a', 'Terminating')],
      want: '403 pods "p" is forbidden: unable to create new content in namespace team-a because it is being terminated',
      liveGets: 0,
    },
    {
      name: 'Terminating in the cache: events are still admitted',
      cached: [ns('team-a', 'Terminating')],
      stored: [ns('team-a', 'Terminating')],
      resource: 'events',
      liveGets: 0,
    },
    {
      name: 'deleted here a moment ago, the cache still says Active: live read refuses',
      cached: [ns('team-a')],
      stored: [ns('team-a', 'Terminating')],
      deletedFirst: true,
      want: '403 pods "p" is forbidden: unable to create new content in namespace team-a because it is being terminated',
      liveGets: 1,
    },
    {
      name: 'deleted here a moment ago and gone from the store: 404',
      cached: [ns('team-a')],
      stored: [],
      deletedFirst: true,
      want: '404 namespaces "team-a" not found',
      liveGets: 1,
    },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      const plugin = new NamespaceLifecycle()
      const r = reader(c.cached, c.stored)
      if (c.deletedFirst) await plugin.admit(attrs('namespaces', 'DELETE', undefined, { oldObject: ns('team-a'), namespace: '' }), r)
      const got = await refusal(plugin.admit(attrs(c.resource ?? 'pods', 'CREATE', { metadata: { name: 'p' } }), r))
      assert.equal(got && `${got.code} ${got.message}`, c.want)
      assert.equal(r.liveGets, c.liveGets)
    })
  }

  it('trusts the cache again once forceLiveLookupTTL has passed', async () => {
    let now = 0
    const plugin = new NamespaceLifecycle(30_000, () => now)
    const r = reader([ns('team-a')], [ns('team-a')])
    await plugin.admit(attrs('namespaces', 'DELETE', undefined, { oldObject: ns('team-a'), namespace: '' }), r)
    for (const [at, want] of [
      [29_999, 1],
      [30_001, 1],
      [40_000, 1],
    ] as const) {
      now = at
      await plugin.admit(attrs('pods', 'CREATE', { metadata: { name: 'p' } }), r)
      assert.equal(r.liveGets, want, `at ${at} ms`)
    }
  })

  it('refuses to delete a system namespace', async () => {
    const got = await refusal(
      new NamespaceLifecycle().admit(attrs('namespaces', 'DELETE', undefined, { oldObject: ns('kube-system'), namespace: '' }), reader([], [])),
    )
    assert.equal(got?.code, 403)
    assert.match(got!.message, /this namespace may not be deleted/)
  })
})
