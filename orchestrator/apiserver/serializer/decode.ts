// Decoding request bodies (JSON and YAML) into values, with the nesting limit of upstream's
// decoders: Go's encoding/json scanner and its fork sigs.k8s.io/json refuse a value nested more
// than 10,000 deep (`invalid character '{' exceeded max depth`), and go-yaml refuses more than
// 10,000 flow or block levels (`yaml: exceeded max depth of 10000`). The check runs on the text,
// before anything recursive touches the value, so a hostile body is a 400, never a stack overflow.
// Mirrors encoding/json scanner.go (maxNestingDepth, pushParseState) and go-yaml scannerc.go
// (max_flow_level, max_indents), and the messages the API server wraps them in: a body's
// `couldn't get version/kind; json parse error: ...` (serializer/json meta.go), a merge patch's
// `error decoding patch: ...` and a strategic merge patch's bare decoder error
// (endpoints/handlers/patch.go), server-side apply's `error decoding YAML: ...`.
// Simplifies: the YAML level count is a line-by-line estimate of block nesting (indentation and
// compact `- - -` sequences) plus flow brackets; it never undercounts what go-yaml counts.

import { parse as parseYaml } from 'yaml'
import { ApiError, badRequest } from '../../api/errors.js'

/** Upstream's nesting limit of JSON and YAML values. */
export const MAX_NESTING_DEPTH = 10_000

/**
 * Go's scanner verdict on the nesting of a JSON text: the error for the first `{` or `[` that
 * opens level maxDepth + 1 (`invalid character '{' exceeded max depth`), or undefined.
 */
export function jsonNestingError(text: string, maxDepth = MAX_NESTING_DEPTH): string | undefined {
  if (!mayNestDeeper(text, maxDepth)) return undefined
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return `invalid character '${text[i]}' exceeded max depth`
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return undefined
}

/** A cheap bound: a text with at most maxDepth openers (and lines, for YAML) cannot nest deeper. */
function mayNestDeeper(text: string, maxDepth: number, yaml = false): boolean {
  let openers = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x7b || c === 0x5b || (yaml && (c === 0x2d || c === 0x0a || c === 0x3a))) {
      if (++openers > maxDepth) return true
    }
  }
  return false
}

/**
 * go-yaml's verdict on the nesting of a YAML text: `yaml: [line N: ]exceeded max depth of 10000`
 * when flow collections or block collections (counted by indentation) nest deeper than
 * maxDepth, or undefined.
 */
export function yamlNestingError(text: string, maxDepth = MAX_NESTING_DEPTH): string | undefined {
  if (!mayNestDeeper(text, maxDepth, true)) return undefined
  const fail = (line: number): string => `yaml: ${line > 0 ? `line ${line + 1}: ` : ''}exceeded max depth of ${maxDepth}`
  const lines = text.split('\n')
  const indents: number[] = [] // columns of the open block collections
  let flow = 0
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!
    let i = 0
    if (flow === 0) {
      while (line[i] === ' ') i++
      if (i >= line.length || line[i] === '#') continue
      while (indents.length && indents[indents.length - 1]! >= i) indents.pop()
      // compact sequences: every "- " opens a block sequence one column further
      while (line[i] === '-' && (line[i + 1] === ' ' || i + 1 === line.length)) {
        indents.push(i)
        if (indents.length > maxDepth) return fail(n)
        i += 2
        while (line[i] === ' ') i++
      }
      // a mapping key opens a block mapping at its column
      if (/^[^\s#{["'][^#]*?:(\s|$)/.test(line.slice(i)) || /^["'][^"']*["']\s*:(\s|$)/.test(line.slice(i))) {
        if (!indents.length || indents[indents.length - 1]! < i) {
          indents.push(i)
          if (indents.length > maxDepth) return fail(n)
        }
      }
    }
    let quote: string | undefined
    for (; i < line.length; i++) {
      const c = line[i]!
      if (quote) {
        if (c === quote) quote = undefined
        else if (c === '\\' && quote === '"') i++
        continue
      }
      if (c === '"' || (c === "'" && (i === 0 || /[\s[{,:]/.test(line[i - 1]!)))) quote = c
      else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) break
      else if (c === '{' || c === '[') {
        if (++flow + indents.length > maxDepth) return fail(n)
      } else if ((c === '}' || c === ']') && flow > 0) flow--
    }
  }
  return undefined
}

/** A JSON body; a syntax or nesting error is 400 `couldn't get version/kind; json parse error: ...`. */
export function decodeJson(raw: string, maxDepth = MAX_NESTING_DEPTH, prefix = "couldn't get version/kind; json parse error: "): unknown {
  const nesting = jsonNestingError(raw, maxDepth)
  if (nesting) throw badRequest(`${prefix}${nesting}`)
  try {
    return JSON.parse(raw)
  } catch (e) {
    throw badRequest(`${prefix}${e instanceof Error ? e.message : String(e)}`)
  }
}

/** A YAML body; an error is 400 `error converting YAML to JSON: ...` (with `prefix` before it). */
export function decodeYaml(raw: string, maxDepth = MAX_NESTING_DEPTH, prefix = ''): unknown {
  const nesting = yamlNestingError(raw, maxDepth)
  if (nesting) throw badRequest(`${prefix}error converting YAML to JSON: ${nesting}`)
  try {
    return parseYaml(raw)
  } catch (e) {
    throw badRequest(`${prefix}error converting YAML to JSON: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`)
  }
}

/**
 * A create or update body: a decoding failure is wrapped as upstream's transformDecodeError
 * (endpoints/handlers/rest.go) wraps one whose kind could not be read: `the object provided is
 * unrecognized (must be of type <Kind>): <error> (<summarizeData(body, 30)>)`.
 */
export function decodeObjectBody(type: 'json' | 'yaml', raw: string, kind: string, maxDepth = MAX_NESTING_DEPTH): unknown {
  try {
    return type === 'json' ? decodeJson(raw, maxDepth) : decodeYaml(raw, maxDepth)
  } catch (e) {
    if (!ApiError.is(e)) throw e
    throw badRequest(`the object provided is unrecognized (must be of type ${kind}): ${e.message} (${summarizeData(Buffer.from(raw, 'utf8'))})`)
  }
}

/** Upstream summarizeData(data, 30): an object body's first 30 bytes as text, any other body's as hex. */
export function summarizeData(data: Buffer, maxLength = 30): string {
  if (data.length === 0) return '<empty>'
  const head = data.subarray(0, maxLength)
  const text = data[0] === 0x7b ? head.toString('utf8') : head.toString('hex')
  return data.length > maxLength ? `${text} ...` : text
}

/** How each patch type's decoding failure reads upstream (endpoints/handlers/patch.go). */
export function decodePatch(type: string, raw: string, maxDepth = MAX_NESTING_DEPTH): unknown {
  switch (type) {
    case 'application/apply-patch+yaml':
      return decodeYaml(raw, maxDepth, 'error decoding YAML: ')
    case 'application/merge-patch+json':
      return decodeJson(raw, maxDepth, 'error decoding patch: ')
    default:
      // strategic merge patch (kjson.UnmarshalStrict) and JSON patch (jsonpatch.DecodePatch):
      // the decoder's error as is
      return decodeJson(raw, maxDepth, '')
  }
}

/** True for the RangeError V8 throws when recursion runs out of stack. */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /Maximum call stack size exceeded/.test(e.message)
}
