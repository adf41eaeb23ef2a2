// Port-forward sessions, as the kubelet's portforward server carries them: over SPDY (a pair of
// streams per forwarded connection, `streamType: error` and `streamType: data` with the same
// `port` and `requestID` headers; kubectl sends them over an upgraded connection or, since 1.31,
// tunnelled in WebSocket binary messages) or over a WebSocket channel protocol (the Python
// client: `?ports=80,8080`, a data channel 2n and an error channel 2n+1 per port, each opened
// with the port as 2 bytes little-endian). Each connection reaches the pod through the runtime
// (ContainerRuntime.portForward); a failure is written on the error stream with upstream's words.
// Mirrors k8s.io/kubelet/pkg/cri/streaming/portforward (httpstream.go, websocket.go).
// Simplifies: no stream-pair creation timeout; unpaired streams wait until the connection ends.

import { PassThrough } from 'node:stream'
import type { WebSocket } from 'ws'
import type { ContainerRuntime } from '../../runtime/runtime.js'
import type { SpdySession, SpdyStream } from './spdysession.js'
import { decodeFrame, encodeFrame, portPrefix, type ChannelProtocol } from './wsstream.js'

type Dial = ContainerRuntime['portForward']
type Conn = Awaited<ReturnType<Dial>>

/** What the error stream says when the pod's port cannot be reached (upstream's wording). */
export function forwardError(port: number, pod: string, uid: string, e: unknown): string {
  return `error forwarding port ${port} to pod ${pod}, uid ${uid}: ${e instanceof Error ? e.message : String(e)}`
}

/** The ports of a WebSocket port-forward (`ports=80,8080`), validated as upstream's parsePortForwardOptions. */
export function wsPorts(q: URLSearchParams): number[] {
  const raw = q.getAll('ports').flatMap((p) => p.split(','))
  if (!raw.length || raw.every((p) => !p)) throw new Error('query parameter "port" is required')
  return raw.map((p) => {
    const n = Number(p.trim())
    if (!/^\d+$/.test(p.trim()) || n > 65535) throw new Error(`unable to parse "${p}" as a port: strconv.ParseUint: parsing "${p}": invalid syntax`)
    if (n === 0) throw new Error(`port "${p}" must be > 0`)
    return n
  })
}

interface Target {
  podIP: string
  pod: string
  uid: string
  dial: Dial
}

/** What the client sends on one forwarded connection, kept until the pod's port answers. */
function inbox(): PassThrough {
  return new PassThrough()
}

/** Joins a client's stream and the pod's connection both ways; half-closes follow. */
function splice(conn: Conn, write: (d: Buffer) => void, end: () => void, input: PassThrough): void {
  conn.on('data', (d: Buffer) => write(d))
  conn.once('end', end)
  conn.once('close', end)
  conn.on('error', () => end())
  input.pipe(conn as unknown as NodeJS.WritableStream)
}

/** Serves the stream pairs of a SPDY port-forward connection. */
export function serveSpdyPortForward(spdy: SpdySession, t: Target): void {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>()
  const conns = new Set<Conn>()
  spdy.onStream((stream) => {
    const type = stream.headers.get('streamtype')
    const port = Number(stream.headers.get('port'))
    // older clients send no requestID: pair by stream id (error first, then data)
    const requestID = stream.headers.get('requestid') ?? String(type === 'data' ? stream.id - 2 : stream.id)
    if ((type !== 'error' && type !== 'data') || !Number.isInteger(port) || port <= 0 || port > 65535) return stream.reset()
    stream.reply()
    const pair = pairs.get(requestID) ?? {}
    pair[type] = stream
    pairs.set(requestID, pair)
    if (!pair.error || !pair.data) return
    pairs.delete(requestID)
    const { error, data } = pair
    const input = inbox()
    data.on('data', (d: Buffer) => input.write(d))
    data.once('end', () => input.end())
    t.dial(t.podIP, port).then(
      (conn) => {
        conns.add(conn)
        const done = (): void => {
          conns.delete(conn)
          data.end()
          error.end()
        }
        splice(conn, (d) => data.write(d), done, input)
      },
      (e: unknown) => {
        error.end(forwardError(port, t.pod, t.uid, e))
        data.end()
      },
    )
  })
  spdy.onClose(() => {
    for (const c of conns) c.destroy()
  })
}

/** Serves a WebSocket port-forward: one connection per requested port; closes when all have ended. */
export function serveWebSocketPortForward(ws: WebSocket, protocol: ChannelProtocol, ports: number[], t: Target): void {
  const send = (channel: number, data: Buffer | string): void => {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(protocol, channel, data))
  }
  const inputs = ports.map(() => inbox())
  ports.forEach((port, i) => {
    send(2 * i, portPrefix(port))
    send(2 * i + 1, portPrefix(port))
  })
  ws.on('message', (message: Buffer) => {
    const f = decodeFrame(protocol, message)
    if (!f || f.channel % 2 || f.channel / 2 >= ports.length) return
    inputs[f.channel / 2]!.write(f.data)
  })
  const conns: Conn[] = []
  ws.on('error', () => undefined)
  ws.once('close', () => {
    for (const i of inputs) i.end()
    for (const c of conns) c.destroy()
  })
  let open = ports.length
  const oneDone = (): void => {
    if (--open === 0 && ws.readyState === ws.OPEN) ws.close(1000)
  }
  ports.forEach((port, i) => {
    t.dial(t.podIP, port).then(
      (conn) => {
        conns.push(conn)
        let finished = false
        splice(
          conn,
          (d) => send(2 * i, d),
          () => {
            if (finished) return
            finished = true
            oneDone()
          },
          inputs[i]!,
        )
      },
      (e: unknown) => {
        send(2 * i + 1, forwardError(port, t.pod, t.uid, e))
        oneDone()
      },
    )
  })
}
