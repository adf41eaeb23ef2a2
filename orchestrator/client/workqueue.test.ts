import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { WorkQueue } from './workqueue.js'

describe('WorkQueue', () => {
  it('holds a key at most once while it waits', async () => {
    const q = new WorkQueue()
    q.add('a')
    q.add('b')
    q.add('a')
    assert.equal(q.length, 2)
    assert.equal(await q.get(), 'a')
    assert.equal(await q.get(), 'b')
    q.shutDown()
  })

  it('never hands a key to two workers: a re-add while processing comes back after done()', async () => {
    const q = new WorkQueue()
    q.add('a')
    const key = await q.get()
    q.add('a')
    assert.equal(q.length, 0, 'not queued while being processed')
    let second: string | undefined
    const waiting = q.get().then((k) => (second = k))
    await new Promise((r) => setImmediate(r))
    assert.equal(second, undefined)
    q.done(key!)
    await waiting
    assert.equal(second, 'a')
    q.shutDown()
  })

  it('hands a key straight to a waiting worker', async () => {
    const q = new WorkQueue()
    const got = q.get()
    q.add('x')
    assert.equal(await got, 'x')
    q.shutDown()
  })

  it('retries failed keys with exponential back-off up to the cap, and forgets on success', async () => {
    const q = new WorkQueue({ baseMs: 10, maxMs: 40 })
    const delays: number[] = []
    const t0 = performance.now()
    for (let i = 0; i < 4; i++) {
      const before = performance.now()
      q.addRateLimited('k')
      const k = await q.get()
      delays.push(performance.now() - before)
      q.done(k!)
    }
    assert.equal(q.retries('k'), 4)
    // 10, 20, 40, 40 (capped): timers may fire late, never early
    assert.ok(delays[0]! >= 9 && delays[1]! >= 19 && delays[2]! >= 39 && delays[3]! >= 39, `delays ${delays.map((d) => d.toFixed(0)).join(',')}`)
    assert.ok(performance.now() - t0 < 2000)
    q.forget('k')
    assert.equal(q.retries('k'), 0)
    q.shutDown()
  })

  it('addAfter keeps the earliest pending delay', async () => {
    const q = new WorkQueue()
    q.addAfter('k', 20)
    q.addAfter('k', 5000)
    const t0 = performance.now()
    assert.equal(await q.get(), 'k')
    assert.ok(performance.now() - t0 < 1000)
    q.shutDown()
  })

  it('releases waiting workers on shutdown and takes no more keys', async () => {
    const q = new WorkQueue()
    const waiting = q.get()
    q.shutDown()
    assert.equal(await waiting, undefined)
    q.add('a')
    assert.equal(await q.get(), undefined)
  })
})
