import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from '../api/errors.js'
import { decodeProtobuf } from './protobuf.js'

// A tiny protobuf writer: enough to build what kubectl sends (length-delimited fields and varints).
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

describe('protobuf bodies', () => {
  it('decodes a TokenRequest as kubectl create token sends it', () => {
    const raw = msg(bytes(1, msg(bytes(1, 'deployer'), bytes(3, 'team-a'))), bytes(2, msg(bytes(1, 'api'), int(4, 3600))))
    assert.deepEqual(decodeProtobuf(envelope('authentication.k8s.io/v1', 'TokenRequest', raw)), {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { name: 'deployer', namespace: 'team-a' },
      spec: { audiences: ['api'], expirationSeconds: 3600 },
    })
  })

  it('decodes a ConfigMap with labels and data', () => {
    const raw = msg(bytes(1, msg(bytes(1, 'cfg'), bytes(11, msg(bytes(1, 'app'), bytes(2, 'web'))))), bytes(2, msg(bytes(1, 'k'), bytes(2, 'v'))))
    assert.deepEqual(decodeProtobuf(envelope('v1', 'ConfigMap', raw)), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', labels: { app: 'web' } }, data: { k: 'v' } })
  })

  it('decodes a RoleBinding', () => {
    const raw = msg(bytes(1, msg(bytes(1, 'rb'))), bytes(2, msg(bytes(1, 'ServiceAccount'), bytes(3, 'deployer'), bytes(4, 'team-a'))), bytes(3, msg(bytes(1, 'rbac.authorization.k8s.io'), bytes(2, 'Role'), bytes(3, 'writer'))))
    assert.deepEqual(decodeProtobuf(envelope('rbac.authorization.k8s.io/v1', 'RoleBinding', raw)), {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'rb' },
      subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'team-a' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'writer' },
    })
  })

  const refused: [string, Buffer, number][] = [
    ['a kind OCK does not decode', envelope('apps/v1', 'Deployment', Buffer.alloc(0)), 415],
    ['no magic', Buffer.from('{"kind":"Pod"}'), 415],
    ['a truncated message', Buffer.concat([envelope('v1', 'ConfigMap', msg(bytes(1, 'x'))).subarray(0, 20)]), 400],
  ]
  for (const [name, body, code] of refused) {
    it(`refuses ${name} with ${code}`, () => {
      assert.throws(() => decodeProtobuf(body), (e: unknown) => e instanceof ApiError && e.code === code)
    })
  }
})
