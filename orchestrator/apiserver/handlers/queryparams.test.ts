import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from '../../api/errors.js'
import { boolParam, int64Param, parseGoDuration, parseInt64, queryBool, timeoutParam } from './queryparams.js'

describe('query parameters', () => {
  // strconv.ParseInt(s, 10, 64)
  const ints: [string, number | string][] = [
    ['30', 30],
    ['-5', -5],
    ['+7', 7],
    ['0', 0],
    ['9007199254740991', 9007199254740991],
    ['9223372036854775807', Number(9223372036854775807n)],
    ['abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['', 'strconv.ParseInt: parsing "": invalid syntax'],
    ['1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    ['1e3', 'strconv.ParseInt: parsing "1e3": invalid syntax'],
    [' 1', 'strconv.ParseInt: parsing " 1": invalid syntax'],
    ['9223372036854775808', 'strconv.ParseInt: parsing "9223372036854775808": value out of range'],
    ['-9223372036854775809', 'strconv.ParseInt: parsing "-9223372036854775809": value out of range'],
  ]
  for (const [s, want] of ints) {
    it(`ParseInt(${JSON.stringify(s)})`, () => {
      if (typeof want === 'number') assert.equal(parseInt64(s), want)
      else
        assert.throws(
          () => parseInt64(s),
          (e: unknown) => e instanceof ApiError && e.code === 400 && e.reason === 'BadRequest' && e.message === want,
        )
    })
  }

  it('treats an absent integer as unset and an empty one as invalid', () => {
    assert.equal(int64Param(new URLSearchParams(''), 'timeoutSeconds'), undefined)
    assert.throws(() => int64Param(new URLSearchParams('timeoutSeconds='), 'timeoutSeconds'), /invalid syntax/)
    assert.throws(() => int64Param(new URLSearchParams('timeoutSeconds=abc'), 'timeoutSeconds'), /parsing "abc": invalid syntax/)
  })

  // runtime.Convert_Slice_string_To_bool, not strconv.ParseBool: only "0" and "false" in any
  // case are false; ParseBool's other spellings of false ("f", "F") are true here, and no value
  // is an error (a client's `watch=maybe` is a watch, upstream as here)
  const bools: [string | null, boolean][] = [
    [null, false],
    ['0', false],
    ['false', false],
    ['False', false],
    ['FALSE', false],
    ['fAlSe', false],
    ['fal\u017Fe', false], // strings.EqualFold folds LONG S to "s"
    ['1', true],
    ['t', true],
    ['T', true],
    ['true', true],
    ['True', true], // the official Python client's spelling
    ['TRUE', true],
    ['f', true],
    ['F', true],
    ['', true],
    ['maybe', true],
    ['00', true],
    [' false', true],
    ['false ', true],
    ['no', true],
  ]
  for (const [v, want] of bools) {
    it(`reads ${JSON.stringify(v)} as ${want}, as the conversion does`, () => {
      assert.equal(queryBool(v), want)
      const q = new URLSearchParams(v === null ? '' : [['w', v]])
      assert.equal(boolParam(q, 'w'), v === null ? undefined : want)
    })
  }

  it('reads the first value of a repeated boolean, as the conversion does', () => {
    assert.equal(boolParam(new URLSearchParams('w=false&w=true'), 'w'), false)
    assert.equal(boolParam(new URLSearchParams('w=True&w=0'), 'w'), true)
  })

  const durations: [string, number | string][] = [
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['-2s', -2000],
    ['0', 0],
    ['abc', 'time: invalid duration "abc"'],
    ['10', 'time: missing unit in duration "10"'],
    ['3x', 'time: unknown unit "x" in duration "3x"'],
  ]
  for (const [s, want] of durations) {
    it(`time.ParseDuration(${JSON.stringify(s)})`, () => {
      if (typeof want === 'number') assert.equal(parseGoDuration(s), want)
      else assert.throws(() => parseGoDuration(s), { message: want })
    })
  }

  it("answers a bad timeout parameter with request_deadline.go's wording", () => {
    assert.throws(
      () => timeoutParam(new URLSearchParams('timeout=abc')),
      (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'invalid timeout specified in the request URL - time: invalid duration "abc"',
    )
    assert.equal(timeoutParam(new URLSearchParams('timeout=32s')), 32_000)
  })
})
