import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from '../../api/errors.js'
import type { StoredObject } from '../../api/meta.js'
import { kubeletAddress, kubeletError } from './kubeletclient.js'
import { containerFor, kubeletLogQuery } from './podconnect.js'

const pod = (names: string[], init: string[] = []) =>
  ({
    metadata: { name: 'web', namespace: 'shop' },
    spec: { containers: names.map((name) => ({ name })), initContainers: init.map((name) => ({ name })) },
  }) as unknown as StoredObject

describe('the container of a log or exec request', () => {
  it('defaults to the only container and names the choices otherwise, as upstream', () => {
    assert.equal(containerFor(pod(['app']), null), 'app')
    assert.equal(containerFor(pod(['a', 'b']), 'b'), 'b')
    const table: [StoredObject, string | null, string][] = [
      [pod(['a', 'b']), null, 'a container name must be specified for pod web, choose one of: [a b]'],
      [pod(['a', 'b'], ['init']), null, 'a container name must be specified for pod web, choose one of: [a b] or one of the init containers: [init]'],
      [pod(['app']), 'nope', 'container nope is not valid for pod web'],
      [pod([]), null, 'a container name must be specified for pod web'],
    ]
    for (const [p, c, message] of table)
      assert.throws(
        () => containerFor(p, c),
        (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === message,
      )
  })
})

describe('the kubelet client', () => {
  it('finds a kubelet at the InternalIP and daemon endpoint port', () => {
    assert.deepEqual(
      kubeletAddress({
        status: {
          addresses: [
            { type: 'Hostname', address: 'n1' },
            { type: 'InternalIP', address: '127.220.1.1' },
          ],
          daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        },
      }),
      { host: '127.220.1.1', port: 10250 },
    )
    assert.throws(() => kubeletAddress({ metadata: { name: 'n1' }, status: {} }), /no preferred addresses/)
  })

  it("passes the kubelet's refusals on as Statuses", () => {
    const table: [number, string, number, string, string][] = [
      [
        400,
        'container "app" in pod "web" is waiting to start: ContainerCreating\n',
        400,
        'BadRequest',
        'container "app" in pod "web" is waiting to start: ContainerCreating',
      ],
      [404, 'pod "web" does not exist', 404, 'NotFound', 'pod "web" does not exist'],
      [500, 'boom', 500, 'InternalError', 'Internal error occurred: boom'],
      [403, 'Forbidden (user=x, verb=get, path=/exec/)', 403, 'Forbidden', 'Forbidden (user=x, verb=get, path=/exec/)'],
    ]
    for (const [code, body, wantCode, reason, message] of table) {
      const e = kubeletError(code, body)
      assert.deepEqual([e.code, e.reason, e.message], [wantCode, reason, message])
    }
  })
})

describe('the query of a log request', () => {
  const q = (s: string): string => kubeletLogQuery(new URLSearchParams(s), 'web').toString()

  it('re-encodes the options as LogLocation does, whatever spelling of a boolean the client sent', () => {
    const table: [string, string][] = [
      ['', ''],
      ['follow=True&previous=t&timestamps=1', 'follow=true&previous=true&timestamps=true'],
      ['follow=false&previous=0&timestamps=FALSE', ''],
      ['follow=&tailLines=%2B3&limitBytes=10&sinceSeconds=5', 'follow=true&sinceSeconds=5&tailLines=3&limitBytes=10'],
      ['container=app&bogus=1', ''],
    ]
    for (const [query, want] of table) assert.equal(q(query), want, query)
  })

  it('answers an integer that does not parse with 400, and out-of-range values with one 422 naming each', () => {
    assert.throws(
      () => q('tailLines=abc'),
      (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'strconv.ParseInt: parsing "abc": invalid syntax',
    )
    assert.throws(
      () => q('tailLines=-1&limitBytes=0&sinceSeconds=0'),
      (e: unknown) => {
        assert.ok(e instanceof ApiError)
        assert.equal(e.code, 422)
        assert.equal(
          e.message,
          'PodLogOptions "web" is invalid: [tailLines: Invalid value: -1: must be greater than or equal to 0, limitBytes: Invalid value: 0: must be greater than 0, sinceSeconds: Invalid value: 0: must be greater than 0]',
        )
        return true
      },
    )
  })
})
