import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { timingNames } from './targets/builtin.js'
import { BOUND_PATTERN, TIMING_PATTERN, TIMING_PHRASES, resolveBound, timingPhrase } from './timings.js'

describe('timing phrases', () => {
  it('name timings the built-in cluster knows', () => {
    for (const [phrase, name] of Object.entries(TIMING_PHRASES)) assert.ok(timingNames().includes(name), `${phrase} -> ${name}`)
  })
  it('match the whole phrase, the longest first', () => {
    assert.equal(TIMING_PATTERN.exec('node monitor grace period')?.[0], 'node monitor grace period')
    assert.equal(TIMING_PATTERN.exec('container restart back-off cap')?.[0], 'container restart back-off cap')
  })
  it('are found again from a name', () => {
    for (const [phrase, name] of Object.entries(TIMING_PHRASES)) assert.equal(timingPhrase(name), phrase)
  })
})

describe('bounds', () => {
  const stated = { nodeMonitorGracePeriod: 2000, nodeLeaseDuration: 1000 }
  for (const [text, ms] of [
    ['5s', 5000],
    ['500ms', 500],
    ['5 ثواني', 5000],
    ['the node monitor grace period', 2000],
    ['the node monitor grace period plus 3s', 5000],
    ['the node lease duration plus 500ms', 1500],
    ['الـ node monitor grace period زائد 3 ثواني', 5000],
    ['الـ node lease duration', 1000],
    ['the node monitor grace period plus the node lease duration plus 11s', 14000],
    ['الـ node monitor grace period زائد الـ node lease duration', 3000],
    ['twice the node monitor grace period', 4000],
    ['3 times the node lease duration plus twice the node monitor grace period plus 25s', 32000],
    ['ضعف الـ node monitor grace period زائد 3 ثواني', 7000],
    ['3 أضعاف الـ node lease duration', 3000],
  ] as const)
    it(`"${text}" is ${ms} ms`, () => {
      assert.equal(BOUND_PATTERN.exec(text)?.[0], text, 'the parameter type matches all of it')
      assert.equal(resolveBound(text, stated), ms)
    })
  it('refuse a timing the scenario did not state, naming it', () => {
    assert.throws(
      () => resolveBound('the default unreachable toleration plus 1s', stated),
      /names the default unreachable toleration, which this scenario does not state/,
    )
  })
})
