import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  decodeFrame,
  decodeResize,
  encodeFrame,
  errorStatus,
  exitStatus,
  negotiate,
  offeredProtocols,
  PORT_FORWARD_PROTOCOLS,
  portPrefix,
  REMOTE_COMMAND_PROTOCOLS,
  statusPayload,
} from './wsstream.js'

const proto = (name: string) => REMOTE_COMMAND_PROTOCOLS.find((p) => p.name === name)!

describe('the WebSocket channel protocols', () => {
  it("picks the client's first supported offer, binary channels when it offers none, nothing when none fits", () => {
    const table: [string | undefined, string | undefined][] = [
      ['v5.channel.k8s.io, v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io', 'v5.channel.k8s.io'], // kubectl 1.32
      ['v4.channel.k8s.io', 'v4.channel.k8s.io'], // the Python client
      ['bogus, base64.channel.k8s.io', 'base64.channel.k8s.io'],
      [undefined, ''],
      ['SPDY/3.1+portforward.k8s.io', undefined],
    ]
    for (const [header, want] of table) assert.equal(negotiate(offeredProtocols(header), REMOTE_COMMAND_PROTOCOLS)?.name, want, header)
    assert.equal(negotiate(['v4.channel.k8s.io'], PORT_FORWARD_PROTOCOLS)?.name, 'v4.channel.k8s.io')
  })

  it('frames a channel in binary and in base64, and reads it back', () => {
    const table: [string, number, string, Buffer | string][] = [
      ['v5.channel.k8s.io', 1, 'hi', Buffer.from([1, 0x68, 0x69])],
      ['v4.channel.k8s.io', 3, '', Buffer.from([3])],
      ['base64.channel.k8s.io', 1, 'hi', '1aGk='],
      ['v4.base64.channel.k8s.io', 2, 'hello', '2aGVsbG8='],
    ]
    for (const [name, channel, data, wire] of table) {
      const framed = encodeFrame(proto(name), channel, data)
      assert.deepEqual(framed, wire, name)
      const back = decodeFrame(proto(name), Buffer.isBuffer(framed) ? framed : Buffer.from(framed))
      assert.deepEqual([back?.channel, back?.data.toString()], [channel, data], name)
    }
    assert.equal(decodeFrame(proto('v5.channel.k8s.io'), Buffer.alloc(0)), undefined)
    assert.deepEqual(decodeFrame(proto('v5.channel.k8s.io'), Buffer.from([255, 0])), { channel: 255, data: Buffer.from([0]) })
  })

  it('reads a terminal size from a resize message', () => {
    const table: [string, { width: number; height: number } | undefined][] = [
      ['{"Width":80,"Height":24}', { width: 80, height: 24 }],
      ['{"width":80}', undefined],
      ['not json', undefined],
    ]
    for (const [text, want] of table) assert.deepEqual(decodeResize(Buffer.from(text)), want, text)
  })

  it("writes the exit status as upstream's remotecommand: Status JSON from v4, a failure's message before", () => {
    const failed = exitStatus(['sh', '-c', 'exit 3'], 3)
    const table: [1 | 4 | 5, ReturnType<typeof exitStatus>, string | undefined][] = [
      [5, exitStatus(['true'], 0), '{"metadata":{},"status":"Success"}'],
      [
        4,
        failed,
        '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
      ],
      [1, exitStatus(['true'], 0), undefined],
      [1, failed, 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3'],
      [
        5,
        errorStatus('boom'),
        '{"metadata":{},"status":"Failure","message":"Internal error occurred: error executing command in container: boom","reason":"InternalError","details":{"causes":[{"message":"error executing command in container: boom"}]},"code":500}',
      ],
    ]
    for (const [version, status, want] of table) assert.equal(statusPayload(version, status), want)
  })

  it('starts a port-forward channel with the port, little-endian', () => {
    assert.deepEqual(portPrefix(8080), Buffer.from([0x90, 0x1f]))
    assert.deepEqual(portPrefix(80), Buffer.from([80, 0]))
  })
})
