import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { eventually, holdsWithin } from './eventually.js'

describe('eventually / holdsWithin', () => {
  it('returns the first truthy value; throws count as not yet', async () => {
    let n = 0
    assert.equal(await eventually('three calls', () => (++n < 2 ? Promise.reject(new Error('no')) : n >= 3 && n), 1_000, 1), 3)
  })
  it('fails with what was awaited and the last error', async () => {
    await assert.rejects(
      eventually('a pony', () => Promise.reject(new Error('none here')), 30, 5),
      /a pony: not true within 30 ms \(last: none here\)/,
    )
  })
  const cases: [string, () => boolean, boolean][] = [
    ['a condition that holds', () => true, true],
    ['one that never does', () => false, false],
  ]
  for (const [name, cond, want] of cases) it(`holdsWithin: ${name}`, async () => assert.equal(await holdsWithin(cond, 30, 5), want))
})
