import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { MemoryStore } from '../../store/memory.js'
import type { StoreEvent } from '../../store/store.js'
import { WatchHub } from './watchhub.js'

const pod = (node?: string): string => JSON.stringify({ kind: 'Pod', metadata: { name: 'x' }, spec: node ? { nodeName: node } : {} })
const nodeOf = (kv: { value: string }): string | undefined => (kv.value ? (JSON.parse(kv.value) as { spec?: { nodeName?: string } }).spec?.nodeName : undefined)

function collect(hub: WatchHub, node: string, from: number): { events: StoreEvent[]; errors: string[]; cancel: () => void } {
  const events: StoreEvent[] = []
  const errors: string[] = []
  const w = hub.watch(node, from, { onEvents: (es) => events.push(...es), onError: (e) => errors.push(e.code) })
  return { events, errors, cancel: () => w.cancel() }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r))
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await tick()
}

describe('WatchHub', () => {
  it('hands each event only to the watches of the node the object was and is on', async () => {
    const store = new MemoryStore()
    const hub = new WatchHub(store, '/registry/pods/', nodeOf)
    const start = (await store.currentRevision()) + 1
    const a = collect(hub, 'node-a', start)
    const b = collect(hub, 'node-b', start)
    await store.create('/registry/pods/ns/p1', pod())
    const p2 = await store.create('/registry/pods/ns/p2', pod('node-a'))
    await store.update('/registry/pods/ns/p2', pod('node-b'), p2.modRevision) // moved: both see it
    await store.create('/registry/pods/ns/p3', pod('node-b'))
    await settle()
    assert.deepEqual(
      a.events.map((e) => `${e.type} ${e.kv.key}`),
      ['put /registry/pods/ns/p2', 'put /registry/pods/ns/p2'],
    )
    assert.deepEqual(
      b.events.map((e) => `${e.type} ${e.kv.key}`),
      ['put /registry/pods/ns/p2', 'put /registry/pods/ns/p3'],
    )
    await store.delete('/registry/pods/ns/p3')
    await settle()
    assert.equal(b.events.at(-1)?.type, 'delete')
    assert.equal(a.events.length, 2)
    a.cancel()
    b.cancel()
    assert.equal(hub.size, 0)
  })

  it('starts a later watch from a past revision out of the events it remembers', async () => {
    const store = new MemoryStore()
    const hub = new WatchHub(store, '/registry/pods/', nodeOf)
    const first = collect(hub, 'node-a', (await store.currentRevision()) + 1)
    const c1 = await store.create('/registry/pods/ns/p1', pod('node-a'))
    await store.create('/registry/pods/ns/p2', pod('node-a'))
    await settle()
    const late = collect(hub, 'node-a', c1.modRevision + 1)
    await store.create('/registry/pods/ns/p3', pod('node-a'))
    await settle()
    assert.deepEqual(
      late.events.map((e) => e.kv.key),
      ['/registry/pods/ns/p2', '/registry/pods/ns/p3'],
    )
    assert.equal(first.events.length, 3)
    first.cancel()
    late.cancel()
  })

  it('falls back to a store watch of its own for a start older than it remembers', async () => {
    const store = new MemoryStore()
    const early = await store.create('/registry/pods/ns/p0', pod('node-a'))
    const hub = new WatchHub(store, '/registry/pods/', nodeOf, { bufferSize: 1 })
    const w = collect(hub, 'node-b', (await store.currentRevision()) + 1)
    for (let i = 1; i <= 4; i++) await store.create(`/registry/pods/ns/p${i}`, pod('node-b'))
    await settle()
    const old = collect(hub, 'node-a', early.modRevision) // its own store watch: every pod event
    await settle()
    assert.ok(old.events.some((e) => e.kv.key === '/registry/pods/ns/p0'))
    assert.equal(w.events.length, 4)
    w.cancel()
    old.cancel()
  })

  it('ends every watch when the shared store watch ends (a compaction: clients relist)', async () => {
    const store = new MemoryStore()
    const hub = new WatchHub(store, '/registry/pods/', nodeOf)
    const a = collect(hub, 'node-a', (await store.currentRevision()) + 1)
    await store.close()
    await settle()
    assert.deepEqual(a.errors, ['Unavailable'])
    assert.equal(hub.size, 0)
  })
})
