// exec and attach sessions carried to the client, as the kubelet's remotecommand server does it:
// over a WebSocket channel protocol (./wsstream.ts) or over SPDY streams (./spdysession.ts, one
// stream per stdin / stdout / stderr / error / resize, named by a `streamType` header).
// Output is sent as the process writes it; stdin reaches the process as it arrives, and its end
// (v5's close signal, a SPDY FIN, or the client going away) closes the process's stdin. When
// the output has ended, the error channel carries how the command ended (wsstream.exitStatus),
// then the connection closes.
// Mirrors k8s.io/kubelet/pkg/cri/streaming/remotecommand (websocket.go, httpstream.go:
// createHttpStreamStreams, v4 status writer). Simplifies: no idle or stream-creation timeouts
// beyond SPDY's wait for the expected streams (30 s, upstream's default).

import { PassThrough } from 'node:stream'
import type { WebSocket } from 'ws'
import type { StatusBody } from '../../api/errors.js'
import type { StreamOptions, StreamSession } from '../../runtime/runtime.js'
import type { SpdySession, SpdyStream } from './spdysession.js'
import {
  CLOSE,
  decodeFrame,
  decodeResize,
  encodeFrame,
  ERROR,
  errorStatus,
  RESIZE,
  STDERR,
  STDIN,
  STDOUT,
  statusPayload,
  type ChannelProtocol,
} from './wsstream.js'

/** The streams a request asks for (remotecommand.NewOptions: "1" is true; kubelets get what the API server re-encoded). */
export function streamOptions(q: URLSearchParams): StreamOptions {
  const on = (name: string) => q.get(name) === '1' || q.get(name) === 'true'
  const tty = on('tty')
  const opts = { stdin: on('stdin'), stdout: on('stdout'), stderr: on('stderr') && !tty, tty }
  if (!opts.stdin && !opts.stdout && !on('stderr')) throw new Error('you must specify at least 1 of stdin, stdout, stderr')
  return opts
}

/** Resolves once a readable stream has ended (or was destroyed). */
function ended(stream: NodeJS.ReadableStream | undefined): Promise<void> {
  if (!stream) return Promise.resolve()
  return new Promise((resolve) => {
    stream.once('end', resolve)
    stream.once('close', resolve)
    stream.once('error', () => resolve())
  })
}

/** The final Status once the output is all sent: the exit code's, or an internal error's. */
async function outcome(session: StreamSession, status: (code: number | undefined) => StatusBody): Promise<StatusBody> {
  await Promise.all([ended(session.stdout), ended(session.stderr)])
  try {
    return status(await session.exitCode)
  } catch (e) {
    return errorStatus(e instanceof Error ? e.message : String(e))
  }
}

/** Carries a session over a WebSocket channel protocol. */
export function serveWebSocket(
  ws: WebSocket,
  protocol: ChannelProtocol,
  session: StreamSession,
  opts: StreamOptions,
  status: (code: number | undefined) => StatusBody,
): void {
  const send = (channel: number, data: Buffer | string, done?: () => void): void => {
    if (ws.readyState !== ws.OPEN) return done?.()
    ws.send(encodeFrame(protocol, channel, data), done)
  }
  // an empty message on the lowest writable channel tells the client the session is up; not for
  // v5: client-go starts reading before it has made its streams and logs "Unknown stream id 1"
  // for a message that arrives that early (upstream's longer path hides the race)
  if (protocol.version < 5) send(opts.stdout || opts.tty ? STDOUT : opts.stderr ? STDERR : ERROR, Buffer.alloc(0))
  session.stdout?.on('data', (d: Buffer) => send(STDOUT, d))
  session.stderr?.on('data', (d: Buffer) => send(STDERR, d))
  // a client may write after its close signal: what comes after the end is dropped, never an error
  let stdinOpen = true
  const endStdin = (): void => {
    if (stdinOpen) session.stdin?.end()
    stdinOpen = false
  }
  session.stdin?.on('error', () => undefined)
  ws.on('message', (message: Buffer) => {
    const frame = decodeFrame(protocol, message)
    if (!frame) return
    if (frame.channel === STDIN) {
      if (stdinOpen) session.stdin?.write(frame.data)
    } else if (frame.channel === RESIZE) {
      const size = decodeResize(frame.data)
      if (size) void session.resize(size)
    } else if (frame.channel === CLOSE && protocol.version >= 5 && frame.data[0] === STDIN) endStdin()
  })
  ws.on('error', () => undefined)
  ws.once('close', () => {
    endStdin()
    session.close()
  })
  void outcome(session, status).then((s) => {
    const payload = statusPayload(protocol.version, s)
    const close = () => ws.close(1000)
    if (payload === undefined) close()
    else send(ERROR, payload, close)
  })
}

/** The SPDY stream types of remotecommand (the `streamType` header). */
const SPDY_TYPES = ['error', 'stdin', 'stdout', 'stderr', 'resize'] as const
type SpdyType = (typeof SPDY_TYPES)[number]

/**
 * Carries a session over SPDY (kubectl before 1.30, or when WebSocket fails): waits for the
 * client's streams (error, and one per requested stream, resize with a TTY), replies to each,
 * then pipes. `start` opens the runtime session once the streams are there.
 */
export function serveSpdy(
  spdy: SpdySession,
  protocolVersion: string,
  opts: StreamOptions,
  start: () => Promise<StreamSession>,
  status: (code: number | undefined) => StatusBody,
): void {
  const expected = new Set<SpdyType>(['error'])
  if (opts.stdin) expected.add('stdin')
  if (opts.stdout || opts.tty) expected.add('stdout')
  if (opts.stderr) expected.add('stderr')
  // the resize stream exists from v3 on, and only with a TTY
  if (opts.tty && protocolVersion !== 'channel.k8s.io' && protocolVersion !== 'v2.channel.k8s.io') expected.add('resize')
  const streams = new Map<SpdyType, SpdyStream>()
  const stdin = new PassThrough()
  const timer = setTimeout(() => spdy.close(), 30_000)
  spdy.onStream((stream) => {
    const type = stream.headers.get('streamtype') as SpdyType | undefined
    if (!type || !SPDY_TYPES.includes(type)) return stream.reset()
    stream.reply()
    streams.set(type, stream)
    if (type === 'stdin') {
      // what the client writes before the other streams are there waits for the session
      stream.on('data', (d: Buffer) => stdin.write(d))
      stream.once('end', () => stdin.end())
    }
    if ([...expected].every((t) => streams.has(t))) {
      clearTimeout(timer)
      void run()
    }
  })
  const run = async (): Promise<void> => {
    const error = streams.get('error')!
    let session: StreamSession
    try {
      session = await start()
    } catch (e) {
      error.end(statusPayload(4, errorStatus(e instanceof Error ? e.message : String(e))) ?? '')
      return spdy.close()
    }
    if (streams.has('stdin')) stdin.pipe(session.stdin as NodeJS.WritableStream)
    session.stdout?.on('data', (d: Buffer) => streams.get('stdout')?.write(d))
    session.stderr?.on('data', (d: Buffer) => streams.get('stderr')?.write(d))
    let resizeBuf = ''
    streams.get('resize')?.on('data', (d: Buffer) => {
      // newline-free JSON objects back to back (json.Decoder on the client's writes)
      resizeBuf += d.toString('utf8')
      for (;;) {
        const end = resizeBuf.indexOf('}')
        if (end < 0) break
        const size = decodeResize(Buffer.from(resizeBuf.slice(0, end + 1)))
        resizeBuf = resizeBuf.slice(end + 1)
        if (size) void session.resize(size)
      }
    })
    spdy.onClose(() => {
      session.stdin?.end()
      session.close()
    })
    const s = await outcome(session, status)
    streams.get('stdout')?.end()
    streams.get('stderr')?.end()
    // v1-v3 write a failure's message only; v4 the Status JSON
    const version = protocolVersion === 'v4.channel.k8s.io' ? 4 : 1
    error.end(statusPayload(version, s) ?? '')
    spdy.close()
  }
}
