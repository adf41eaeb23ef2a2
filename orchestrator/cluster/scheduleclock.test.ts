import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { AdvanceableClock } from './scheduleclock.js'

describe('the schedule clock', () => {
  it('is the real time plus what was advanced, tells its listeners, and never goes back', () => {
    let real = 1_000
    const clock = new AdvanceableClock(() => real)
    const heard: number[] = []
    const stop = clock.onAdvance(() => heard.push(clock.now()))
    assert.equal(clock.now(), 1_000)
    clock.advance(3_600_000)
    real = 1_500
    assert.equal(clock.now(), 3_601_500)
    assert.deepEqual(heard, [3_601_000])
    assert.throws(() => clock.advance(-1), /only moves forward/)
    stop()
    clock.advance(10)
    assert.deepEqual(heard, [3_601_000])
    assert.equal(clock.offset, 3_600_010)
  })
})
