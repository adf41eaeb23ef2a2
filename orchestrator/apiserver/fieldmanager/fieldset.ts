// Sets of field paths, as sigs.k8s.io/structured-merge-diff's fieldpath.Set: what one manager owns
// of an object. A path is a list of path elements, each written as in metadata.managedFields'
// FieldsV1: `f:<name>` a field of a struct or map, `k:{"name":"c"}` the item of an associative
// list with those key fields (sorted by name), `v:<json>` the item of a set list. A set is a trie
// of those elements whose nodes say whether the path that ends there is itself a member;
// FieldsV1 is that trie as JSON, with `.` for "this node is a member and has children".
// Mirrors fieldpath (set.go, serialize.go, path.go, element.go): the same order (fields, then
// keys, then values; members of a level before its children when iterating) and the same
// path strings in messages (`.spec.containers[name="c"].image`).
// Simplifies: no index elements (atomic lists are leaves here, as in typed schemas).

/** One node of the trie: whether the path to it is a member, and the paths below it. */
export class FieldSet {
  member = false
  readonly children = new Map<string, FieldSet>()

  /** Whether the set has no member at all. */
  empty(): boolean {
    if (this.member) return false
    for (const c of this.children.values()) if (!c.empty()) return false
    return true
  }

  child(pe: string): FieldSet {
    let c = this.children.get(pe)
    if (!c) this.children.set(pe, (c = new FieldSet()))
    return c
  }

  insert(path: readonly string[]): void {
    path.reduce<FieldSet>((n, pe) => n.child(pe), this).member = true
  }

  has(path: readonly string[]): boolean {
    return this.at(path)?.member ?? false
  }

  /** The node at a prefix (undefined when no path goes through it). */
  at(path: readonly string[]): FieldSet | undefined {
    return path.reduce<FieldSet | undefined>((n, pe) => n?.children.get(pe), this)
  }

  clone(): FieldSet {
    const out = new FieldSet()
    out.member = this.member
    for (const [k, v] of this.children) out.children.set(k, v.clone())
    return out
  }

  union(o: FieldSet): FieldSet {
    const out = this.clone()
    out.addAll(o)
    return out
  }

  private addAll(o: FieldSet): void {
    if (o.member) this.member = true
    for (const [k, v] of o.children) this.child(k).addAll(v)
  }

  /** Members of this set that are not members of `o` (only exact paths, as fieldpath's Difference). */
  difference(o: FieldSet | undefined): FieldSet {
    const out = new FieldSet()
    out.member = this.member && !o?.member
    for (const [k, v] of this.children) {
      const d = v.difference(o?.children.get(k))
      if (!d.empty()) out.children.set(k, d)
    }
    return out
  }

  intersection(o: FieldSet | undefined): FieldSet {
    const out = new FieldSet()
    if (!o) return out
    out.member = this.member && o.member
    for (const [k, v] of this.children) {
      const other = o.children.get(k)
      if (!other) continue
      const i = v.intersection(other)
      if (!i.empty()) out.children.set(k, i)
    }
    return out
  }

  /** This set without the paths under (and at) `prefix` (fieldpath's RecursiveDifference for one path). */
  withoutSubtree(prefix: readonly string[]): FieldSet {
    const out = this.clone()
    if (!prefix.length) return new FieldSet()
    let parent: FieldSet | undefined = out
    for (const pe of prefix.slice(0, -1)) if (!(parent = parent.children.get(pe))) return out
    parent.children.delete(prefix.at(-1)!)
    return out
  }

  /** Every member path, in fieldpath's Iterate order: a level's members, then its children. */
  paths(prefix: string[] = [], out: string[][] = []): string[][] {
    const keys = sortedKeys(this.children)
    for (const k of keys) if (this.children.get(k)!.member) out.push([...prefix, k])
    for (const k of keys) {
      const c = this.children.get(k)!
      if (c.children.size) c.paths([...prefix, k], out)
    }
    return out
  }
}

// ---------------------------------------------------------------------------------------------
// FieldsV1

export type FieldsV1 = { [element: string]: FieldsV1 }

/** The set as FieldsV1 JSON, its elements in fieldpath's order. */
export function toFieldsV1(s: FieldSet): FieldsV1 {
  const out: FieldsV1 = {}
  for (const k of sortedKeys(s.children)) {
    const c = s.children.get(k)!
    if (!c.children.size) {
      out[k] = {}
      continue
    }
    const inner = toFieldsV1(c)
    out[k] = c.member ? { '.': {}, ...inner } : inner
  }
  return out
}

/** Reads FieldsV1; throws on anything that is not one (upstream then keeps the live object's fields). */
export function fromFieldsV1(v: unknown): FieldSet {
  const out = new FieldSet()
  readInto(out, v)
  return out
}

function readInto(node: FieldSet, v: unknown): void {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('FieldsV1 must be an object')
  for (const [k, c] of Object.entries(v as Record<string, unknown>)) {
    if (k === '.') continue
    if (!/^[fkv]:/.test(k)) throw new Error(`unknown path element ${JSON.stringify(k)}`)
    // a key or a value is JSON (a key an object of scalars): checked here, as fieldpath parses it
    if (k[0] === 'k') {
      const key = JSON.parse(k.slice(2)) as unknown
      if (key === null || typeof key !== 'object' || Array.isArray(key)) throw new Error(`bad key ${k}`)
    } else if (k[0] === 'v') JSON.parse(k.slice(2))
    const child = node.child(k)
    const inner = c as Record<string, unknown>
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) throw new Error('FieldsV1 must be an object')
    const keys = Object.keys(inner)
    if (keys.length === 0 || '.' in inner) child.member = true
    readInto(child, inner)
  }
}

// ---------------------------------------------------------------------------------------------
// path elements

/** `f:<name>` */
export function fieldElement(name: string): string {
  return `f:${name}`
}

/** `k:{"containerPort":80,"protocol":"TCP"}`: the key fields sorted by name. */
export function keyElement(fields: Record<string, unknown>): string {
  const sorted: Record<string, unknown> = {}
  for (const n of Object.keys(fields).sort()) sorted[n] = fields[n]
  return `k:${JSON.stringify(sorted)}`
}

/** `v:"a"` */
export function valueElement(v: unknown): string {
  return `v:${JSON.stringify(v)}`
}

/** fieldpath's Path.String(): `.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"]`. */
export function pathString(path: readonly string[]): string {
  return path
    .map((pe) => {
      const body = pe.slice(2)
      if (pe.startsWith('f:')) return `.${body}`
      if (pe.startsWith('k:')) {
        const fields = JSON.parse(body) as Record<string, unknown>
        return `[${Object.entries(fields)
          .map(([n, v]) => `${n}=${valueString(v)}`)
          .join(',')}]`
      }
      return `[=${valueString(JSON.parse(body))}]`
    })
    .join('')
}

/** value.ToString: strings quoted (Go %q), numbers and booleans bare. */
function valueString(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v)
}

const CATEGORY: Record<string, number> = { f: 0, k: 1, v: 2 }

/** PathElement.Compare: field names, then keys (fewer fields first, then field by field), then values. */
export function compareElements(a: string, b: string): number {
  const ca = CATEGORY[a[0]!] ?? 3
  const cb = CATEGORY[b[0]!] ?? 3
  if (ca !== cb) return ca - cb
  if (ca === 0) return compareStrings(a.slice(2), b.slice(2))
  if (ca === 1) {
    const fa = Object.entries(JSON.parse(a.slice(2)) as Record<string, unknown>)
    const fb = Object.entries(JSON.parse(b.slice(2)) as Record<string, unknown>)
    if (fa.length !== fb.length) return fa.length - fb.length
    for (let i = 0; i < fa.length; i++) {
      const c = compareStrings(fa[i]![0], fb[i]![0]) || compareValues(fa[i]![1], fb[i]![1])
      if (c) return c
    }
    return 0
  }
  return compareValues(JSON.parse(a.slice(2)), JSON.parse(b.slice(2)))
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b)
  return compareStrings(JSON.stringify(a), JSON.stringify(b))
}

function sortedKeys(m: Map<string, FieldSet>): string[] {
  const keys = [...m.keys()]
  // most levels hold only fields: a plain sort is their order
  return keys.every((k) => k.startsWith('f:')) ? keys.sort(compareStrings) : keys.sort(compareElements)
}
