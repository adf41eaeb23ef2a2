import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from '../../api/errors.js'
import type { StoredObject } from '../../api/meta.js'
import { kubeletAddress, kubeletError } from './kubeletclient.js'
import { containerFor, exitStatus } from './podconnect.js'

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

describe('exec results', () => {
  it('turns an exit code into the Status kubectl reads', () => {
    assert.deepEqual(exitStatus(['true'], 0), { metadata: {}, status: 'Success' })
    assert.deepEqual(exitStatus(['sh', '-c', 'exit 3'], 3), {
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    })
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
