// Walks over objects as structured-merge-diff's typed values do, with the shapes of schema.ts:
// the field set of an applied configuration (ToFieldSet), what changed between two versions of
// an object (Compare: added, modified, removed), the merge of an applied configuration into the
// live object (Merge: associative lists item by item, sets as unions, atomic values replaced)
// and the pruning of what an applier stopped applying (Updater.prune).
// Mirrors sigs.k8s.io/structured-merge-diff typed/{tofieldset,compare,merge}.go and
// merge/update.go's prune: every node that appears or disappears is in Added / Removed (maps and
// list items too, which gives FieldsV1 its `.` entries), empty maps and lists count as leaves,
// a list whose items cannot all be keyed (or repeat a key) is handled as one atomic value.
// Simplifies: a `null` in an applied configuration removes the field (upstream keeps a typed null).

import { isDeepStrictEqual } from 'node:util'
import { FieldSet, fieldElement, keyElement, valueElement } from './fieldset.js'
import { shapeOf, shapeOfEither, type Shape } from './schema.js'

type Json = unknown
type Obj = Record<string, Json>

/** Fields a walk leaves out: `true` drops the field, a nested Skip walks it but never owns the field itself. */
export type Skip = { readonly [field: string]: true | Skip }

function isObj(v: Json): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** The path element of a list item; undefined when the item has no key (or its key is not a scalar). */
export function itemElement(shape: Shape, item: Json): string | undefined {
  if (shape.kind === 'set') return item !== null && typeof item !== 'object' ? valueElement(item) : undefined
  if (shape.kind !== 'assoc' || !isObj(item)) return undefined
  const fields: Obj = {}
  for (const k of shape.keys) {
    const v = item[k] ?? shape.defaults?.[k]
    if (v === undefined || v === null || typeof v === 'object') return undefined
    fields[k] = v
  }
  return keyElement(fields)
}

/** The items of a list by path element; undefined when some item has none or two share one (then the list is atomic). */
function indexItems(shape: Shape, list: Json): Map<string, Json> | undefined {
  if (!Array.isArray(list)) return undefined
  const m = new Map<string, Json>()
  for (const item of list) {
    const pe = itemElement(shape, item)
    if (pe === undefined || m.has(pe)) return undefined
    m.set(pe, item)
  }
  return m
}

function nested(skip: Skip | undefined, name: string): Skip | undefined {
  const s = skip?.[name]
  return typeof s === 'object' ? s : undefined
}

// ---------------------------------------------------------------------------------------------
// ToFieldSet

/** Every field, list item and leaf an applied configuration sets (typed.ToFieldSet). */
export function toFieldSet(obj: Obj, skip?: Skip): FieldSet {
  const root = new FieldSet()
  setOfMap(obj, root, skip)
  return root
}

function setOfMap(obj: Obj, node: FieldSet, skip: Skip | undefined): void {
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || skip?.[k] === true) continue
    const pe = fieldElement(k)
    const child = node.child(pe)
    const inner = nested(skip, k)
    if (inner && isObj(v)) setOfMap(v, child, inner)
    else setOfValue(k, v, child)
    if (!child.member && !child.children.size) node.children.delete(pe)
  }
}

function setOfValue(name: string, v: Json, node: FieldSet): void {
  const shape = shapeOf(name, v)
  if (shape.kind === 'leaf') node.member = true
  else if (shape.kind === 'map') {
    if (Object.keys(v as Obj).length === 0) node.member = true
    else setOfMap(v as Obj, node, undefined)
  } else {
    const items = indexItems(shape, v)
    if (!items) node.member = true
    else
      for (const [pe, item] of items) {
        const c = node.child(pe)
        c.member = true
        if (isObj(item)) setOfMap(item, c, undefined)
      }
  }
}

// ---------------------------------------------------------------------------------------------
// Compare

export interface Comparison {
  added: FieldSet
  modified: FieldSet
  removed: FieldSet
}

export function isSame(c: Comparison): boolean {
  return c.added.empty() && c.modified.empty() && c.removed.empty()
}

/** What changed from `lhs` to `rhs` (typed.Compare). */
export function compare(lhs: Obj, rhs: Obj, skip?: Skip): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() }
  cmpMap(lhs, rhs, [], c, skip)
  return c
}

function cmpMap(l: Obj | undefined, r: Obj | undefined, path: string[], c: Comparison, skip: Skip | undefined): void {
  if (l) for (const k of Object.keys(l)) cmpField(k, l[k], r?.[k], path, c, skip)
  if (r) for (const k of Object.keys(r)) if (!l || !(k in l)) cmpField(k, undefined, r[k], path, c, skip)
}

function cmpField(name: string, lv: Json, rv: Json, path: string[], c: Comparison, skip: Skip | undefined): void {
  if (lv === undefined && rv === undefined) return
  if (skip?.[name] === true) return
  path.push(fieldElement(name))
  const inner = nested(skip, name)
  if (inner) cmpMap(isObj(lv) ? lv : undefined, isObj(rv) ? rv : undefined, path, c, inner)
  else cmpValue(name, lv, rv, path, c)
  path.pop()
}

function leaf(lv: Json, rv: Json, path: string[], c: Comparison): void {
  if (lv === undefined) c.added.insert(path)
  else if (rv === undefined) c.removed.insert(path)
  else if (!isDeepStrictEqual(lv, rv)) c.modified.insert(path)
}

function kindOf(v: Json): string {
  return v === undefined ? 'none' : isObj(v) ? 'map' : Array.isArray(v) ? 'list' : 'scalar'
}

function cmpValue(name: string, lv: Json, rv: Json, path: string[], c: Comparison): void {
  if (lv === rv && (lv === null || typeof lv !== 'object')) return
  const shape = shapeOfEither(name, lv, rv)
  const lk = kindOf(lv)
  const rk = kindOf(rv)
  // a null on one side (Go's zero value of a field without omitempty) is an empty map or list
  const mismatch = lk !== 'none' && rk !== 'none' && lk !== rk && lv !== null && rv !== null
  if (shape.kind === 'leaf' || mismatch) return leaf(lv, rv, path, c)
  if (shape.kind === 'map') {
    const lm = isObj(lv) ? lv : undefined
    const rm = isObj(rv) ? rv : undefined
    if ((!lm || !Object.keys(lm).length) && (!rm || !Object.keys(rm).length)) return leaf(lv, rv, path, c)
    cmpMap(lm, rm, path, c, undefined)
  } else {
    const li = lv === undefined || lv === null ? new Map<string, Json>() : indexItems(shape, lv)
    const ri = rv === undefined || rv === null ? new Map<string, Json>() : indexItems(shape, rv)
    if (!li || !ri || (!li.size && !ri.size)) return leaf(lv, rv, path, c)
    for (const [pe, item] of li) {
      path.push(pe)
      cmpValue('', item, ri.get(pe), path, c)
      path.pop()
    }
    for (const [pe, item] of ri) {
      if (li.has(pe)) continue
      path.push(pe)
      cmpValue('', undefined, item, path, c)
      path.pop()
    }
  }
  if (lv === undefined) c.added.insert(path)
  else if (rv === undefined) c.removed.insert(path)
}

// ---------------------------------------------------------------------------------------------
// Merge

/** The live object with an applied configuration merged in (typed.Merge); neither input is changed. */
export function merge(live: Obj, config: Obj): Obj {
  // the result shares no value with either input: prune edits it in place
  return mergeMap(structuredClone(live), config)
}

function mergeMap(l: Obj | undefined, r: Obj): Obj {
  const out: Obj = {}
  if (l) for (const k of Object.keys(l)) out[k] = k in r ? mergeValue(k, l[k], r[k]) : l[k]
  for (const k of Object.keys(r)) if (!l || !(k in l)) out[k] = mergeValue(k, undefined, r[k])
  for (const k of Object.keys(out)) if (out[k] === undefined || out[k] === null) delete out[k]
  return out
}

function mergeValue(name: string, lv: Json, rv: Json): Json {
  if (rv === undefined) return lv
  if (lv === undefined || lv === null || rv === null) return structuredClone(rv)
  const shape = shapeOfEither(name, lv, rv)
  if (shape.kind === 'leaf' || kindOf(lv) !== kindOf(rv)) return structuredClone(rv)
  if (shape.kind === 'map') return mergeMap(lv as Obj, rv as Obj)
  const li = indexItems(shape, lv)
  const ri = indexItems(shape, rv)
  if (!li || !ri) return structuredClone(rv)
  return mergeItems(li, ri)
}

/** mergingWalker.visitListItems: live items keep their places, applied items come in the applied order. */
function mergeItems(li: Map<string, Json>, ri: Map<string, Json>): Json[] {
  const lPEs = [...li.keys()]
  const rPEs = [...ri.keys()]
  const shared = rPEs.filter((pe) => li.has(pe))
  let si = 0
  let nextShared: string | undefined = shared[si++]
  const merged = new Set<string>()
  const out: Json[] = []
  let lI = 0
  let rI = 0
  while (lI < lPEs.length || rI < rPEs.length) {
    if (lI < lPEs.length && rI < rPEs.length) {
      const pe = lPEs[lI]!
      if (pe === rPEs[rI]) {
        merged.add(pe)
        out.push(mergeValue('', li.get(pe), ri.get(pe)))
        lI++
        rI++
        nextShared = shared[si++]
        continue
      }
      if (ri.has(pe) && nextShared !== undefined && nextShared !== pe) {
        lI++
        continue
      }
    }
    if (lI < lPEs.length) {
      const pe = lPEs[lI]!
      if (!ri.has(pe)) {
        out.push(li.get(pe))
        lI++
        continue
      }
      if (merged.has(pe)) {
        lI++
        continue
      }
    }
    if (rI < rPEs.length) {
      const pe = rPEs[rI]!
      merged.add(pe)
      out.push(mergeValue('', li.get(pe), ri.get(pe)))
      rI++
      if (nextShared === pe) nextShared = shared[si++]
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Prune

/**
 * Removes from `obj` (in place) what the applier owned last time (`last`) and nobody owns now
 * (`owned`: every manager's set, the applier's new one included), with everything below it.
 */
export function prune(obj: Obj, last: FieldSet, owned: FieldSet, skip?: Skip): void {
  pruneMap(obj, last, owned, skip)
}

function pruneMap(obj: Obj, last: FieldSet, owned: FieldSet | undefined, skip: Skip | undefined): void {
  for (const [pe, lastChild] of last.children) {
    if (!pe.startsWith('f:')) continue
    const name = pe.slice(2)
    if (!(name in obj) || skip?.[name] === true) continue
    const inner = nested(skip, name)
    const ownedChild = owned?.children.get(pe)
    if (!inner && !ownedChild) {
      delete obj[name]
      continue
    }
    const v = obj[name]
    if (inner) {
      if (isObj(v)) pruneMap(v, lastChild, ownedChild, inner)
    } else pruneValue(name, v, lastChild, ownedChild, (kept) => (obj[name] = kept))
  }
}

function pruneValue(name: string, v: Json, last: FieldSet, owned: FieldSet | undefined, replace: (v: Json) => void): void {
  const shape = shapeOf(name, v)
  if (shape.kind === 'map') return pruneMap(v as Obj, last, owned, undefined)
  if (shape.kind === 'leaf' || !Array.isArray(v)) return
  const kept: Json[] = []
  for (const item of v) {
    const pe = itemElement(shape, item)
    const lastItem = pe === undefined ? undefined : last.children.get(pe)
    const ownedItem = pe === undefined ? undefined : owned?.children.get(pe)
    if (lastItem && !ownedItem) continue
    if (lastItem && isObj(item)) pruneMap(item, lastItem, ownedItem, undefined)
    kept.push(item)
  }
  if (kept.length !== v.length) replace(kept)
}
