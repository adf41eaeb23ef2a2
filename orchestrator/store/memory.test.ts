import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { MemoryStore } from './memory.js'
import { collect, rejects, storeContract } from './contract.js'

storeContract('MemoryStore', async () => new MemoryStore(), { onlineRestore: true })

describe('MemoryStore specifics', () => {
  it('compacts automatically beyond the history limit, keeping the newest events', async () => {
    const s = new MemoryStore({ historyLimit: 10 })
    let kv = await s.create('/k', '0')
    for (let i = 1; i <= 30; i++) kv = await s.update('/k', String(i), kv.modRevision)
    const w = collect(s, '/k', kv.modRevision - 2)
    const got = await w.next(3)
    assert.deepEqual(
      got.map((e) => e.kv.value),
      ['28', '29', '30'],
    )
    const old = collect(s, '/k', 2)
    await old.next(1)
    assert.equal(old.errors[0]?.code, 'Compacted')
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
    assert.deepEqual(
      page.kvs.map((kv) => kv.key),
      keys.slice(50, 60),
    )
  })

  it('rejects a snapshot it cannot read and keeps its data', async () => {
    const s = new MemoryStore()
    await s.create('/a', '1')
    await rejects(s.restore(new TextEncoder().encode('garbage')), 'Unavailable')
    assert.equal((await s.get('/a'))?.value, '1')
  })
})
