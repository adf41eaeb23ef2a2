// The request deadline of every request that is not long-running: kube-apiserver's
// --request-timeout (60 s), shortened by the request's own `timeout` parameter, after which the
// client gets 504 `Timeout: request did not complete within the allotted timeout` whatever the
// handler is still doing (reading a body that trickles, waiting for storage). Watches and the
// streaming subresources (exec, attach, log, portforward, proxy) are long-running and exempt.
// Mirrors k8s.io/apiserver/pkg/server/filters/timeout.go (WithTimeoutForNonLongRunningRequests),
// endpoints/filters/request_deadline.go (the `timeout` parameter) and
// BasicLongRunningRequestCheck(watch, proxy; attach, exec, proxy, log, portforward).
// Simplifies: the handler is not cancelled (as upstream, whose post-timeout goroutine also runs
// on); its late writes are dropped, and a body still arriving is cut off with the connection
// (HTTP/1.1) or the stream (HTTP/2).

import type { IncomingMessage, ServerResponse } from 'node:http'
import { ApiError } from '../../api/errors.js'
import type { RequestInfo } from './requestinfo.js'

/** kube-apiserver's --request-timeout default. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000

const LONG_RUNNING_VERBS = new Set(['watch', 'proxy'])
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward'])

/** BasicLongRunningRequestCheck: watches, proxies and the streaming subresources. */
export function isLongRunning(info: RequestInfo): boolean {
  if (LONG_RUNNING_VERBS.has(info.verb)) return true
  return info.isResourceRequest && LONG_RUNNING_SUBRESOURCES.has(info.subresource)
}

/** The deadline of a request: the server's, or the client's `timeout` when positive and shorter. */
export function requestDeadlineMs(serverTimeoutMs: number, userTimeoutMs: number | undefined): number {
  return userTimeoutMs !== undefined && userTimeoutMs > 0 && userTimeoutMs < serverTimeoutMs ? userTimeoutMs : serverTimeoutMs
}

/** The Status a request that ran past its deadline gets. */
export function requestTimedOut(): ApiError {
  return new ApiError(504, 'Timeout', 'Timeout: request did not complete within the allotted timeout', {})
}

/** A running deadline: `expired` once it fired (the handler must not write any more). */
export interface Deadline {
  readonly expired: boolean
  clear(): void
}

/**
 * Arms the deadline of one request: when it fires before the response started, `answer` sends
 * the 504, and whatever of the request body is still arriving is cut off once it is sent.
 */
export function armDeadline(req: IncomingMessage, res: ServerResponse, ms: number, answer: (err: ApiError) => void): Deadline {
  let expired = false
  const timer = setTimeout(() => {
    if (res.headersSent || res.writableEnded) return
    expired = true
    if (!req.complete) {
      res.once('finish', () => {
        const stream = (req as { stream?: { close?: (code?: number) => void } }).stream
        if (stream?.close)
          stream.close(0x8) // HTTP/2 RST_STREAM CANCEL
        else req.socket.destroy()
      })
      if (!(req as { stream?: unknown }).stream) res.setHeader('Connection', 'close')
    }
    answer(requestTimedOut())
  }, ms)
  timer.unref()
  return {
    get expired() {
      return expired
    },
    clear: () => clearTimeout(timer),
  }
}
