import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import { lookupResource } from '../../api/resources.js'
import { MemoryStore } from '../../store/memory.js'
import type { KeyValue } from '../../store/store.js'
import { Registry } from './store.js'
import type { RequestContext } from './strategy.js'
import { buildStrategies } from './strategies/index.js'
import { Trace } from '../trace.js'

/** A store where another writer slips in just before the first update of `key`. */
class RacingStore extends MemoryStore {
  raced = false
  constructor(private readonly key: string) {
    super()
  }
  override async update(key: string, value: string, expected: number): Promise<KeyValue> {
    if (key === this.key && !this.raced) {
      this.raced = true
      const cur = (await this.get(key))!
      const o = JSON.parse(cur.value) as { data?: Record<string, string> }
      await super.update(key, JSON.stringify({ ...o, data: { ...o.data, other: 'writer' } }), cur.modRevision)
    }
    return super.update(key, value, expected)
  }
}

const ctx: RequestContext = { requestId: 'test', user: { name: 'kubernetes-admin', groups: ['system:masters'] } }
const CONFIGMAPS = lookupResource('', 'configmaps')!
const cm: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: '1' } }

describe('registry updates under a concurrent write', () => {
  it("retries an update that pins no resourceVersion (a patch), keeping the other writer's change", async () => {
    const store = new RacingStore('/registry/configmaps/default/c')
    const registry = new Registry(store, new Trace('t'), { mutating: [], validating: [] }, { strategies: buildStrategies() })
    await registry.create(ctx, CONFIGMAPS, 'default', structuredClone(cm))
    const { obj } = await registry.guaranteedUpdate(ctx, CONFIGMAPS, 'default', 'c', '', (current) => ({
      ...current,
      data: { ...(current.data as object), b: '2' },
    }))
    assert.equal(store.raced, true)
    assert.deepEqual(obj.data, { a: '1', other: 'writer', b: '2' })
  })

  it('answers 409 when the client pinned the resourceVersion the other writer replaced', async () => {
    const store = new RacingStore('/registry/configmaps/default/c')
    const registry = new Registry(store, new Trace('t'), { mutating: [], validating: [] }, { strategies: buildStrategies() })
    const created = await registry.create(ctx, CONFIGMAPS, 'default', structuredClone(cm))
    await assert.rejects(
      registry.update(ctx, CONFIGMAPS, 'default', 'c', '', {
        ...cm,
        metadata: { ...cm.metadata, resourceVersion: created.metadata.resourceVersion },
        data: { a: '3' },
      }),
      (e: unknown) => e instanceof ApiError && e.code === 409,
    )
  })
})
