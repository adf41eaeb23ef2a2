// Query parameters of the REST handlers decoded as upstream's ParameterCodec converts url.Values
// into ListOptions / DeleteOptions: an integer parameter (limit, timeoutSeconds,
// gracePeriodSeconds) is strconv.ParseInt(s, 10, 64) and a value that does not parse is a
// 400 BadRequest carrying strconv's error (`strconv.ParseInt: parsing "abc": invalid syntax`),
// answered before the request does anything (endpoints/handlers/get.go ListResource, delete.go).
// A boolean is not strconv.ParseBool: runtime.Convert_Slice_string_To_bool (apimachinery
// pkg/runtime/conversion.go) makes an absent parameter false, "0" and any case of "false"
// (strings.EqualFold) false, and everything else true, "" and "maybe" included: no value of
// a boolean parameter is ever a 400. The same rule decides list or watch in RequestInfoFactory
// (endpoints/request/requestinfo.go: `switch strings.ToLower(values[0]) { case "false", "0": }`).
// Also the `timeout` parameter of every non-long-running request (filters/request_deadline.go
// parseTimeout: a Go duration, `invalid timeout specified in the request URL - ...`).
// Simplifies: only the parameters the handlers here read are decoded.

import { badRequest } from '../../api/errors.js'

const INT64_MAX = 9223372036854775807n
const INT64_MIN = -9223372036854775808n

/** strconv.ParseInt(s, 10, 64) as a number (values beyond 2^53 lose precision, never validity). */
export function parseInt64(s: string): number {
  const quoted = JSON.stringify(s)
  if (!/^[+-]?\d+$/.test(s)) throw badRequest(`strconv.ParseInt: parsing ${quoted}: invalid syntax`)
  const n = BigInt(s)
  if (n > INT64_MAX || n < INT64_MIN) throw badRequest(`strconv.ParseInt: parsing ${quoted}: value out of range`)
  return Number(n)
}

/** An int64 query parameter: undefined when absent (an empty value is present, and invalid). */
export function int64Param(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name)
  return v === null ? undefined : parseInt64(v)
}

/**
 * runtime.Convert_Slice_string_To_bool on the parameter's first value: false when absent, "0"
 * or "false" in any case as strings.EqualFold compares (which folds U+017F LATIN SMALL LETTER
 * LONG S to "s"), true otherwise. So the official Python client's `watch=True` is true.
 */
export function queryBool(v: string | null): boolean {
  return v !== null && v !== '0' && !/^[fF][aA][lL][sS\u017F][eE]$/.test(v)
}

/** A boolean query parameter: undefined when absent, else as queryBool reads it. */
export function boolParam(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name)
  return v === null ? undefined : queryBool(v)
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Go's time.ParseDuration, in milliseconds (`1m30s`, `500ms`, `-2h`, `0`). */
export function parseGoDuration(s: string): number {
  const bad = (): never => {
    throw new Error(`time: invalid duration ${JSON.stringify(s)}`)
  }
  let rest = s
  let sign = 1
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1
    rest = rest.slice(1)
  }
  if (rest === '0') return 0
  if (rest === '') bad()
  if (/^\d*\.?\d*$/.test(rest)) throw new Error(`time: missing unit in duration ${JSON.stringify(s)}`)
  let total = 0
  while (rest) {
    const m = /^(\d*\.?\d*)([a-zµμ]+)/.exec(rest)
    if (!m || m[1] === '' || m[1] === '.') bad()
    const unit = UNITS[m![2]!]
    if (unit === undefined) throw new Error(`time: unknown unit ${JSON.stringify(m![2])} in duration ${JSON.stringify(s)}`)
    total += Number(m![1]) * unit!
    rest = rest.slice(m![0].length)
  }
  return sign * total
}

/**
 * The `timeout` parameter: the request's own deadline in ms, undefined when absent; an
 * unparsable one is 400 `invalid timeout specified in the request URL - time: invalid duration "x"`.
 */
export function timeoutParam(q: URLSearchParams): number | undefined {
  const v = q.get('timeout')
  if (v === null || v === '') return undefined
  try {
    return parseGoDuration(v)
  } catch (e) {
    throw badRequest(`invalid timeout specified in the request URL - ${(e as Error).message}`)
  }
}
