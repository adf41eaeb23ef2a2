import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { encodeOpenApiV2 } from './v2proto.js'

/** A protobuf message's fields by number: varints as numbers, length-delimited fields as bytes. */
function fields(buf: Buffer): Map<number, (number | Buffer)[]> {
  const out = new Map<number, (number | Buffer)[]>()
  let i = 0
  const varint = (): number => {
    let n = 0
    let mul = 1
    for (;;) {
      const b = buf[i++]!
      n += (b & 127) * mul
      if (b < 128) return n
      mul *= 128
    }
  }
  while (i < buf.length) {
    const key = varint()
    const [no, wire] = [Math.floor(key / 8), key % 8]
    let v: number | Buffer
    if (wire === 0) v = varint()
    else if (wire === 2) {
      const len = varint()
      v = buf.subarray(i, i + len)
      i += len
    } else throw new Error(`wire type ${wire}`)
    out.set(no, [...(out.get(no) ?? []), v])
  }
  return out
}
const one = (m: Map<number, (number | Buffer)[]>, no: number): Buffer => m.get(no)![0] as Buffer
const str = (m: Map<number, (number | Buffer)[]>, no: number): string => one(m, no).toString('utf8')
/** The value of a repeated Named* (name 1, value 2) by name. */
function named(list: (number | Buffer)[], name: string): Map<number, (number | Buffer)[]> {
  for (const b of list) {
    const f = fields(b as Buffer)
    if (str(f, 1) === name) return fields(one(f, 2))
  }
  throw new Error(`no ${name}`)
}

describe('/openapi/v2 as gnostic protobuf', () => {
  const doc = {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: {
      '/api/v1/namespaces/{namespace}/configmaps/{name}': {
        patch: {
          operationId: 'patchCoreV1NamespacedConfigMap',
          parameters: [
            { in: 'body', name: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } },
            { in: 'query', name: 'fieldValidation', type: 'string', uniqueItems: true },
          ],
          responses: { '200': { description: 'OK', schema: { $ref: '#/definitions/io.k8s.api.core.v1.ConfigMap' } } },
          'x-kubernetes-group-version-kind': { group: '', kind: 'ConfigMap', version: 'v1' },
        },
        parameters: [{ in: 'path', name: 'name', required: true, type: 'string' }],
      },
    },
    definitions: {
      'io.k8s.api.core.v1.ConfigMap': {
        description: 'ConfigMap holds configuration data for pods to consume.',
        properties: {
          data: { additionalProperties: { type: 'string' }, type: 'object' },
          metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', description: 'meta' },
          finalizers: { items: { type: 'string' }, type: 'array', 'x-kubernetes-list-type': 'set' },
        },
        required: ['data'],
        type: 'object',
        'x-kubernetes-group-version-kind': [{ group: '', kind: 'ConfigMap', version: 'v1' }],
      },
    },
  }
  const d = fields(encodeOpenApiV2(doc))

  it('writes the document fields by their OpenAPIv2.proto numbers', () => {
    assert.equal(str(d, 1), '2.0')
    assert.equal(str(fields(one(d, 2)), 2), 'v1.32.0')
  })

  it('writes a definition: description, required, type, properties, $ref, additionalProperties, extensions', () => {
    const cm = named(fields(one(d, 9)).get(1)!, 'io.k8s.api.core.v1.ConfigMap')
    assert.equal(str(cm, 4), 'ConfigMap holds configuration data for pods to consume.')
    assert.equal(str(cm, 19), 'data')
    assert.equal(str(fields(one(cm, 22)), 1), 'object')
    const props = fields(one(cm, 25)).get(1)!
    const meta = named(props, 'metadata')
    assert.equal(str(meta, 1), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')
    const data = named(props, 'data')
    const ap = fields(one(fields(one(data, 21)), 1))
    assert.equal(str(fields(one(ap, 22)), 1), 'string')
    const fin = named(props, 'finalizers')
    const items = fields(one(fields(one(fin, 23)), 1))
    assert.equal(str(fields(one(items, 22)), 1), 'string')
    const ext = named(fin.get(31)!, 'x-kubernetes-list-type')
    assert.equal(str(ext, 2), '"set"')
    const gvk = named(cm.get(31)!, 'x-kubernetes-group-version-kind')
    assert.deepEqual(JSON.parse(str(gvk, 2)), [{ group: '', kind: 'ConfigMap', version: 'v1' }])
  })

  it('writes a PATCH operation with its query parameter fieldValidation', () => {
    const item = named(fields(one(d, 8)).get(2)!, '/api/v1/namespaces/{namespace}/configmaps/{name}')
    const patch = fields(one(item, 8))
    assert.equal(str(patch, 5), 'patchCoreV1NamespacedConfigMap')
    const params = patch.get(8)!.map((b) => fields(one(fields(b as Buffer), 1)))
    const body = fields(one(params[0]!, 1))
    assert.equal(str(body, 2), 'body')
    const query = fields(one(fields(one(params[1]!, 2)), 3))
    assert.equal(str(query, 4), 'fieldValidation')
    assert.equal(str(query, 2), 'query')
    assert.equal(query.get(20)![0], 1)
    assert.deepEqual(JSON.parse(str(named(patch.get(13)!, 'x-kubernetes-group-version-kind'), 2)), { group: '', kind: 'ConfigMap', version: 'v1' })
    const path = fields(one(fields(one(fields(item.get(9)![0] as Buffer), 1)), 2))
    assert.equal(str(fields(one(path, 4)), 4), 'name')
  })
})
