import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ApiError } from '../api/errors.js'
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
    assert.throws(() => decodeProtobufObject(Buffer.from('{"kind":"Pod"}')), (e: unknown) => e instanceof ApiError && e.code === 400)
    // magic + Unknown{typeMeta{apiVersion: v1, kind: Node}}
    const typeMeta = Buffer.concat([Buffer.from([0x0a, 2]), Buffer.from('v1'), Buffer.from([0x12, 4]), Buffer.from('Node')])
    const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0a, typeMeta.length]), typeMeta])
    assert.throws(() => decodeProtobufObject(body), (e: unknown) => e instanceof ApiError && e.code === 415 && /as JSON/.test(e.message))
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
    assert.throws(() => decodeProtobufObject(rebuilt), (e: unknown) => e instanceof ApiError && e.code === 415 && /field 15 of Namespace/.test(e.message))
  })
})
