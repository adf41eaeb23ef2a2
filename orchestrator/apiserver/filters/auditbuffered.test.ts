import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { eventually } from '../../testing/eventually.js'
import type { AuditEvent } from './auditevent.js'
import { batchOptionErrors, BATCH_DEFAULTS, BufferedBackend, type AuditBatchOptions } from './auditbuffered.js'
import { fakeEvent } from './auditwebhook.testing.js'

/** A delegate that records each batch (its event numbers and when it came) and answers as told. */
function recorder(answer: (signal: AbortSignal) => Promise<unknown> = () => Promise.resolve(true)) {
  const batches: { ids: string[]; at: number }[] = []
  const signals: AbortSignal[] = []
  return {
    batches,
    signals,
    ids: () => batches.map((b) => b.ids),
    delegate: {
      processEvents: (events: readonly AuditEvent[], signal: AbortSignal) => {
        batches.push({ ids: events.map((e) => e.auditID.slice(3)), at: performance.now() })
        signals.push(signal)
        return answer(signal)
      },
    },
  }
}

const events = (from: number, to: number): AuditEvent[] => Array.from({ length: to - from + 1 }, (_, i) => fakeEvent(from + i))

describe('audit batch mode (--audit-webhook-mode=batch)', () => {
  it("has upstream's defaults", () => {
    assert.deepEqual(
      { ...BATCH_DEFAULTS, shutdownGraceMs: undefined },
      { bufferSize: 10_000, maxBatchSize: 400, maxBatchWaitMs: 30_000, throttleQps: 10, throttleBurst: 15, shutdownGraceMs: undefined },
    )
  })

  // [options, the problem, as upstream's validateBackendBatchOptions words it]
  const invalid: [AuditBatchOptions, RegExp][] = [
    [{ bufferSize: 0 }, /invalid audit webhook batch buffer size 0, must be a positive number/],
    [{ maxBatchSize: -1 }, /invalid audit webhook batch max size -1, must be a positive number/],
    [{ maxBatchWaitMs: 0 }, /invalid audit webhook batch max wait 0ms, must be a positive duration/],
    [{ throttleQps: -1 }, /throttle QPS -1, must not be negative/],
    [{ throttleQps: 5, throttleBurst: 0 }, /batch throttle burst 0, must be a positive number/],
    [{ bufferSize: 10, maxBatchSize: 11 }, /batch max size 11, must not be greater than the buffer size 10/],
  ]
  for (const [opts, problem] of invalid) {
    it(`refuses ${JSON.stringify(opts)}`, () => assert.match(batchOptionErrors('webhook', opts).join('\n'), problem))
  }
  it('accepts the defaults and short waits', () => assert.deepEqual(batchOptionErrors('webhook', { maxBatchWaitMs: 5, throttleQps: 0 }), []))

  // [what, options, events pushed, batches expected before shutdown, batches after it]
  const batching: [string, AuditBatchOptions, number, string[][], string[][]][] = [
    [
      'a full batch goes at once, the rest waits',
      { maxBatchSize: 3, maxBatchWaitMs: 60_000 },
      7,
      [
        ['1', '2', '3'],
        ['4', '5', '6'],
      ],
      [['7']],
    ],
    ['events wait at most the max wait', { maxBatchSize: 400, maxBatchWaitMs: 20 }, 5, [['1', '2', '3', '4', '5']], []],
    ['shutdown sends what is left', { maxBatchSize: 400, maxBatchWaitMs: 60_000 }, 2, [], [['1', '2']]],
  ]
  for (const [what, opts, n, before, after] of batching) {
    it(what, async () => {
      const r = recorder()
      const b = new BufferedBackend(r.delegate, opts, () => assert.fail('nothing is dropped'))
      for (const e of events(1, n)) b.processEvents(e)
      if (before.length) await eventually(`${before.length} batches`, () => r.batches.length >= before.length, 5_000, 5)
      assert.deepEqual(r.ids(), before)
      await b.shutdown()
      assert.deepEqual(r.ids(), [...before, ...after])
    })
  }

  it('drops an event when the buffer is full, with a log line, without waiting', () => {
    const lines: string[] = []
    const b = new BufferedBackend(recorder().delegate, { bufferSize: 3, maxBatchSize: 3 }, (l) => lines.push(l))
    for (const e of events(1, 4)) b.processEvents(e)
    assert.equal(lines.length, 1)
    assert.match(lines[0]!, /^Error in audit plugin 'buffered' affecting 1 audit events: audit buffer queue blocked\nImpacted events:\n.*id="id-4"/)
    return b.shutdown()
  })

  it('sends at most throttleQps batches a second once the burst is used', async () => {
    const r = recorder()
    const b = new BufferedBackend(r.delegate, { maxBatchSize: 1, throttleQps: 20, throttleBurst: 1 })
    for (const e of events(1, 3)) b.processEvents(e)
    await eventually('3 batches', () => r.batches.length === 3, 5_000, 5)
    const gaps = r.batches.slice(1).map((x, i) => x.at - r.batches[i]!.at)
    assert.ok(
      gaps.every((g) => g >= 45),
      `gaps between batches: ${gaps.map((g) => g.toFixed(1)).join(', ')} ms (at 20 qps: 50 ms)`,
    )
    await b.shutdown()
  })

  it('never waits for the receiver: batches go out while earlier ones hang, and shutdown cuts them short after its grace', async () => {
    const r = recorder((signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(false))))
    const b = new BufferedBackend(r.delegate, { maxBatchSize: 2, throttleQps: 0, shutdownGraceMs: 20 })
    for (const e of events(1, 6)) b.processEvents(e)
    await eventually('3 batches in flight', () => b.sending === 3, 5_000, 5)
    assert.equal(b.buffered, 0)
    await b.shutdown()
    assert.ok(r.signals.every((s) => s.aborted))
    assert.equal(b.sending, 0)
  })

  it('reports a delegate that fails, and drops events that come after shutdown', async () => {
    const lines: string[] = []
    const b = new BufferedBackend(recorder(() => Promise.reject(new Error('boom'))).delegate, { maxBatchSize: 2 }, (l) => lines.push(l))
    for (const e of events(1, 2)) b.processEvents(e)
    await b.shutdown()
    b.processEvents(fakeEvent(3))
    assert.equal(lines.length, 2)
    assert.match(lines[0]!, /^Error in audit plugin 'webhook' affecting 2 audit events: boom/)
    assert.match(lines[1]!, /^Error in audit plugin 'buffered' affecting 1 audit events: the audit backend is shut down/)
  })
})
