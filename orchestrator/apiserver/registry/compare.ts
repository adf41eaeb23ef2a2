// How an update compares with what is stored: the same content (then nothing is written, as
// upstream's GuaranteedUpdate skips a no-op), and whether the spec changed (then the generation
// is bumped).

import type { KObject, StoredObject } from '../../api/meta.js'

/** The object without metadata and status: what a generation counts. */
export function specOf(o: KObject): string {
  const { metadata: _m, status: _s, ...rest } = o
  return JSON.stringify(rest)
}

/**
 * Whether an update would write the same content (then nothing is written, as upstream). A
 * change of managedFields alone is a change: an apply that only shares ownership is written.
 */
export function sameObject(a: KObject, b: StoredObject): boolean {
  const plain = (o: KObject): Record<string, unknown> => {
    const { metadata, ...rest } = o
    const { resourceVersion: _rv, ...m } = metadata ?? {}
    return { ...rest, metadata: m }
  }
  const pa = plain(a)
  const pb = plain(b)
  const sa = JSON.stringify(pa)
  const sb = JSON.stringify(pb)
  // key order does not change the length, so different lengths mean different content
  if (sa.length !== sb.length) return false
  if (sa === sb) return true
  return JSON.stringify(sortKeys(pa)) === JSON.stringify(sortKeys(pb))
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v as object).sort()) {
      const x = (v as Record<string, unknown>)[k]
      if (x !== undefined) out[k] = sortKeys(x)
    }
    return out
  }
  return v
}
