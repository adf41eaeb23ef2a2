// The API server's half of exec, attach and port-forward: after authentication, authorization
// and audit, an upgrade request is sent on to the pod's node's kubelet with the client's
// protocol headers (Upgrade, Sec-WebSocket-*, X-Stream-Protocol-Version), and once the kubelet
// switches protocols its answer goes back to the client and the two connections are spliced,
// byte for byte, for as long as either side keeps its end open. A refusal by the kubelet
// becomes the Status the client reads (kubeletError), before anything is upgraded.
// Mirrors k8s.io/apimachinery's UpgradeAwareHandler (proxy/upgradeaware.go) as the pod
// connect REST storages use it. Simplifies: no translation of WebSocket v5 or the port-forward
// tunnel into SPDY (the kubelet speaks those itself); no throttling of the proxied bytes.

import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { badRequest } from '../../api/errors.js'
import { kubeletError, readAll, type KubeletClient } from './kubeletclient.js'
import type { SubresourceRequest } from './subresource.js'

/** The first bytes after an upgrade request's headers, kept by the server's upgrade listener. */
export const upgradeHeads = new WeakMap<IncomingMessage, Buffer>()

/** The request headers a kubelet needs to answer the same upgrade. */
const FORWARDED = ['upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'x-stream-protocol-version']

export function upgradeHeaders(req: IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = { Connection: 'Upgrade' }
  for (const name of FORWARDED) {
    const v = req.headers[name]
    if (v !== undefined) out[name] = v
  }
  return out
}

/** The 101 answer's head, as the kubelet wrote it. */
function responseHead(res: IncomingMessage): string {
  const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? 'Switching Protocols'}`]
  for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`)
  return `${lines.join('\r\n')}\r\n\r\n`
}

/** Whether the request asks to switch protocols (WebSocket or SPDY). */
export function isUpgrade(req: IncomingMessage): boolean {
  return Boolean(req.headers.upgrade)
}

/**
 * Proxies an upgrade request to the kubelet at `path` on `node` and splices the connections.
 * Throws (before touching the client's connection) when the kubelet refuses.
 */
export async function proxyUpgrade(r: SubresourceRequest, client: KubeletClient, node: object, path: string): Promise<void> {
  if (!isUpgrade(r.req)) throw badRequest('Upgrade request required')
  const answer = await client.upgrade(node, r.method, path, upgradeHeaders(r.req))
  if (!answer.socket) throw kubeletError(answer.response.statusCode ?? 500, await readAll(answer.response))
  const backend = answer.socket
  const front = r.req.socket as Duplex
  r.res.detachSocket(front as never)
  r.res.statusCode = 101
  const done = (): void => {
    front.destroy()
    backend.destroy()
  }
  let closed = false
  const closeOnce = (): void => {
    if (closed) return
    closed = true
    done()
    // the response object no longer owns the socket: say when the exchange is over (audit)
    r.res.emit('close')
  }
  front.on('error', closeOnce)
  backend.on('error', closeOnce)
  front.once('close', closeOnce)
  backend.once('close', closeOnce)
  front.write(responseHead(answer.response))
  if (answer.head?.length) front.write(answer.head)
  const early = upgradeHeads.get(r.req)
  if (early?.length) backend.write(early)
  backend.pipe(front)
  front.pipe(backend)
}
