import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ApiError } from '../../api/errors.js'
import { decodeProtobufObject } from './protobuf.js'

const dir = join(import.meta.dirname, 'testdata', 'protobuf')

/** What kubectl prints, without what an encoder leaves out or the server sets anyway. */
function normalize(o: unknown): unknown {
  if (Array.isArray(o)) return o.map(normalize)
  if (o && typeof o === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(o)) {
      if (k === 'creationTimestamp' && v === null) continue
      if (k === 'status') continue // the server resets status on create
      out[k] = normalize(v)
    }
    return out
  }
  return o
}

describe('protobuf request bodies', () => {
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.pb'))) {
    const name = f.replace(/\.pb$/, '')
    it(`decodes what kubectl sends for ${name} into what kubectl would send as JSON`, () => {
      const decoded = decodeProtobufObject(readFileSync(join(dir, f)))
      const want = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as unknown
      assert.deepEqual(normalize(decoded), normalize(want))
    })
  }

  it('refuses a body without the magic number, and kinds it cannot decode, with a Status that says what to do', () => {
    assert.throws(
      () => decodeProtobufObject(Buffer.from('{"kind":"Pod"}')),
      (e: unknown) => e instanceof ApiError && e.code === 400,
    )
    // magic + Unknown{typeMeta{apiVersion: v1, kind: Node}}
    const typeMeta = Buffer.concat([Buffer.from([0x0a, 2]), Buffer.from('v1'), Buffer.from([0x12, 4]), Buffer.from('Node')])
    const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0a, typeMeta.length]), typeMeta])
    assert.throws(
      () => decodeProtobufObject(body),
      (e: unknown) => e instanceof ApiError && e.code === 415 && /as JSON/.test(e.message),
    )
  })

  it('refuses a field it does not know when it carries a value, instead of dropping it', () => {
    const pb = readFileSync(join(dir, 'namespace.pb'))
    // append an unknown field 15 (a string "x") to the Namespace message inside runtime.Unknown.raw
    const decoded = decodeProtobufObject(pb)
    assert.equal(decoded.metadata?.name, 'demo')
    const extra = Buffer.from([0x7a, 1, 0x78]) // field 15, wire type 2, "x"
    const rawStart = pb.indexOf(Buffer.from([0x12]), 4 + 2 + pb[5]!) // runtime.Unknown field 2 (raw)
    const rawLen = pb[rawStart + 1]!
    const raw = Buffer.concat([pb.subarray(rawStart + 2, rawStart + 2 + rawLen), extra])
    const rebuilt = Buffer.concat([pb.subarray(0, rawStart), Buffer.from([0x12, raw.length]), raw, pb.subarray(rawStart + 2 + rawLen)])
    assert.throws(
      () => decodeProtobufObject(rebuilt),
      (e: unknown) => e instanceof ApiError && e.code === 415 && /field 15 of Namespace/.test(e.message),
    )
  })
})

// A tiny protobuf writer for kinds without a captured kubectl fixture.
const varint = (n: number): Buffer => {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n = Math.floor(n / 128)
    if (n) b |= 0x80
    out.push(b)
  } while (n)
  return Buffer.from(out)
}
const bytes = (no: number, v: Buffer | string): Buffer => {
  const b = typeof v === 'string' ? Buffer.from(v) : v
  return Buffer.concat([varint((no << 3) | 2), varint(b.length), b])
}
const int = (no: number, v: number): Buffer => Buffer.concat([varint(no << 3), varint(v)])
const msg = (...parts: Buffer[]): Buffer => Buffer.concat(parts)
const envelope = (apiVersion: string, kind: string, raw: Buffer): Buffer =>
  Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), bytes(1, msg(bytes(1, apiVersion), bytes(2, kind))), bytes(2, raw)])

describe('protobuf bodies of RBAC and TokenRequest objects', () => {
  it('decodes a TokenRequest as kubectl create token sends it', () => {
    const raw = msg(bytes(1, msg(bytes(1, 'deployer'), bytes(3, 'team-a'))), bytes(2, msg(bytes(1, 'api'), int(4, 3600))))
    const o = decodeProtobufObject(envelope('authentication.k8s.io/v1', 'TokenRequest', raw)) as Record<string, unknown>
    assert.deepEqual(o.metadata, { name: 'deployer', namespace: 'team-a' })
    assert.deepEqual(o.spec, { audiences: ['api'], expirationSeconds: 3600 })
  })

  it('decodes a RoleBinding and a Role', () => {
    const rb = msg(
      bytes(1, msg(bytes(1, 'rb'))),
      bytes(2, msg(bytes(1, 'ServiceAccount'), bytes(3, 'deployer'), bytes(4, 'team-a'))),
      bytes(3, msg(bytes(1, 'rbac.authorization.k8s.io'), bytes(2, 'Role'), bytes(3, 'writer'))),
    )
    const o = decodeProtobufObject(envelope('rbac.authorization.k8s.io/v1', 'RoleBinding', rb)) as Record<string, unknown>
    assert.deepEqual(o.subjects, [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'team-a' }])
    assert.deepEqual(o.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'writer' })
    const role = msg(bytes(1, msg(bytes(1, 'writer'))), bytes(2, msg(bytes(1, 'get'), bytes(1, 'create'), bytes(2, ''), bytes(3, 'configmaps'))))
    const r = decodeProtobufObject(envelope('rbac.authorization.k8s.io/v1', 'Role', role)) as Record<string, unknown>
    assert.deepEqual(r.rules, [{ verbs: ['get', 'create'], apiGroups: [''], resources: ['configmaps'] }])
  })
})
