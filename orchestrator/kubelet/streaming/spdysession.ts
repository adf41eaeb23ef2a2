// The server side of a SPDY/3.1 connection as kubectl's streams use it (./spdy.ts frames it):
// the client opens streams with SYN_STREAM (their purpose in headers: streamType, port,
// requestID), the server replies with SYN_REPLY, both send DATA and end their side with FIN;
// RST_STREAM abandons a stream, PING is echoed, GOAWAY ends the connection. The bytes come from
// an upgraded HTTP connection (Upgrade: SPDY/3.1) or from WebSocket binary messages (kubectl's
// port-forward tunnel, SPDY/3.1+portforward.k8s.io).
// Mirrors moby/spdystream's Connection and Stream as k8s.io/apimachinery's httpstream/spdy
// uses them on the server (every stream replied to at once). Simplifies: the server never opens
// a stream or sends a PING of its own; no flow control.

import { EventEmitter } from 'node:events'
import { decodeHeaders, encode, encodeHeaders, FLAG_FIN, FrameReader, HeaderCodec, RST, type Frame } from './spdy.js'

/** The byte transport under a session. */
export interface SpdyTransport {
  write(data: Buffer): void
  end(): void
  onData(cb: (data: Buffer) => void): void
  onClose(cb: () => void): void
}

const MAX_DATA = 32 * 1024

/** One stream the client opened: 'data' and 'end' events for what it sends. */
export class SpdyStream extends EventEmitter {
  private localClosed = false
  remoteClosed = false

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: Map<string, string>,
  ) {
    super()
  }

  /** SYN_REPLY (no headers): the stream is accepted. */
  reply(): void {
    this.session.send({ type: 'syn_reply', streamId: this.id, flags: 0, headerBlock: encodeHeaders([]) })
  }

  write(data: Buffer | string): void {
    if (this.localClosed) return
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
    for (let at = 0; at < buf.length; at += MAX_DATA) this.session.send({ type: 'data', streamId: this.id, flags: 0, data: buf.subarray(at, at + MAX_DATA) })
  }

  /** Writes what is left and ends this side (DATA with FIN). */
  end(data?: Buffer | string): void {
    if (this.localClosed) return
    if (data?.length) this.write(data)
    this.localClosed = true
    this.session.send({ type: 'data', streamId: this.id, flags: FLAG_FIN, data: Buffer.alloc(0) })
  }

  reset(status: number = RST.CANCEL): void {
    this.localClosed = true
    this.session.send({ type: 'rst_stream', streamId: this.id, status })
  }

  /** The client finished sending (FIN or RST): 'end' once. */
  remoteEnd(): void {
    if (this.remoteClosed) return
    this.remoteClosed = true
    this.emit('end')
  }
}

export class SpdySession {
  private readonly reader = new FrameReader()
  private readonly inflate = new HeaderCodec('decompress')
  private readonly deflate = new HeaderCodec('compress')
  private readonly streams = new Map<number, SpdyStream>()
  private handler: (s: SpdyStream) => void = (s) => s.reset(RST.REFUSED_STREAM)
  private readonly closeHandlers: (() => void)[] = []
  /** Inbound frames are handled in order (header blocks decompress asynchronously). */
  private inbound: Promise<void> = Promise.resolve()
  /** Outbound frames are written in order (header blocks compress asynchronously). */
  private outbound: Promise<void> = Promise.resolve()
  private closed = false

  constructor(private readonly transport: SpdyTransport) {
    transport.onData((chunk) => {
      let frames: Frame[]
      try {
        frames = this.reader.push(chunk)
      } catch {
        return this.close()
      }
      for (const f of frames) this.inbound = this.inbound.then(() => this.receive(f)).catch(() => this.close())
    })
    transport.onClose(() => this.closed || this.finish())
  }

  /** Called for every stream the client opens (after its headers are read). */
  onStream(handler: (s: SpdyStream) => void): void {
    this.handler = handler
  }

  onClose(cb: () => void): void {
    this.closeHandlers.push(cb)
  }

  /** Queues a frame; header blocks are compressed on the way out. */
  send(frame: Frame): void {
    if (this.closed) return
    this.outbound = this.outbound
      .then(async () => {
        if ((frame.type === 'syn_reply' || frame.type === 'headers' || frame.type === 'syn_stream') && !this.closed)
          frame = { ...frame, headerBlock: await this.deflate.run(frame.headerBlock) }
        if (!this.closed) this.transport.write(encode(frame))
      })
      .catch(() => this.close())
  }

  /** GOAWAY once everything queued is out, then ends the transport. */
  close(): void {
    if (this.closed) return
    this.send({ type: 'goaway', lastGoodStreamId: Math.max(0, ...this.streams.keys()), status: 0 })
    void this.outbound.then(() => {
      this.finish()
      this.transport.end()
    })
  }

  private finish(): void {
    if (this.closed) return
    this.closed = true
    for (const s of this.streams.values()) s.remoteEnd()
    for (const cb of this.closeHandlers) cb()
    this.inflate.close()
    this.deflate.close()
  }

  private async receive(f: Frame): Promise<void> {
    switch (f.type) {
      case 'syn_stream': {
        const headers = decodeHeaders(await this.inflate.run(f.headerBlock))
        const stream = new SpdyStream(this, f.streamId, headers)
        this.streams.set(f.streamId, stream)
        this.handler(stream)
        if (f.flags & FLAG_FIN) stream.remoteEnd()
        return
      }
      case 'syn_reply':
      case 'headers':
        // keep the decompressor in step with the client's compressor
        await this.inflate.run(f.headerBlock)
        return
      case 'data': {
        const stream = this.streams.get(f.streamId)
        if (!stream) return
        if (f.data.length) stream.emit('data', f.data)
        if (f.flags & FLAG_FIN) stream.remoteEnd()
        return
      }
      case 'rst_stream':
        this.streams.get(f.streamId)?.remoteEnd()
        return
      case 'ping':
        // the client's pings are odd; echo them
        if (f.id % 2 === 1) this.send(f)
        return
      case 'goaway':
        this.close()
        return
      default:
        return
    }
  }
}
