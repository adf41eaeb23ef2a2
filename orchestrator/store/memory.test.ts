import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { MemoryStore } from './memory.js'
import { StoreError } from './store.js'
import type { StoreEvent, Store } from './store.js'

function collect(store: Store, prefix: string, from: number): { events: StoreEvent[]; errors: StoreError[]; cancel: () => void; next: (n: number) => Promise<StoreEvent[]> } {
  const events: StoreEvent[] = []
  const errors: StoreError[] = []
  const waiters: (() => void)[] = []
  const w = store.watch(prefix, from, {
    onEvents: (es) => {
      events.push(...es)
      waiters.splice(0).forEach((f) => f())
    },
    onError: (e) => {
      errors.push(e)
      waiters.splice(0).forEach((f) => f())
    },
  })
  const next = async (n: number): Promise<StoreEvent[]> => {
    while (events.length < n && errors.length === 0) await new Promise<void>((r) => waiters.push(r))
    return events.slice(0, n)
  }
  return { events, errors, cancel: () => w.cancel(), next }
}

async function rejects(p: Promise<unknown>, code: string): Promise<StoreError> {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof StoreError, `expected StoreError, got ${String(e)}`)
    assert.equal(e.code, code)
    return e
  }
  assert.fail(`expected ${code}`)
}

describe('MemoryStore revisions', () => {
  it('gives every write the next revision and keeps create/mod revisions and versions', async () => {
    const s = new MemoryStore()
    const r0 = await s.currentRevision()
    const a = await s.create('/a', '1')
    assert.equal(a.createRevision, r0 + 1)
    assert.equal(a.modRevision, r0 + 1)
    assert.equal(a.version, 1)
    const a2 = await s.update('/a', '2', a.modRevision)
    assert.equal(a2.createRevision, a.createRevision)
    assert.equal(a2.modRevision, r0 + 2)
    assert.equal(a2.version, 2)
    await s.create('/b', 'x')
    assert.equal(await s.currentRevision(), r0 + 3)
    const del = await s.delete('/a')
    assert.equal(del.prev.value, '2')
    assert.equal(del.revision, r0 + 4)
    assert.equal(await s.currentRevision(), r0 + 4)
    assert.equal(await s.get('/a'), undefined)
  })

  it('does not move the revision when a write fails', async () => {
    const s = new MemoryStore()
    const a = await s.create('/a', '1')
    const before = await s.currentRevision()
    await rejects(s.create('/a', 'again'), 'KeyExists')
    await rejects(s.update('/a', 'x', a.modRevision - 1), 'Conflict')
    await rejects(s.update('/missing', 'x', 1), 'NotFound')
    await rejects(s.delete('/a', a.modRevision + 5), 'Conflict')
    await rejects(s.delete('/missing'), 'NotFound')
    assert.equal(await s.currentRevision(), before)
    assert.equal((await s.get('/a'))?.value, '1')
  })

  it('reports the current value on a compare-and-swap conflict', async () => {
    const s = new MemoryStore()
    const a = await s.create('/a', '1')
    await s.update('/a', '2', a.modRevision)
    const err = await rejects(s.update('/a', '3', a.modRevision), 'Conflict')
    assert.equal(err.current?.value, '2')
  })

  it('reads a range by prefix at the current and at a past revision, with paging', async () => {
    const s = new MemoryStore()
    await s.create('/pods/ns1/a', 'a1')
    await s.create('/pods/ns1/b', 'b1')
    const mid = await s.currentRevision()
    await s.create('/pods/ns2/c', 'c1')
    await s.update('/pods/ns1/a', 'a2', (await s.get('/pods/ns1/a'))!.modRevision)
    await s.delete('/pods/ns1/b')
    await s.create('/podsx/z', 'not under /pods/')

    const now = await s.range('/pods/')
    assert.deepEqual(now.kvs.map((k) => `${k.key}=${k.value}`), ['/pods/ns1/a=a2', '/pods/ns2/c=c1'])
    const past = await s.range('/pods/', { revision: mid })
    assert.deepEqual(past.kvs.map((k) => `${k.key}=${k.value}`), ['/pods/ns1/a=a1', '/pods/ns1/b=b1'])
    assert.equal(past.revision, mid)

    const page1 = await s.range('/pods/', { limit: 1 })
    assert.equal(page1.kvs.length, 1)
    assert.equal(page1.more, true)
    const page2 = await s.range('/pods/', { limit: 1, startAfter: page1.kvs[0]!.key, revision: page1.revision })
    assert.deepEqual(page2.kvs.map((k) => k.key), ['/pods/ns2/c'])
    assert.equal(page2.more, false)
  })

  it('keeps keys in order however they were created, between reads and across compaction', async () => {
    const s = new MemoryStore({ historyLimit: 50 })
    const names = Array.from({ length: 200 }, (_, i) => `/pods/ns/p${(i * 7919) % 200}`)
    for (const [i, k] of names.entries()) {
      await s.create(k, 'v')
      if (i === 100) assert.equal((await s.range('/pods/')).kvs.length, 101)
    }
    await s.delete('/pods/ns/p5')
    await s.create('/pods/ns/p5', 'again')
    const keys = (await s.range('/pods/')).kvs.map((kv) => kv.key)
    assert.equal(keys.length, 200)
    assert.deepEqual(keys, [...keys].sort())
    const page = await s.range('/pods/', { startAfter: keys[49], limit: 10 })
    assert.deepEqual(page.kvs.map((kv) => kv.key), keys.slice(50, 60))
  })

  it('refuses reads at a future revision', async () => {
    const s = new MemoryStore()
    await rejects(s.range('/', { revision: 1000 }), 'FutureRevision')
  })
})

describe('MemoryStore watch', () => {
  it('delivers live events asynchronously and in revision order', async () => {
    const s = new MemoryStore()
    const w = collect(s, '/x/', (await s.currentRevision()) + 1)
    const a = await s.create('/x/a', '1')
    assert.equal(w.events.length, 0, 'delivery must not happen inside the write')
    await s.update('/x/a', '2', a.modRevision)
    await s.create('/y/other', 'ignored')
    await s.delete('/x/a')
    const got = await w.next(3)
    assert.deepEqual(got.map((e) => e.type), ['put', 'put', 'delete'])
    const revs = got.map((e) => e.kv.modRevision)
    assert.deepEqual(revs, [...revs].sort((p, q) => p - q))
    assert.equal(got[1]!.type === 'put' && got[1]!.prevKv?.value, '1')
    assert.equal(got[2]!.prevKv?.value, '2')
    w.cancel()
  })

  it('replays history from a past revision, then streams live events, each once', async () => {
    const s = new MemoryStore()
    const a = await s.create('/x/a', '1')
    await s.create('/x/b', '1')
    await s.update('/x/a', '2', a.modRevision)
    const w = collect(s, '/x/', a.modRevision)
    await s.create('/x/c', '1')
    const got = await w.next(4)
    assert.deepEqual(got.map((e) => `${e.type}:${e.kv.key}`), ['put:/x/a', 'put:/x/b', 'put:/x/a', 'put:/x/c'])
    assert.equal(new Set(got.map((e) => e.kv.modRevision)).size, 4)
    w.cancel()
  })

  it('stops delivering after cancel', async () => {
    const s = new MemoryStore()
    const w = collect(s, '/x/', 0)
    w.cancel()
    await s.create('/x/a', '1')
    await new Promise((r) => setImmediate(r))
    assert.equal(w.events.length, 0)
  })

  it('ends a watch from a compacted revision with Compacted', async () => {
    const s = new MemoryStore()
    const a = await s.create('/x/a', '1')
    await s.update('/x/a', '2', a.modRevision)
    const rev = await s.currentRevision()
    await s.compact(rev)
    const w = collect(s, '/x/', a.modRevision)
    await w.next(1)
    assert.equal(w.errors[0]?.code, 'Compacted')
    assert.equal(w.errors[0]?.compactRevision, rev)
    await rejects(s.range('/x/', { revision: a.modRevision }), 'Compacted')
    assert.equal((await s.get('/x/a'))?.value, '2', 'compaction keeps the latest values')
  })

  it('compacts automatically beyond the history limit, keeping the newest events', async () => {
    const s = new MemoryStore({ historyLimit: 10 })
    let kv = await s.create('/k', '0')
    for (let i = 1; i <= 30; i++) kv = await s.update('/k', String(i), kv.modRevision)
    const w = collect(s, '/k', kv.modRevision - 2)
    const got = await w.next(3)
    assert.deepEqual(got.map((e) => e.kv.value), ['28', '29', '30'])
    const old = collect(s, '/k', 2)
    await old.next(1)
    assert.equal(old.errors[0]?.code, 'Compacted')
  })
})

describe('MemoryStore snapshot and restore', () => {
  it('restores the content of a snapshot, never moving the revision backwards', async () => {
    const s = new MemoryStore()
    await s.create('/keep', 'before')
    const snap = await s.snapshot()
    await s.create('/later', 'after')
    const revBefore = await s.currentRevision()
    const w = collect(s, '/', revBefore + 1)
    await s.restore(snap)
    assert.equal((await s.get('/keep'))?.value, 'before')
    assert.equal(await s.get('/later'), undefined)
    assert.ok((await s.currentRevision()) > revBefore)
    await w.next(1)
    assert.equal(w.errors[0]?.code, 'Compacted', 'open watches end so clients relist')
    const kv = await s.create('/new', 'x')
    assert.ok(kv.modRevision > revBefore)
  })

  it('rejects a snapshot it cannot read and keeps its data', async () => {
    const s = new MemoryStore()
    await s.create('/a', '1')
    await rejects(s.restore(new TextEncoder().encode('garbage')), 'Unavailable')
    assert.equal((await s.get('/a'))?.value, '1')
  })
})
