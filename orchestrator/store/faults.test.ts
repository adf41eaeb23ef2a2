import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { MemoryStore } from './memory.js'
import { FaultInjectingStore } from './faults.js'
import { storeContract } from './contract.js'

// the wrapper keeps the Store contract whatever it notes
storeContract('FaultInjectingStore', async () => new FaultInjectingStore(new MemoryStore()), { onlineRestore: true })

describe('FaultInjectingStore', () => {
  const cases: { name: string; delayMs: number; atLeastMs: number; atMostMs: number }[] = [
    { name: 'acknowledges at once without the fault', delayMs: 0, atLeastMs: 0, atMostMs: 50 },
    { name: 'holds the acknowledgement back for the stated time', delayMs: 80, atLeastMs: 79, atMostMs: 200 },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      const s = new FaultInjectingStore(new MemoryStore())
      s.delayAcknowledgements(c.delayMs)
      const before = await s.currentRevision()
      const kv = await s.create('/k', 'v')
      // the write itself is in the store at once
      assert.equal((await s.inner.get('/k'))?.value, 'v')
      const [ack] = s.acknowledgementsSince(before)
      assert.equal(ack?.revision, kv.modRevision)
      assert.equal(ack?.op, 'create')
      const took = ack!.acknowledgedAt - ack!.receivedAt
      assert.ok(took >= c.atLeastMs && took <= c.atMostMs, `acknowledged after ${took} ms, not between ${c.atLeastMs} and ${c.atMostMs}`)
    })
  }

  it('notes updates and deletes with their revisions, and not failed writes', async () => {
    const s = new FaultInjectingStore(new MemoryStore())
    const kv = await s.create('/k', '1')
    const up = await s.update('/k', '2', kv.modRevision)
    await assert.rejects(s.update('/k', '3', kv.modRevision))
    const del = await s.delete('/k')
    assert.deepEqual(
      s.acknowledgementsSince(0).map((a) => [a.op, a.revision]),
      [
        ['create', kv.modRevision],
        ['update', up.modRevision],
        ['delete', del.revision],
      ],
    )
    assert.deepEqual(
      s.acknowledgementsSince(up.modRevision).map((a) => a.op),
      ['delete'],
    )
  })

  it('holds a slow commit back: the write is not in the store before it is acknowledged', async () => {
    const s = new FaultInjectingStore(new MemoryStore())
    s.delayCommits(80)
    const before = await s.currentRevision()
    const pending = s.create('/k', 'v')
    await new Promise((resolve) => setTimeout(resolve, 40))
    assert.equal(await s.inner.get('/k'), undefined)
    const kv = await pending
    const [ack] = s.acknowledgementsSince(before)
    assert.equal(ack?.revision, kv.modRevision)
    const took = ack!.acknowledgedAt - ack!.receivedAt
    assert.ok(took >= 79 && took <= 200, `committed after ${took} ms, not between 79 and 200`)
    s.delayCommits(0)
    const t = performance.now()
    await s.update('/k', 'w', kv.modRevision)
    assert.ok(performance.now() - t < 50, 'a healed store commits at once')
  })

  it('refuses a negative delay', () => {
    assert.throws(() => new FaultInjectingStore(new MemoryStore()).delayAcknowledgements(-1))
    assert.throws(() => new FaultInjectingStore(new MemoryStore()).delayCommits(-1))
  })
})
