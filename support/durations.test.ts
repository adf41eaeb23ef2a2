import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { DURATION_PATTERN, parseDuration } from './durations.js'

describe('durations', () => {
  const cases: [string, number][] = [
    ['500ms', 500],
    ['2s', 2000],
    ['1.5s', 1500],
    ['1m', 60_000],
    ['2min', 120_000],
    ['1h', 3_600_000],
    ['20 ثانية', 20_000],
    ['5 ثواني', 5000],
    ['3 ثوان', 3000],
    ['500 مللي ثانية', 500],
    ['1 دقيقة', 60_000],
    ['2 دقايق', 120_000],
    ['1 ساعة', 3_600_000],
    ['٣٠ ثانية', 30_000],
    ['١٫٥ ثانية', 1500],
  ]
  for (const [text, ms] of cases) {
    it(`"${text}" is ${ms}ms and matches {duration}`, () => {
      assert.equal(parseDuration(text), ms)
      assert.equal(new RegExp(`^(?:${DURATION_PATTERN.source})$`).test(text), true)
    })
  }
  it('refuses what is no duration, saying which forms it takes', () => {
    for (const bad of ['20', 'soon', '2 days', 'ثانية']) assert.throws(() => parseDuration(bad), /is not a duration/)
  })
})
