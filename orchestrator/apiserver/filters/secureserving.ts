// The connection layer of the API server's HTTPS port, with the limits kube-apiserver's
// http.Server has (k8s.io/apiserver/pkg/server/secure_serving.go): ReadHeaderTimeout 32 s, which
// in Go's server also bounds the TLS handshake; IdleTimeout 90 s between requests of a
// keep-alive connection; MaxHeaderBytes 1 MiB. Where Go's HTTP layer answers before any handler
// runs it answers in plain text, and so does this: a malformed request "400 Bad Request", headers
// over the limit "431 Request Header Fields Too Large", a transfer coding it does not know "501",
// plain HTTP sent to the TLS port "Client sent an HTTP request to an HTTPS server." (net/http
// server.go serve and tlsRecordHeaderLooksLikeHTTP); a connection that runs out of time is closed
// without an answer.
// Simplifies: the TLS handshake and the first request's headers share one deadline of
// readHeaderTimeout from the moment the connection is accepted (Go gives each its own);
// HTTP/2 header blocks over the limit are refused by nghttp2 (a stream reset, where Go answers
// 431).

import type { Duplex } from 'node:stream'
import type { Http2SecureServer, Http2Session } from 'node:http2'
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'

export interface ServingLimits {
  /** Time for the TLS handshake and a request's headers (http.Server ReadHeaderTimeout; upstream 32 s). */
  readHeaderTimeoutMs: number
  /** How long a keep-alive HTTP/1.1 connection may sit idle between requests (IdleTimeout; upstream 90 s). */
  idleTimeoutMs: number
  /** Largest request line and header block (MaxHeaderBytes; upstream 1 MiB). */
  maxHeaderBytes: number
}

export const SERVING_DEFAULTS: ServingLimits = { readHeaderTimeoutMs: 32_000, idleTimeoutMs: 90_000, maxHeaderBytes: 1 << 20 }

/** What net/http writes on the raw connection when a client speaks plain HTTP to the TLS port. */
/** net/http's rstAvoidanceDelay: how long a refused connection's input is drained before it closes. */
export const RST_AVOIDANCE_DELAY_MS = 500

export const PLAIN_HTTP_ANSWER = 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n'

/** net/http's answer for a request it cannot read, as written on the connection before closing it. */
export function plainTextAnswer(status: string): string {
  return `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${status}`
}

/** tlsRecordHeaderLooksLikeHTTP: the first five bytes of a plain HTTP request. */
export function looksLikeHttp(first5: Buffer): boolean {
  return ['GET /', 'HEAD ', 'POST ', 'PUT /', 'OPTIO'].includes(first5.toString('latin1'))
}

const TLS_HANDSHAKE_RECORD = 0x16

/**
 * Installs the connection layer on an HTTP/2 secure server (with its HTTP/1.1 fallback). Call
 * before it listens. Every accepted connection gets readHeaderTimeoutMs to finish its TLS
 * handshake and send the headers of its first request (or stream); plain HTTP is answered as
 * Go answers it; HTTP/1.1 keep-alive connections get Node's per-request header deadline and the
 * idle timeout.
 */
export function installSecureServing(server: Http2SecureServer, limits: ServingLimits): { destroyAll(): void } {
  // tls.Server wraps each accepted socket in its one 'connection' listener; look at the first
  // bytes before handing the socket over
  const tlsListeners = server.listeners('connection') as ((socket: Socket) => void)[]
  if (tlsListeners.length !== 1) throw new Error(`expected the TLS server's one connection listener, found ${tlsListeners.length}`)
  const toTls = tlsListeners[0]!
  server.removeAllListeners('connection')
  const deadlines = new WeakMap<object, NodeJS.Timeout>()
  const open = new Set<Socket>()

  server.on('connection', (raw: Socket) => {
    const deadline = setTimeout(() => raw.destroy(), limits.readHeaderTimeoutMs)
    deadline.unref()
    deadlines.set(raw, deadline)
    open.add(raw)
    raw.once('close', () => {
      clearTimeout(deadline)
      open.delete(raw)
    })
    raw.on('error', () => raw.destroy())
    const chunks: Buffer[] = []
    let length = 0
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk)
      length += chunk.length
      const head = Buffer.concat(chunks)
      if (head[0] !== TLS_HANDSHAKE_RECORD && length < 5) return
      raw.off('data', onData)
      raw.pause()
      if (head[0] !== TLS_HANDSHAKE_RECORD && looksLikeHttp(head.subarray(0, 5))) {
        raw.end(PLAIN_HTTP_ANSWER)
        return
      }
      // the TLS socket reads what is already buffered on the raw socket first
      raw.unshift(head)
      toTls.call(server, raw)
    }
    raw.on('data', onData)
  })

  // the first request (HTTP/1.1) or stream (HTTP/2) ends the connection's header deadline
  const headersIn = (socket: object | undefined): void => {
    const raw = (socket as { _parent?: object } | undefined)?._parent ?? socket
    if (!raw) return
    const t = deadlines.get(raw)
    if (t) clearTimeout(t)
  }
  server.on('request', (req: IncomingMessage) => {
    if (req.httpVersionMajor < 2) headersIn(req.socket)
  })
  server.on('upgrade', (req: IncomingMessage) => headersIn(req.socket))
  server.on('session', (session: Http2Session) => session.once('stream', () => headersIn(session.socket)))

  // HTTP/1.1 fallback: Node's parser enforces these per request, as Go's server does
  const h1 = server as unknown as {
    maxHeaderSize: number
    headersTimeout: number
    requestTimeout: number
    keepAliveTimeout: number
    connectionsCheckingInterval: number
  }
  h1.maxHeaderSize = limits.maxHeaderBytes
  h1.headersTimeout = limits.readHeaderTimeoutMs
  h1.requestTimeout = 0 // the API server's own request deadline (filters/timeout.ts) answers 504 instead
  h1.keepAliveTimeout = limits.idleTimeoutMs
  h1.connectionsCheckingInterval = Math.max(10, Math.min(1000, Math.floor(limits.readHeaderTimeoutMs / 4)))

  // Node's parser reports an error again for each later chunk of a connection it already
  // refused; the refusal is answered once and the connection left to drain
  const refused = new WeakSet<Duplex>()
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (refused.has(socket)) return
    refused.add(socket)
    if (!socket.writable || err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ECONNRESET') {
      socket.destroy()
      return
    }
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : err.code === 'HPE_INVALID_TRANSFER_ENCODING'
          ? '501 Not Implemented'
          : '400 Bad Request'
    const text = status.startsWith('501')
      ? `HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nUnsupported transfer encoding`
      : plainTextAnswer(status)
    socket.end(text)
    // Go's closeWriteAndWait: the rest of what the client already sent (a body behind a
    // malformed request line) is read and dropped for a while before the connection closes, so
    // the close does not reset the connection and destroy the answer before the client reads it
    socket.on('data', () => undefined)
    socket.resume()
    setTimeout(() => socket.destroy(), RST_AVOIDANCE_DELAY_MS).unref()
  })

  return {
    destroyAll: () => {
      for (const s of open) s.destroy()
    },
  }
}

/** The TLS options of the limits: the handshake is bounded as the headers are. */
export function tlsServingOptions(limits: ServingLimits): { handshakeTimeout: number; maxHeaderListSize: number } {
  // http2's header list size counts 32 bytes a field more than HTTP/1; Go pads MaxHeaderBytes for ten fields
  return { handshakeTimeout: limits.readHeaderTimeoutMs, maxHeaderListSize: limits.maxHeaderBytes + 10 * 32 }
}
