import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Demuxer } from './streams.js'

const frame = (type: number, text: string): Buffer => {
  const head = Buffer.alloc(8)
  head[0] = type
  head.writeUInt32BE(Buffer.byteLength(text), 4)
  return Buffer.concat([head, Buffer.from(text)])
}

describe("the Docker engine's multiplexed stream, split as it arrives", () => {
  const wire = Buffer.concat([frame(1, 'out'), frame(2, 'err'), frame(1, ''), frame(1, 'more')])
  const table: [string, number][] = [
    ['in one chunk', wire.length],
    ['byte by byte', 1],
    ['in chunks that cut headers', 5],
  ]
  for (const [name, size] of table)
    it(name, () => {
      const got: string[] = []
      const d = new Demuxer((stream, payload) => got.push(`${stream}:${payload.toString()}`))
      for (let at = 0; at < wire.length; at += size) d.push(wire.subarray(at, at + size))
      assert.deepEqual(got, ['stdout:out', 'stderr:err', 'stdout:more'])
    })
})
