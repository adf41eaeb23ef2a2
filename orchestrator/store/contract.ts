// The Store contract as a test suite that every implementation runs (the memory store and the
// etcd store), so "etcd-shaped" means the same thing for both: revisions, atomic writes with
// compare-and-swap, ranges at past revisions with paging, ordered watches with history replay,
// and compaction. Mirrors k8s.io/apiserver/pkg/storage/testing (the storage test suite every
// storage.Interface runs). Node:test only; imported by x.test.ts files, never at run time.

import { describe, it, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { StoreError } from './store.js'
import type { Store, StoreEvent } from './store.js'

export interface Collected {
  events: StoreEvent[]
  errors: StoreError[]
  cancel: () => void
  /** Waits until `n` events (or an error) arrived; returns the first n. */
  next: (n: number) => Promise<StoreEvent[]>
}

export function collect(store: Store, prefix: string, from: number): Collected {
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

export async function rejects(p: Promise<unknown>, code: string): Promise<StoreError> {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof StoreError, `expected StoreError, got ${String(e)}`)
    assert.equal(e.code, code, e.message)
    return e
  }
  assert.fail(`expected ${code}`)
}

export interface ContractOptions {
  /** Whether `restore` replaces the content in place (the memory store; etcd restores offline). */
  onlineRestore: boolean
}

/** Registers the contract tests for one implementation; `fresh` returns an empty store. */
export function storeContract(name: string, fresh: () => Promise<Store>, opts: ContractOptions): void {
  const opened: Store[] = []
  const open = async (): Promise<Store> => {
    const s = await fresh()
    opened.push(s)
    return s
  }
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close()
  })

  describe(`${name}: revisions`, () => {
    it('gives every write the next revision and keeps create/mod revisions and versions', async () => {
      const s = await open()
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
      const s = await open()
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
      const s = await open()
      const a = await s.create('/a', '1')
      await s.update('/a', '2', a.modRevision)
      const err = await rejects(s.update('/a', '3', a.modRevision), 'Conflict')
      assert.equal(err.current?.value, '2')
    })

    it('reads a range by prefix at the current and at a past revision, with paging', async () => {
      const s = await open()
      await s.create('/pods/ns1/a', 'a1')
      await s.create('/pods/ns1/b', 'b1')
      const mid = await s.currentRevision()
      await s.create('/pods/ns2/c', 'c1')
      await s.update('/pods/ns1/a', 'a2', (await s.get('/pods/ns1/a'))!.modRevision)
      await s.delete('/pods/ns1/b')
      await s.create('/podsx/z', 'not under /pods/')

      const now = await s.range('/pods/')
      assert.deepEqual(
        now.kvs.map((k) => `${k.key}=${k.value}`),
        ['/pods/ns1/a=a2', '/pods/ns2/c=c1'],
      )
      const past = await s.range('/pods/', { revision: mid })
      assert.deepEqual(
        past.kvs.map((k) => `${k.key}=${k.value}`),
        ['/pods/ns1/a=a1', '/pods/ns1/b=b1'],
      )
      assert.equal(past.revision, mid)

      const page1 = await s.range('/pods/', { limit: 1 })
      assert.equal(page1.kvs.length, 1)
      assert.equal(page1.more, true)
      const page2 = await s.range('/pods/', { limit: 1, startAfter: page1.kvs[0]!.key, revision: page1.revision })
      assert.deepEqual(
        page2.kvs.map((k) => k.key),
        ['/pods/ns2/c'],
      )
      assert.equal(page2.more, false)
    })

    it('refuses reads at a future revision', async () => {
      const s = await open()
      await rejects(s.range('/', { revision: 1000 }), 'FutureRevision')
    })
  })

  describe(`${name}: watch`, () => {
    it('delivers live events asynchronously and in revision order', async () => {
      const s = await open()
      let insideWrite = false
      let deliveredInside = false
      s.watch('/x/', (await s.currentRevision()) + 1, { onEvents: () => (deliveredInside ||= insideWrite), onError: () => undefined })
      const w = collect(s, '/x/', (await s.currentRevision()) + 1)
      insideWrite = true
      const writing = s.create('/x/a', '1')
      insideWrite = false
      const a = await writing
      assert.equal(deliveredInside, false, 'delivery must not happen inside the write')
      await s.update('/x/a', '2', a.modRevision)
      await s.create('/y/other', 'ignored')
      await s.delete('/x/a')
      const got = await w.next(3)
      assert.deepEqual(
        got.map((e) => e.type),
        ['put', 'put', 'delete'],
      )
      const revs = got.map((e) => e.kv.modRevision)
      assert.deepEqual(
        revs,
        [...revs].sort((p, q) => p - q),
      )
      assert.equal(got[1]!.type === 'put' && got[1]!.prevKv?.value, '1')
      assert.equal(got[2]!.prevKv?.value, '2')
      w.cancel()
    })

    it('replays history from a past revision, then streams live events, each once', async () => {
      const s = await open()
      const a = await s.create('/x/a', '1')
      await s.create('/x/b', '1')
      await s.update('/x/a', '2', a.modRevision)
      const w = collect(s, '/x/', a.modRevision)
      await s.create('/x/c', '1')
      const got = await w.next(4)
      assert.deepEqual(
        got.map((e) => `${e.type}:${e.kv.key}`),
        ['put:/x/a', 'put:/x/b', 'put:/x/a', 'put:/x/c'],
      )
      assert.equal(new Set(got.map((e) => e.kv.modRevision)).size, 4)
      w.cancel()
    })

    it('stops delivering after cancel', async () => {
      const s = await open()
      const w = collect(s, '/x/', 0)
      w.cancel()
      await s.create('/x/a', '1')
      await new Promise((r) => setTimeout(r, 50))
      assert.equal(w.events.length, 0)
    })

    it('ends a watch from a compacted revision with Compacted', async () => {
      const s = await open()
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
  })

  if (opts.onlineRestore) {
    describe(`${name}: snapshot and restore`, () => {
      it('restores the content of a snapshot, never moving the revision backwards', async () => {
        const s = await open()
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
    })
  }
}
