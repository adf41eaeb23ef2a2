// Field paths in step tables: `spec.replicas`, `status.conditions[type=Ready].status`,
// `spec.template.spec.containers[0].image`, `metadata.labels['app.kubernetes.io/name']`.
// Expected values are YAML scalars or flow collections, or one of the markers
// <absent>, <present>, <non-empty>.

import { expect } from 'chai'
import { parse } from 'yaml'

type Segment = { key: string } | { index: number } | { match: [string, string] }

export function parsePath(path: string): Segment[] {
  const segs: Segment[] = []
  const re = /\.?([A-Za-z0-9_$\-/]+)|\[(\d+)\]|\['([^']+)'\]|\["([^"]+)"\]|\[([^=\]]+)=([^\]]*)\]/y
  let m: RegExpExecArray | null
  let pos = 0
  while (pos < path.length) {
    re.lastIndex = pos
    m = re.exec(path)
    if (!m) throw new Error(`cannot read field path "${path}" at "${path.slice(pos)}"`)
    if (m[1] !== undefined) segs.push({ key: m[1] })
    else if (m[2] !== undefined) segs.push({ index: Number(m[2]) })
    else if (m[3] !== undefined || m[4] !== undefined) segs.push({ key: (m[3] ?? m[4])! })
    else segs.push({ match: [m[5]!.trim(), m[6]!.trim()] })
    pos = re.lastIndex
  }
  return segs
}

/** Reads a field; undefined when any step of the path is missing. */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj
  for (const s of parsePath(path)) {
    if (cur === null || cur === undefined) return undefined
    if ('key' in s) cur = (cur as Record<string, unknown>)[s.key]
    else if ('index' in s) cur = Array.isArray(cur) ? cur[s.index] : undefined
    else cur = Array.isArray(cur) ? cur.find((x) => x && String((x as Record<string, unknown>)[s.match[0]]) === s.match[1]) : undefined
  }
  return cur
}

/** Asserts one field against a table cell, with a message naming the path. */
export function expectField(obj: unknown, path: string, expected: string): void {
  const actual = getPath(obj, path)
  const e = expected.trim()
  if (e === '<absent>') return void expect(actual, path).to.equal(undefined)
  if (e === '<present>') return void expect(actual, `${path} should be present`).to.not.equal(undefined)
  if (e === '<non-empty>') {
    expect(actual, `${path} should be present`).to.not.equal(undefined)
    // @kubernetes/client-node hands timestamps over as Date objects
    if (actual instanceof Date) return void expect(Number.isNaN(actual.getTime()), `${path} should be a valid time`).to.equal(false)
    return void expect(actual, `${path} should not be empty`).to.not.be.empty
  }
  let want: unknown
  try {
    want = parse(e)
  } catch {
    want = e
  }
  if (typeof actual === 'string' && typeof want !== 'string') want = e
  expect(actual, path).to.deep.equal(want)
}
