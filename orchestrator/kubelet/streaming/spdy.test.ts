import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { decodeHeaders, DICTIONARY, encode, encodeHeaders, FLAG_FIN, FrameReader, HeaderCodec, type Frame } from './spdy.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')

describe('SPDY/3.1 framing', () => {
  // each frame with its bytes on the wire (draft 3.1: control bit, version 3, type, flags, 24-bit length)
  const table: [string, Frame, string][] = [
    ['DATA with FIN', { type: 'data', streamId: 5, flags: FLAG_FIN, data: Buffer.from('hi') }, '00000005 01000002 6869'],
    ['empty DATA', { type: 'data', streamId: 1, flags: 0, data: Buffer.alloc(0) }, '00000001 00000000'],
    [
      'SYN_STREAM',
      { type: 'syn_stream', streamId: 1, associatedTo: 0, priority: 0, flags: 0, headerBlock: hex('aabb') },
      '80030001 0000000c 00000001 00000000 0000 aabb',
    ],
    ['SYN_REPLY', { type: 'syn_reply', streamId: 3, flags: 0, headerBlock: hex('cc') }, '80030002 00000005 00000003 cc'],
    ['HEADERS with FIN', { type: 'headers', streamId: 3, flags: FLAG_FIN, headerBlock: hex('cc') }, '80030008 01000005 00000003 cc'],
    ['RST_STREAM (cancel)', { type: 'rst_stream', streamId: 7, status: 5 }, '80030003 00000008 00000007 00000005'],
    ['PING', { type: 'ping', id: 1 }, '80030006 00000004 00000001'],
    ['GOAWAY', { type: 'goaway', lastGoodStreamId: 9, status: 0 }, '80030007 00000008 00000009 00000000'],
    ['WINDOW_UPDATE', { type: 'window_update', streamId: 1, delta: 65536 }, '80030009 00000008 00000001 00010000'],
    ['SETTINGS', { type: 'settings', payload: hex('00000000') }, '80030004 00000004 00000000'],
  ]

  it('writes each frame as the spec lays it out, and reads it back', () => {
    for (const [name, frame, wire] of table) {
      assert.deepEqual(encode(frame), hex(wire), name)
      assert.deepEqual(new FrameReader().push(hex(wire)), [frame], name)
    }
  })

  it('reads frames whatever the chunking: byte by byte, or several in one chunk', () => {
    const all = Buffer.concat(table.map(([, , wire]) => hex(wire)))
    const reader = new FrameReader()
    const frames: Frame[] = []
    for (const byte of all) frames.push(...reader.push(Buffer.from([byte])))
    assert.deepEqual(
      frames,
      table.map(([, f]) => f),
    )
    assert.equal(new FrameReader().push(all).length, table.length)
    assert.deepEqual(new FrameReader().push(all.subarray(0, 7)), [])
  })

  it('keeps stream ids to 31 bits and reads an unknown control frame as such', () => {
    assert.equal((new FrameReader().push(hex('80030002 00000004 80000003'))[0] as { streamId: number }).streamId, 3)
    assert.deepEqual(new FrameReader().push(hex('8003000a 00000001 ff')), [{ type: 'unknown', frameType: 10, payload: hex('ff') }])
  })
})

describe('SPDY header blocks', () => {
  it('encodes name/value pairs with 32-bit lengths and lower-case names, and decodes them', () => {
    const block = encodeHeaders([
      ['streamType', 'data'],
      ['port', '8080'],
    ])
    assert.deepEqual(
      block,
      Buffer.concat([
        hex('00000002 0000000a'),
        Buffer.from('streamtype'),
        hex('00000004'),
        Buffer.from('data'),
        hex('00000004'),
        Buffer.from('port'),
        hex('00000004'),
        Buffer.from('8080'),
      ]),
    )
    assert.deepEqual(
      [...decodeHeaders(block)],
      [
        ['streamtype', 'data'],
        ['port', '8080'],
      ],
    )
    assert.throws(() => decodeHeaders(hex('00000001 00000009 6162')), /truncated/)
  })

  it("compresses with SPDY/3's dictionary (its Adler-32 in the zlib header) and one stream per direction", async () => {
    assert.equal(DICTIONARY.length, 1423)
    const out = new HeaderCodec('compress')
    const back = new HeaderCodec('decompress')
    const blocks = [encodeHeaders([['streamtype', 'error']]), encodeHeaders([['streamtype', 'data']]), encodeHeaders([])]
    const compressed: Buffer[] = []
    for (const b of blocks) compressed.push(await out.run(b))
    // zlib header with FDICT, then the dictionary's id (what a peer with another dictionary refuses)
    assert.equal(compressed[0]![1]! & 0x20, 0x20)
    // the id kubectl's spdystream accepts (checked against kubectl 1.32's port-forward and exec)
    assert.equal(compressed[0]!.subarray(2, 6).toString('hex'), 'e3c6a7c2')
    // later blocks reuse the stream: they decode only in order, on the same decompressor
    for (let i = 0; i < blocks.length; i++) assert.deepEqual(await back.run(compressed[i]!), blocks[i])
    out.close()
    back.close()
  })
})
