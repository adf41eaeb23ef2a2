// Decoding failures worded as kube-apiserver's JSON decoder words them: a value of the wrong JSON
// type, an integer that is not one or does not fit its int32/int64 field (`1e308` in
// terminationGracePeriodSeconds), an IntOrString that is neither, or a resource quantity that does
// not parse, is a 400 BadRequest `<Kind> in version "<v>" cannot be handled as a <Kind>: ...`
// naming the first such value in document order. Go's encoding/json (as sigs.k8s.io/json) says
// `json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type
// int32`: the Go struct that holds the field, the JSON path without indices or map keys, the
// field's Go type; a number going into an integer shows its text. Quantities fail in their own
// UnmarshalJSON with apimachinery's ParseQuantity message.
// Where the wrong values are found: the kind's OpenAPI schema (kubernetes-models' validators,
// which know quantities and IntOrStrings) plus, for int64 fields, whose range no JSON-schema
// format checks, a walk along @kubernetes/client-node's models, which also name the Go structs.
// A JSON null is what Go's decoder makes of it: a field left unset (removed here), an array
// element or map value of the type's zero value (`{}`, `""`, 0, false), so nothing after decoding
// meets a null where upstream would have a value.
// Simplifies: Go named types print as their underlying type (`string`, not `v1.Protocol`); a
// number shows as JavaScript prints it (`1e+308`, what kubectl's Go encoder sends, where a raw
// `1e308` keeps its text upstream); date-time strings are left to validation.

interface AjvError {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
}

interface Attribute {
  baseName: string
  type: string
  format?: string
}

type ModelClass = { getAttributeTypeMap?: () => Attribute[]; attributeTypeMap?: Attribute[] }
type Models = Record<string, ModelClass | undefined>

let models: Promise<Models> | undefined

function loadModels(): Promise<Models> {
  // the generated models alone (the same classes as the package root exports): the root also
  // loads the HTTP client stack (undici, openid-client, socks), about 1 s in a fresh process
  models ??= import('@kubernetes/client-node/dist/gen/models/all.js') as unknown as Promise<Models>
  return models
}

const SPECIAL_CLASS: Record<string, string> = {
  'core/Event': 'CoreV1Event',
  'authentication.k8s.io/TokenRequest': 'AuthenticationV1TokenRequest',
}

function rootClass(group: string, version: string, kind: string): string {
  return SPECIAL_CLASS[`${group || 'core'}/${kind}`] ?? `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`
}

function attributes(m: Models, cls: string): Map<string, Attribute> | undefined {
  const c = m[cls]
  const list = c?.getAttributeTypeMap?.() ?? c?.attributeTypeMap
  return list ? new Map(list.map((a) => [a.baseName, a])) : undefined
}

/** `V1PodSpec` -> { pkg: 'v1', name: 'PodSpec' }; `CoreV1Event` -> v1.Event; `V2MetricSpec` -> v2.MetricSpec. */
function goName(cls: string): { pkg: string; name: string } {
  const m = /^(?:[A-Z][a-z]+)*?(V\d+(?:alpha\d+|beta\d+)?)([A-Z].*)$/.exec(cls)
  return m ? { pkg: m[1]!.toLowerCase(), name: m[2]! } : { pkg: 'v1', name: cls }
}

const ARRAY = /^Array<(.+)>$/
const MAP = /^\{ \[key: string\]: (.+); \}$/

/** The Go type a client-node model type stands for. */
function goType(type: string, format = ''): string {
  const array = ARRAY.exec(type)
  if (array) return `[]${goType(array[1]!)}`
  const map = MAP.exec(type)
  if (map) return `map[string]${goType(map[1]!)}`
  switch (type) {
    case 'string':
    case 'Date': // metav1.Time decodes its text as a string first
      return 'string'
    case 'boolean':
      return 'bool'
    case 'number':
      return format === 'int32' ? 'int32' : format === 'int64' ? 'int64' : 'float64'
    case 'IntOrString':
      return 'int32'
    case 'any':
    case 'object':
      return 'interface {}'
    default: {
      const g = goName(type)
      return `${g.pkg}.${g.name}`
    }
  }
}

interface Located {
  /** The Go struct whose field holds the value. */
  struct: string
  /** JSON names from the root, without indices or map keys (Go's error context FieldStack). */
  field: string
  /** The client-node type and format of the value's own slot (an element's type inside an array). */
  type: string
  format: string
}

/** Follows a JSON pointer through the models. */
function locate(m: Models, root: string, pointer: string): Located | undefined {
  let type = root
  let format = ''
  let struct = goName(root).name
  const fields: string[] = []
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    const array = ARRAY.exec(type)
    const map = MAP.exec(type)
    if (array) {
      type = array[1]!
      format = ''
    } else if (map) {
      type = map[1]!
      format = ''
    } else {
      const attrs = attributes(m, type)
      const attr = attrs?.get(seg)
      if (!attr) return undefined
      struct = goName(type).name
      fields.push(seg)
      type = attr.type
      format = attr.format ?? ''
    }
  }
  return { struct, field: fields.join('.'), type, format }
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur = root
  for (const part of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')]
  }
  return cur
}

/** How Go's decoder names a JSON value it cannot store; a number going into an integer shows its text. */
function goValue(v: unknown, intoInteger: boolean): string {
  if (typeof v === 'number') return intoInteger ? `number ${String(v)}` : 'number'
  if (typeof v === 'string') return 'string'
  if (typeof v === 'boolean') return 'bool'
  if (Array.isArray(v)) return 'array'
  return 'object'
}

const INT_RANGE: Record<string, [number, number]> = { int32: [-(2 ** 31), 2 ** 31 - 1], int64: [-(2 ** 63), 2 ** 63 - 1] }

function fitsInteger(v: number, format: string): boolean {
  const range = INT_RANGE[format]
  return Number.isInteger(v) && (!range || (v >= range[0] && v <= range[1]))
}

export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

/** int64 values out of range: JSON-schema formats do not check them. */
function int64Failures(m: Models, value: unknown, type: string, format: string, pointer: string, out: string[]): void {
  if (value === null || value === undefined) return
  if (type === 'number') {
    if (format === 'int64' && typeof value === 'number' && !fitsInteger(value, 'int64')) out.push(pointer)
    return
  }
  const array = ARRAY.exec(type)
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => int64Failures(m, v, array[1]!, '', `${pointer}/${i}`, out))
    return
  }
  const map = MAP.exec(type)
  if (map) {
    if (typeof value === 'object' && !Array.isArray(value))
      for (const [k, v] of Object.entries(value as object)) int64Failures(m, v, map[1]!, '', `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out)
    return
  }
  const attrs = attributes(m, type)
  if (!attrs || typeof value !== 'object' || Array.isArray(value)) return
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const a = attrs.get(k)
    if (a) int64Failures(m, v, a.type, a.format ?? '', `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out)
  }
}

/** Pre-order position of every JSON pointer in the document (Go decodes in document order). */
function documentOrder(o: unknown): Map<string, number> {
  const order = new Map<string, number>()
  const visit = (v: unknown, p: string): void => {
    order.set(p, order.size)
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${p}/${i}`))
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, `${p}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`)
  }
  visit(o, '')
  return order
}

/**
 * The decoder's complaint about `o`, or undefined when it decodes: from the schema's errors
 * (`ajvErrors`, keywords type / format / oneOf) and the int64 walk, the one earliest in the
 * document, worded as upstream (without the `<Kind> in version ...` prefix).
 */
export async function decodeFailure(group: string, version: string, kind: string, o: unknown, ajvErrors: readonly AjvError[]): Promise<string | undefined> {
  const m = await loadModels()
  const root = rootClass(group, version, kind)
  const byPath = new Map<string, AjvError[]>()
  for (const e of ajvErrors) {
    if (e.keyword !== 'type' && e.keyword !== 'format' && e.keyword !== 'oneOf') continue
    if (e.keyword === 'format' && !['int32', 'quantity'].includes(String(e.params.format))) continue
    byPath.set(e.instancePath, [...(byPath.get(e.instancePath) ?? []), e])
  }
  const candidates = new Set(byPath.keys())
  if (attributes(m, root)) {
    const int64: string[] = []
    int64Failures(m, o, root, '', '', int64)
    for (const p of int64) candidates.add(p)
  }
  if (!candidates.size) return undefined
  const order = documentOrder(o)
  const found = [...candidates]
    .sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity))
    .map((pointer) => describe(m, root, o, pointer, byPath.get(pointer) ?? []))
    .filter((f): f is Failure => f !== undefined)
  // Go's decoder keeps the first type error and goes on, but an UnmarshalJSON that fails
  // (Quantity, IntOrString) stops it, and its error is the one returned
  return (found.find((f) => f.aborts) ?? found[0])?.message
}

interface Failure {
  message: string
  /** Returned by a type's own UnmarshalJSON: decoding stops there. */
  aborts: boolean
}

function describe(m: Models, root: string, o: unknown, pointer: string, errors: AjvError[]): Failure | undefined {
  const value = valueAt(o, pointer)
  if (value === null || value === undefined) return undefined
  const at = locate(m, root, pointer)
  const types = new Set(errors.filter((e) => e.keyword === 'type').map((e) => String(e.params.type)))
  const formats = new Set(errors.filter((e) => e.keyword === 'format').map((e) => String(e.params.format)))
  const oneOf = errors.some((e) => e.keyword === 'oneOf')
  // resource.Quantity parses whatever it is given, in its own UnmarshalJSON
  if (formats.has('quantity') || (oneOf && types.has('number') && types.has('string'))) return { message: QUANTITY_FORMAT_ERROR, aborts: true }
  const where = at ? `Go struct field ${at.struct}.${at.field}` : 'Go value'
  // intstr.IntOrString: a JSON string is its string, anything else is decoded as its int32
  if ((oneOf && types.has('integer')) || at?.type === 'IntOrString') {
    if (typeof value === 'string') return undefined
    if (typeof value === 'number' && fitsInteger(value, 'int32')) return undefined
    return { message: `json: cannot unmarshal ${goValue(value, true)} into ${where} of type int32`, aborts: true }
  }
  const intFormat =
    at?.type === 'number' && (at.format === 'int32' || at.format === 'int64') ? at.format : formats.has('int32') || types.has('integer') ? 'int32' : ''
  const into = at ? goType(at.type, at.format) : goTypeOfSchema(types, intFormat)
  if (typeof value === 'number' && intFormat && !fitsInteger(value, intFormat))
    return { message: `json: cannot unmarshal ${goValue(value, true)} into ${where} of type ${into}`, aborts: false }
  if (!types.size) return undefined
  // metav1.Time's UnmarshalJSON decodes a string first, and stops the decoder when it is not one
  return { message: `json: cannot unmarshal ${goValue(value, false)} into ${where} of type ${into}`, aborts: at?.type === 'Date' }
}

function goTypeOfSchema(types: Set<string>, intFormat: string): string {
  if (intFormat) return intFormat
  if (types.has('string')) return 'string'
  if (types.has('boolean')) return 'bool'
  if (types.has('number')) return 'float64'
  if (types.has('array')) return '[]interface {}'
  return 'map[string]interface {}'
}

/** The zero value of a client-node type, as Go's decoder leaves it for a JSON null in an array or map. */
function zeroValue(type: string): unknown {
  if (ARRAY.test(type)) return []
  if (MAP.test(type)) return {}
  switch (type) {
    case 'string':
      return ''
    case 'number':
      return 0
    case 'boolean':
      return false
    case 'IntOrString':
      return 0
    case 'Date':
    case 'any':
    case 'object':
      return null
    default:
      return {}
  }
}

function nullsToGo(m: Models, value: unknown, type: string): void {
  if (value === null || typeof value !== 'object') return
  const array = ARRAY.exec(type)
  if (array) {
    if (!Array.isArray(value)) return
    value.forEach((v, i) => {
      if (v === null) {
        const zero = zeroValue(array[1]!)
        if (zero !== null) value[i] = zero
      } else nullsToGo(m, v, array[1]!)
    })
    return
  }
  const map = MAP.exec(type)
  if (map) {
    if (Array.isArray(value)) return
    const o = value as Record<string, unknown>
    for (const [k, v] of Object.entries(o)) {
      if (v === null) {
        const zero = zeroValue(map[1]!)
        if (zero !== null) o[k] = zero
      } else nullsToGo(m, v, map[1]!)
    }
    return
  }
  const attrs = attributes(m, type)
  if (!attrs || Array.isArray(value)) return
  const o = value as Record<string, unknown>
  for (const [k, v] of Object.entries(o)) {
    const a = attrs.get(k)
    if (!a) continue
    if (v === null) delete o[k]
    else nullsToGo(m, v, a.type)
  }
}

/** Replaces JSON nulls as Go's decoder treats them (fields unset, elements and map values zero); kinds without a model are left alone. */
export async function decodeNulls(group: string, version: string, kind: string, o: unknown): Promise<void> {
  const m = await loadModels()
  const root = rootClass(group, version, kind)
  if (attributes(m, root)) nullsToGo(m, o, root)
}
