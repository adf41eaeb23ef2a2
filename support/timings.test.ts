import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { timingNames } from './targets/builtin.js'
import { TIMING_PATTERN, TIMING_PHRASES } from './timings.js'

describe('timing phrases', () => {
  it('name timings the built-in cluster knows', () => {
    for (const [phrase, name] of Object.entries(TIMING_PHRASES)) assert.ok(timingNames().includes(name), `${phrase} -> ${name}`)
  })
  it('match the whole phrase, the longest first', () => {
    assert.equal(TIMING_PATTERN.exec('node monitor grace period')?.[0], 'node monitor grace period')
  })
})
