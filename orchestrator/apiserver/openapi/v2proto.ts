// /openapi/v2 in protobuf, as Go clients ask for it (client-go's DiscoveryClient.OpenAPISchema
// sends `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf` and unmarshals the
// answer as gnostic's openapi_v2.Document; kubectl uses it for client-side validation and for the
// patch strategy of `kubectl apply`). The field numbers are those of gnostic's OpenAPIv2.proto
// (the wire format); a vendor extension or enum value is an Any whose `yaml` holds the value
// (JSON text, which is YAML), as gnostic writes them.
// Simplifies: encodes the parts of a document documents.ts writes (schemas, paths with
// operations, query/path/body parameters, responses, security); anything else is left out.

type Json = Record<string, unknown>

/** A protobuf message being written: fields appended in order, bytes at the end. */
class Message {
  private readonly parts: Buffer[] = []

  private varint(n: number): void {
    const bytes: number[] = []
    let v = n
    while (v > 127) {
      bytes.push((v & 127) | 128)
      v = Math.floor(v / 128)
    }
    bytes.push(v)
    this.parts.push(Buffer.from(bytes))
  }

  private key(field: number, wire: number): void {
    this.varint(field * 8 + wire)
  }

  string(field: number, s: unknown): this {
    if (typeof s !== 'string' || s === '') return this
    return this.bytes(field, Buffer.from(s, 'utf8'))
  }

  strings(field: number, list: unknown): this {
    if (Array.isArray(list)) for (const s of list) this.bytes(field, Buffer.from(String(s), 'utf8'))
    return this
  }

  bool(field: number, b: unknown): this {
    if (b !== true) return this
    this.key(field, 0)
    this.varint(1)
    return this
  }

  bytes(field: number, b: Buffer): this {
    this.key(field, 2)
    this.varint(b.length)
    this.parts.push(b)
    return this
  }

  message(field: number, m: Message | undefined): this {
    return m ? this.bytes(field, m.done()) : this
  }

  done(): Buffer {
    return Buffer.concat(this.parts)
  }
}

const entries = (o: unknown): [string, unknown][] => (o && typeof o === 'object' ? Object.entries(o as Json) : [])

/** Any{yaml}: a value as YAML text (JSON is YAML). */
const any = (v: unknown): Message => new Message().string(2, JSON.stringify(v))

function named(name: string, value: Message): Message {
  return new Message().string(1, name).message(2, value)
}

function vendorExtensions(m: Message, field: number, o: Json): Message {
  for (const [k, v] of Object.entries(o)) if (k.startsWith('x-')) m.message(field, named(k, any(v)))
  return m
}

export function schemaMessage(s: Json): Message {
  const m = new Message().string(1, s.$ref).string(2, s.format).string(3, s.title).string(4, s.description).bool(16, s.uniqueItems)
  m.strings(19, s.required)
  if (Array.isArray(s.enum)) for (const v of s.enum) m.message(20, any(v))
  const ap = s.additionalProperties
  if (typeof ap === 'boolean') m.message(21, new Message().bool(2, ap))
  else if (ap && typeof ap === 'object') m.message(21, new Message().message(1, schemaMessage(ap as Json)))
  if (s.type !== undefined) m.message(22, new Message().strings(1, Array.isArray(s.type) ? s.type : [s.type]))
  if (s.items && typeof s.items === 'object') m.message(23, new Message().message(1, schemaMessage(s.items as Json)))
  if (Array.isArray(s.allOf)) for (const a of s.allOf) m.message(24, schemaMessage(a as Json))
  if (s.properties) {
    const props = new Message()
    for (const [k, v] of entries(s.properties)) props.message(1, named(k, schemaMessage(v as Json)))
    m.message(25, props)
  }
  return vendorExtensions(m, 31, s)
}

function parameterMessage(p: Json): Message {
  let param: Message
  if (p.in === 'body') {
    const body = new Message()
      .string(1, p.description)
      .string(2, p.name)
      .string(3, p.in)
      .bool(4, p.required)
      .message(5, schemaMessage(p.schema as Json))
    param = new Message().message(1, body)
  } else {
    // QueryParameterSubSchema (3) and PathParameterSubSchema (4) number their fields differently
    const sub = new Message().bool(1, p.required).string(2, p.in).string(3, p.description).string(4, p.name)
    if (p.in === 'query') sub.string(6, p.type).bool(20, p.uniqueItems)
    else sub.string(5, p.type).bool(19, p.uniqueItems)
    param = new Message().message(2, new Message().message(p.in === 'query' ? 3 : 4, sub))
  }
  return new Message().message(1, param)
}

function operationMessage(o: Json): Message {
  const m = new Message().strings(1, o.tags).string(3, o.description).string(5, o.operationId).strings(6, o.produces).strings(7, o.consumes)
  if (Array.isArray(o.parameters)) for (const p of o.parameters) m.message(8, parameterMessage(p as Json))
  const responses = new Message()
  for (const [code, r] of entries(o.responses)) {
    const rj = r as Json
    const resp = new Message().string(1, rj.description)
    if (rj.schema) resp.message(2, new Message().message(1, schemaMessage(rj.schema as Json)))
    responses.message(1, named(code, new Message().message(1, resp)))
  }
  m.message(9, responses).strings(10, o.schemes)
  return vendorExtensions(m, 13, o)
}

const METHODS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 }

function pathItemMessage(item: Json): Message {
  const m = new Message()
  for (const [method, field] of Object.entries(METHODS)) if (item[method]) m.message(field, operationMessage(item[method] as Json))
  if (Array.isArray(item.parameters)) for (const p of item.parameters) m.message(9, parameterMessage(p as Json))
  return vendorExtensions(m, 10, item)
}

/** A swagger 2.0 document (as JSON) encoded as gnostic's openapi_v2.Document. */
export function encodeOpenApiV2(doc: Json): Buffer {
  const info = doc.info as Json | undefined
  const m = new Message().string(1, doc.swagger)
  if (info) m.message(2, new Message().string(1, info.title).string(2, info.version))
  const paths = new Message()
  for (const [p, item] of entries(doc.paths)) paths.message(2, named(p, pathItemMessage(item as Json)))
  m.message(8, paths)
  const defs = new Message()
  for (const [name, s] of entries(doc.definitions)) defs.message(1, named(name, schemaMessage(s as Json)))
  m.message(9, defs)
  if (Array.isArray(doc.security))
    for (const req of doc.security) {
      const r = new Message()
      for (const [k, scopes] of entries(req)) r.message(1, named(k, new Message().strings(1, scopes)))
      m.message(12, r)
    }
  const sd = new Message()
  for (const [k, d] of entries(doc.securityDefinitions)) {
    const dj = d as Json
    const apiKey = new Message().string(1, dj.type).string(2, dj.name).string(3, dj.in).string(4, dj.description)
    sd.message(1, named(k, new Message().message(2, apiKey)))
  }
  m.message(13, sd)
  return vendorExtensions(m, 16, doc).done()
}
