import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { alreadyExists, ApiError, encodeStatus, internalError, invalid, methodNotAllowed, notFound, serverTimeout, timeout, type StatusBody } from './errors.js'
import { goJson, goJsonLine } from './json.js'

// The exact bytes kube-apiserver writes for these Statuses (less the trailing newline the HTTP
// answer adds): metav1.Status's field order, omitempty fields left out, Go's HTML escapes.
describe('Status bodies, byte for byte as upstream', () => {
  const table: [string, StatusBody, string][] = [
    [
      '404 NotFound',
      notFound({ group: '', resource: 'configmaps' }, 'nope').toStatus(),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"configmaps"},"code":404}',
    ],
    [
      '404 NotFound of a grouped resource',
      notFound({ group: 'apps', resource: 'deployments' }, 'web').toStatus(),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \\"web\\" not found","reason":"NotFound","details":{"name":"web","group":"apps","kind":"deployments"},"code":404}',
    ],
    [
      '409 AlreadyExists',
      alreadyExists({ group: '', resource: 'configmaps' }, 'web').toStatus(),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"web\\" already exists","reason":"AlreadyExists","details":{"name":"web","kind":"configmaps"},"code":409}',
    ],
    [
      '422 Invalid with causes',
      invalid({ group: 'apps', kind: 'Deployment' }, 'web', [
        { type: 'FieldValueInvalid', field: 'spec.replicas', value: -1, detail: 'must be greater than or equal to 0' },
        { type: 'FieldValueRequired', field: 'spec.selector' },
      ]).toStatus(),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Deployment.apps \\"web\\" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.selector: Required value]","reason":"Invalid","details":{"name":"web","group":"apps","kind":"Deployment","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: -1: must be greater than or equal to 0","field":"spec.replicas"},{"reason":"FieldValueRequired","message":"Required value","field":"spec.selector"}]},"code":422}',
    ],
    [
      '405 of the router: empty details stay (a non-nil pointer)',
      methodNotAllowed().toStatus(),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server does not allow this method on the requested resource","reason":"MethodNotAllowed","details":{},"code":405}',
    ],
    [
      '500 InternalError: a cause with only a message',
      internalError(new Error('boom')).toStatus(),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Internal error occurred: boom","reason":"InternalError","details":{"causes":[{"message":"boom"}]},"code":500}',
    ],
    [
      '500 ServerTimeout: retryAfterSeconds last in details',
      serverTimeout({ group: '', resource: 'pods' }, 'get').toStatus(),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"The get operation against pods could not be completed at this time, please try again.","reason":"ServerTimeout","details":{"kind":"pods","retryAfterSeconds":2},"code":500}',
    ],
    [
      '504 Timeout without a retry: empty details, as NewTimeoutError',
      timeout('Timeout: request did not complete within the allotted timeout').toStatus(),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Timeout: request did not complete within the allotted timeout","reason":"Timeout","details":{},"code":504}',
    ],
    [
      'fields in struct order whatever order the object was built in',
      {
        code: 409,
        details: { causes: [{ field: 'f', message: 'm', reason: 'r' }], kind: 'pods', name: 'p' },
        reason: 'Conflict',
        message: 'x',
        status: 'Failure',
        metadata: {},
        apiVersion: 'v1',
        kind: 'Status',
      },
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"x","reason":"Conflict","details":{"name":"p","kind":"pods","causes":[{"reason":"r","message":"m","field":"f"}]},"code":409}',
    ],
    ['a bare metav1.Status (the exec error channel): no kind, apiVersion or code', { metadata: {}, status: 'Success' }, '{"metadata":{},"status":"Success"}'],
    [
      "Go's HTML escapes in a message",
      new ApiError(400, 'BadRequest', 'a <b> & c\u2028').toStatus(),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"a \\u003cb\\u003e \\u0026 c\\u2028","reason":"BadRequest","code":400}',
    ],
  ]
  for (const [what, status, want] of table) {
    it(what, () => assert.equal(encodeStatus(status), want))
  }

  it('keeps toStatus() in the same order, for those who stringify it themselves', () => {
    const s = notFound({ group: '', resource: 'pods' }, 'p').toStatus()
    assert.deepEqual(Object.keys(s), ['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'details', 'code'])
    assert.equal(JSON.stringify(s), encodeStatus(s))
  })
})

describe("JSON text as Go's encoder writes it", () => {
  const table: [string, string][] = [
    ['{"a":"b"}', '{"a":"b"}'],
    ['{"a":"<script>&</script>"}', '{"a":"\\u003cscript\\u003e\\u0026\\u003c/script\\u003e"}'],
    ['{"a":"\u2028\u2029"}', '{"a":"\\u2028\\u2029"}'],
    ['{"a":"é ✓"}', '{"a":"é ✓"}'],
  ]
  for (const [text, want] of table) {
    it(`escapes ${text}`, () => {
      assert.equal(goJson(text), want)
      assert.equal(goJsonLine(text), `${want}\n`)
      assert.deepEqual(JSON.parse(goJson(text)), JSON.parse(text))
    })
  }
})
