// Protobuf request bodies: kubectl's typed commands (`kubectl create token`, `create namespace`,
// `create configmap`, `create secret`, `create serviceaccount`, `create role`, `create
// rolebinding`, `create clusterrole`, `create clusterrolebinding`) send
// `application/vnd.kubernetes.protobuf`: the `k8s\0` magic, then a runtime.Unknown envelope
// (typeMeta, raw) whose raw bytes are the object in the field numbering of upstream's
// generated.proto. This decodes those kinds into the JSON shape the rest of the API server
// speaks. Mirrors k8s.io/apimachinery/pkg/runtime/serializer/protobuf.
// Simplifies: only the kinds above (others are a 415 that says so); answers are always JSON,
// which kubectl accepts too.

import { badRequest, unsupportedMediaType } from '../api/errors.js'

export const PROTOBUF = 'application/vnd.kubernetes.protobuf'
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00])

type Field = { no: number; wire: number; value: bigint | Buffer }

function varint(buf: Buffer, pos: { i: number }): bigint {
  let result = 0n
  let shift = 0n
  for (;;) {
    if (pos.i >= buf.length) throw new Error('truncated varint')
    const b = buf[pos.i++]!
    result |= BigInt(b & 0x7f) << shift
    if (!(b & 0x80)) return result
    shift += 7n
    if (shift > 70n) throw new Error('varint too long')
  }
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = []
  const pos = { i: 0 }
  while (pos.i < buf.length) {
    const key = Number(varint(buf, pos))
    const no = key >>> 3
    const wire = key & 7
    if (wire === 0) out.push({ no, wire, value: varint(buf, pos) })
    else if (wire === 2) {
      const len = Number(varint(buf, pos))
      if (pos.i + len > buf.length) throw new Error('truncated field')
      out.push({ no, wire, value: buf.subarray(pos.i, pos.i + len) })
      pos.i += len
    } else if (wire === 1 || wire === 5) {
      const len = wire === 1 ? 8 : 4
      out.push({ no, wire, value: buf.subarray(pos.i, pos.i + len) })
      pos.i += len
    } else throw new Error(`unsupported wire type ${wire}`)
  }
  return out
}

const str = (f: Field): string => (f.value as Buffer).toString('utf8')
const num = (f: Field): number => Number(BigInt.asIntN(64, f.value as bigint))

function map(list: Field[], no: number, bytes = false): Record<string, string> | undefined {
  const entries = list.filter((f) => f.no === no)
  if (!entries.length) return undefined
  const out: Record<string, string> = {}
  for (const e of entries) {
    const kv = fields(e.value as Buffer)
    const k = kv.find((f) => f.no === 1)
    const v = kv.find((f) => f.no === 2)
    out[k ? str(k) : ''] = v ? (bytes ? (v.value as Buffer).toString('base64') : str(v)) : ''
  }
  return out
}

function objectMeta(buf: Buffer): Record<string, unknown> {
  const f = fields(buf)
  const m: Record<string, unknown> = {}
  for (const x of f) {
    if (x.no === 1) m.name = str(x)
    else if (x.no === 2) m.generateName = str(x)
    else if (x.no === 3) m.namespace = str(x)
    else if (x.no === 5) m.uid = str(x)
    else if (x.no === 6) m.resourceVersion = str(x)
  }
  const labels = map(f, 11)
  const annotations = map(f, 12)
  if (labels) m.labels = labels
  if (annotations) m.annotations = annotations
  const finalizers = f.filter((x) => x.no === 14).map(str)
  if (finalizers.length) m.finalizers = finalizers
  return m
}

const sub = (f: Field[], no: number): Buffer | undefined => f.find((x) => x.no === no)?.value as Buffer | undefined

type Decoder = (f: Field[]) => Record<string, unknown>

const strings = (f: Field[], no: number): string[] => f.filter((x) => x.no === no).map(str)

function policyRules(f: Field[]): Record<string, unknown> {
  const rules = f
    .filter((x) => x.no === 2)
    .map((x) => {
      const r = fields(x.value as Buffer)
      const rule: Record<string, unknown> = { verbs: strings(r, 1) }
      const keys = ['', '', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs']
      for (const no of [2, 3, 4, 5]) {
        const v = strings(r, no)
        if (v.length) rule[keys[no]!] = v
      }
      return rule
    })
  return { rules }
}

function binding(f: Field[]): Record<string, unknown> {
  const subjects = f
    .filter((x) => x.no === 2)
    .map((x) => {
      const s = fields(x.value as Buffer)
      const o: Record<string, unknown> = {}
      for (const [no, key] of [[1, 'kind'], [2, 'apiGroup'], [3, 'name'], [4, 'namespace']] as const) {
        const v = s.find((y) => y.no === no)
        if (v) o[key] = str(v)
      }
      return o
    })
  const refBuf = sub(f, 3)
  const roleRef: Record<string, unknown> = {}
  if (refBuf) {
    for (const [no, key] of [[1, 'apiGroup'], [2, 'kind'], [3, 'name']] as const) {
      const v = fields(refBuf).find((y) => y.no === no)
      if (v) roleRef[key] = str(v)
    }
  }
  return { ...(subjects.length ? { subjects } : {}), roleRef }
}

const DECODERS: Record<string, Decoder> = {
  'rbac.authorization.k8s.io/v1/Role': policyRules,
  'rbac.authorization.k8s.io/v1/ClusterRole': policyRules,
  'rbac.authorization.k8s.io/v1/RoleBinding': binding,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': binding,
  'v1/ConfigMap': (f) => {
    const o: Record<string, unknown> = {}
    const data = map(f, 2)
    const binaryData = map(f, 3, true)
    if (data) o.data = data
    if (binaryData) o.binaryData = binaryData
    const imm = f.find((x) => x.no === 4)
    if (imm) o.immutable = num(imm) !== 0
    return o
  },
  'v1/Secret': (f) => {
    const o: Record<string, unknown> = {}
    const data = map(f, 2, true)
    if (data) o.data = data
    const type = f.find((x) => x.no === 3)
    if (type) o.type = str(type)
    const stringData = map(f, 4)
    if (stringData) o.stringData = stringData
    return o
  },
  'v1/Namespace': (f) => {
    const spec = sub(f, 2)
    return spec ? { spec: { finalizers: fields(spec).filter((x) => x.no === 1).map(str) } } : {}
  },
  'v1/ServiceAccount': (f) => {
    const o: Record<string, unknown> = {}
    const auto = f.find((x) => x.no === 4)
    if (auto) o.automountServiceAccountToken = num(auto) !== 0
    const pulls = f.filter((x) => x.no === 3).map((x) => ({ name: str(fields(x.value as Buffer).find((y) => y.no === 1) ?? { no: 1, wire: 2, value: Buffer.alloc(0) }) }))
    if (pulls.length) o.imagePullSecrets = pulls
    return o
  },
  'authentication.k8s.io/v1/TokenRequest': (f) => {
    const specBuf = sub(f, 2)
    const spec: Record<string, unknown> = {}
    if (specBuf) {
      const s = fields(specBuf)
      spec.audiences = s.filter((x) => x.no === 1).map(str)
      const exp = s.find((x) => x.no === 4)
      if (exp) spec.expirationSeconds = num(exp)
      const ref = sub(s, 3)
      if (ref) {
        const r = fields(ref)
        const get = (n: number): string | undefined => {
          const x = r.find((y) => y.no === n)
          return x ? str(x) : undefined
        }
        spec.boundObjectRef = { kind: get(1), apiVersion: get(2), name: get(3), uid: get(4) }
      }
    }
    return { spec }
  },
}

/** Decodes a protobuf body into a JSON object; a kind OCK cannot decode is a 415. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  const accepted = ['application/json', 'application/yaml', `${PROTOBUF} (for ${Object.keys(DECODERS).map((k) => k.split('/').pop()).join(', ')})`]
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw unsupportedMediaType(PROTOBUF, accepted)
  let apiVersion = ''
  let kind = ''
  let raw: Buffer | undefined
  try {
    for (const f of fields(body.subarray(4))) {
      if (f.no === 1) {
        for (const t of fields(f.value as Buffer)) {
          if (t.no === 1) apiVersion = str(t)
          if (t.no === 2) kind = str(t)
        }
      } else if (f.no === 2) raw = f.value as Buffer
    }
    const decode = DECODERS[`${apiVersion}/${kind}`]
    if (!decode || !raw) throw unsupportedMediaType(`${PROTOBUF} (${apiVersion} ${kind})`, accepted)
    const f = fields(raw)
    const metaBuf = sub(f, 1)
    return { apiVersion, kind, metadata: metaBuf ? objectMeta(metaBuf) : {}, ...decode(f) }
  } catch (e) {
    if (e instanceof Error && e.name === 'ApiError') throw e
    throw badRequest(`the protobuf body could not be decoded: ${e instanceof Error ? e.message : String(e)}`)
  }
}
