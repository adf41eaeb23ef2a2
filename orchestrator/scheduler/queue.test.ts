import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { pod } from './framework/testing.js'
import { SchedulingQueue } from './queue.js'

describe('SchedulingQueue', () => {
  it('pops higher priority first, then the oldest', async () => {
    let now = 1000
    const q = new SchedulingQueue(undefined, () => now)
    q.add(pod('a'))
    now++
    q.add(pod('b', { priority: 10 }))
    now++
    q.add(pod('c'))
    const order = [await q.pop(), await q.pop(), await q.pop()].map((x) => x!.pi.pod.metadata!.name)
    assert.deepEqual(order, ['b', 'a', 'c'])
    q.close()
  })

  it('keeps an unschedulable pod until a relevant event, then backs it off before retrying', async () => {
    let now = 0
    const q = new SchedulingQueue({ podInitialBackoffMs: 1000, podMaxBackoffMs: 10_000, podMaxInUnschedulablePodsDurationMs: 300_000 }, () => now)
    q.add(pod('p'))
    const first = (await q.pop())!
    first.unschedulablePlugins = new Set(['NodeResourcesFit'])
    q.addUnschedulable(first, q.cycle)
    q.moveAllToActiveOrBackoff('AssignedPodAdd') // only InterPodAffinity cares
    q.flushBackoffCompleted()
    let got: unknown
    void q.pop().then((x) => (got = x))
    await new Promise((r) => setImmediate(r))
    assert.equal(got, undefined, 'still unschedulable')
    q.moveAllToActiveOrBackoff('AssignedPodDelete') // resources freed: back off 1s
    q.flushBackoffCompleted()
    await new Promise((r) => setImmediate(r))
    assert.equal(got, undefined, 'still backing off')
    now += 1000
    q.flushBackoffCompleted()
    await new Promise((r) => setImmediate(r))
    assert.equal((got as unknown as { attempts: number }).attempts, 2)
    q.close()
  })

  it('backs off 1s, 2s, 4s ... up to 10s', () => {
    const q = new SchedulingQueue()
    const qpi = { attempts: 0 } as Parameters<SchedulingQueue['backoffDuration']>[0]
    const seen = [1, 2, 3, 4, 5, 6].map((a) => q.backoffDuration({ ...qpi, attempts: a }))
    assert.deepEqual(seen, [1000, 2000, 4000, 8000, 10_000, 10_000])
  })

  it('retries at once (after back-off) a pod whose cycle overlapped a cluster change', async () => {
    let now = 0
    const q = new SchedulingQueue(undefined, () => now)
    q.add(pod('p'))
    const p = (await q.pop())!
    const cycle = q.cycle
    q.moveAllToActiveOrBackoff('NodeAdd') // while p was being scheduled
    p.unschedulablePlugins = new Set(['NodeAffinity'])
    q.addUnschedulable(p, cycle)
    now += 1000
    q.flushBackoffCompleted()
    assert.equal((await q.pop())!.pi.uid, p.pi.uid)
    q.close()
  })

  it('forgets deleted pods and releases poppers on close', async () => {
    const q = new SchedulingQueue()
    const p = pod('p')
    q.add(p)
    q.delete(p)
    const waiting = q.pop()
    q.close()
    assert.equal(await waiting, undefined)
  })
})
