// SPDY/3.1 framing, the least of it that kubectl's streams need (there is no maintained npm
// library for SPDY): data frames and the control frames SYN_STREAM, SYN_REPLY, RST_STREAM,
// SETTINGS, PING, GOAWAY, HEADERS and WINDOW_UPDATE, read incrementally from a byte stream, and
// the name/value header blocks, compressed with one zlib stream per direction per connection
// (sync-flushed after each block) primed with SPDY/3's dictionary.
// Mirrors the draft-3.1 spec as moby/spdystream's framer (spdy/read.go, write.go, types.go)
// reads and writes it. Simplifies: no flow control (spdystream has none either: WINDOW_UPDATE
// and SETTINGS are parsed and ignored by the session), no CREDENTIAL frame.

import zlib from 'node:zlib'

export const VERSION = 3

export const TYPE = { SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9 } as const

export const FLAG_FIN = 0x01
export const FLAG_UNIDIRECTIONAL = 0x02

/** RST_STREAM status codes. */
export const RST = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5, INTERNAL_ERROR: 6 } as const

export type Frame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedTo: number; priority: number; flags: number; headerBlock: Buffer }
  | { type: 'syn_reply'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'headers'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'settings'; payload: Buffer }
  | { type: 'unknown'; frameType: number; payload: Buffer }

/** SPDY/3's zlib dictionary: length-prefixed header words, then a run of common values (draft 3, 2.6.10.1). */
export const DICTIONARY: Buffer = (() => {
  const words =
    'options head post put delete trace accept accept-charset accept-encoding accept-language accept-ranges age allow authorization ' +
    'cache-control connection content-base content-encoding content-language content-length content-location content-md5 ' +
    'content-range content-type date etag expect expires from host if-match if-modified-since if-none-match if-range ' +
    'if-unmodified-since last-modified location max-forwards pragma proxy-authenticate proxy-authorization range referer ' +
    'retry-after server te trailer transfer-encoding upgrade user-agent vary via warning www-authenticate method get status'
  const parts: Buffer[] = []
  const word = (w: string): void => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(w.length)
    parts.push(len, Buffer.from(w, 'latin1'))
  }
  for (const w of words.split(' ')) word(w)
  for (const w of ['200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin']) word(w)
  parts.push(
    Buffer.from(
      '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
        '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
        '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
        'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
        'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
        'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.',
      'latin1',
    ),
  )
  return Buffer.concat(parts)
})()

const u31 = (b: Buffer, at: number): number => b.readUInt32BE(at) & 0x7fffffff

/** Reads frames from a byte stream, whatever the chunking. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0)

  /** Appends bytes; returns the frames now complete. */
  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk
    const frames: Frame[] = []
    while (this.pending.length >= 8) {
      const length = this.pending.readUInt32BE(4) & 0xffffff
      if (this.pending.length < 8 + length) break
      frames.push(parse(this.pending.subarray(0, 8 + length)))
      this.pending = this.pending.subarray(8 + length)
    }
    return frames
  }
}

function parse(f: Buffer): Frame {
  const flags = f[4]!
  const p = f.subarray(8)
  if (!(f[0]! & 0x80)) return { type: 'data', streamId: u31(f, 0), flags, data: p }
  const type = f.readUInt16BE(2)
  switch (type) {
    case TYPE.SYN_STREAM:
      return { type: 'syn_stream', streamId: u31(p, 0), associatedTo: u31(p, 4), priority: p[8]! >> 5, flags, headerBlock: p.subarray(10) }
    case TYPE.SYN_REPLY:
      return { type: 'syn_reply', streamId: u31(p, 0), flags, headerBlock: p.subarray(4) }
    case TYPE.HEADERS:
      return { type: 'headers', streamId: u31(p, 0), flags, headerBlock: p.subarray(4) }
    case TYPE.RST_STREAM:
      return { type: 'rst_stream', streamId: u31(p, 0), status: p.readUInt32BE(4) }
    case TYPE.PING:
      return { type: 'ping', id: p.readUInt32BE(0) }
    case TYPE.GOAWAY:
      return { type: 'goaway', lastGoodStreamId: u31(p, 0), status: p.length >= 8 ? p.readUInt32BE(4) : 0 }
    case TYPE.WINDOW_UPDATE:
      return { type: 'window_update', streamId: u31(p, 0), delta: u31(p, 4) }
    case TYPE.SETTINGS:
      return { type: 'settings', payload: p }
    default:
      return { type: 'unknown', frameType: type, payload: p }
  }
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt16BE(0x8000 | VERSION, 0)
  head.writeUInt16BE(type, 2)
  head.writeUInt32BE(payload.length, 4)
  head[4] = flags
  return Buffer.concat([head, payload])
}

const words = (...values: number[]): Buffer => {
  const b = Buffer.alloc(values.length * 4)
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4))
  return b
}

/** The bytes of a frame (header blocks must already be compressed). */
export function encode(frame: Frame): Buffer {
  switch (frame.type) {
    case 'data': {
      const head = words(frame.streamId & 0x7fffffff, frame.data.length)
      head[4] = frame.flags
      return Buffer.concat([head, frame.data])
    }
    case 'syn_stream': {
      const fixed = Buffer.concat([words(frame.streamId, frame.associatedTo), Buffer.from([(frame.priority & 7) << 5, 0])])
      return control(TYPE.SYN_STREAM, frame.flags, Buffer.concat([fixed, frame.headerBlock]))
    }
    case 'syn_reply':
      return control(TYPE.SYN_REPLY, frame.flags, Buffer.concat([words(frame.streamId), frame.headerBlock]))
    case 'headers':
      return control(TYPE.HEADERS, frame.flags, Buffer.concat([words(frame.streamId), frame.headerBlock]))
    case 'rst_stream':
      return control(TYPE.RST_STREAM, 0, words(frame.streamId, frame.status))
    case 'ping':
      return control(TYPE.PING, 0, words(frame.id))
    case 'goaway':
      return control(TYPE.GOAWAY, 0, words(frame.lastGoodStreamId, frame.status))
    case 'window_update':
      return control(TYPE.WINDOW_UPDATE, 0, words(frame.streamId, frame.delta))
    case 'settings':
      return control(TYPE.SETTINGS, 0, frame.payload)
    case 'unknown':
      return control(frame.frameType, 0, frame.payload)
  }
}

/** An uncompressed name/value block: count, then length-prefixed names and values (several values joined by NUL). */
export function encodeHeaders(headers: [string, string][]): Buffer {
  const parts: Buffer[] = [words(headers.length)]
  for (const [name, value] of headers) {
    const n = Buffer.from(name.toLowerCase(), 'utf8')
    const v = Buffer.from(value, 'utf8')
    parts.push(words(n.length), n, words(v.length), v)
  }
  return Buffer.concat(parts)
}

/** Reads an uncompressed name/value block; names are lower case, several values stay NUL-joined. */
export function decodeHeaders(block: Buffer): Map<string, string> {
  const out = new Map<string, string>()
  const count = block.readUInt32BE(0)
  let at = 4
  const take = (): string => {
    const len = block.readUInt32BE(at)
    const s = block.subarray(at + 4, at + 4 + len).toString('utf8')
    if (at + 4 + len > block.length) throw new Error('SPDY header block is truncated')
    at += 4 + len
    return s
  }
  for (let i = 0; i < count; i++) {
    const name = take()
    out.set(name.toLowerCase(), take())
  }
  return out
}

/**
 * One direction's header compression: a zlib stream primed with the dictionary that lives as
 * long as the connection, each block sync-flushed. Calls are applied in order.
 */
export class HeaderCodec {
  private readonly z: zlib.Deflate | zlib.Inflate
  private out: Buffer[] = []
  private chain: Promise<unknown> = Promise.resolve()

  constructor(direction: 'compress' | 'decompress') {
    this.z =
      direction === 'compress'
        ? zlib.createDeflate({ dictionary: DICTIONARY, level: zlib.constants.Z_BEST_COMPRESSION })
        : zlib.createInflate({ dictionary: DICTIONARY })
    this.z.on('data', (d: Buffer) => this.out.push(d))
    this.z.on('error', () => undefined)
  }

  /** Compresses or decompresses one header block. */
  run(input: Buffer): Promise<Buffer> {
    const next = this.chain.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          this.z.once('error', reject)
          this.z.write(input)
          this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            this.z.off('error', reject)
            const r = Buffer.concat(this.out)
            this.out = []
            resolve(r)
          })
        }),
    )
    this.chain = next.catch(() => undefined)
    return next
  }

  close(): void {
    this.z.close()
  }
}
