// The kubelet's streaming endpoints: upgrade requests to /exec/<ns>/<pod>/<container>,
// /attach/<ns>/<pod>/<container> and /portForward/<ns>/<pod>, which the API server proxies
// byte for byte. Each speaks what the client asked for: a WebSocket channel protocol
// (Upgrade: websocket; for a port-forward also kubectl's SPDY-over-WebSocket tunnel,
// SPDY/3.1+portforward.k8s.io) or SPDY (Upgrade: SPDY/3.1, the protocol named in
// X-Stream-Protocol-Version). Refusals come before the upgrade, as plain-text HTTP errors the
// API server turns into Statuses: a runtime that cannot stream (the simulated one) is a 400.
// Mirrors pkg/kubelet/server/server.go (getExec, getAttach, getPortForward) with the CRI
// streaming server folded in. Simplifies: upstream's API server terminates kubectl's v5 and
// tunnel protocols itself and speaks SPDY to the kubelet; here the kubelet speaks them all.

import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { NotSupportedError, type ContainerRuntime, type StreamOptions, type StreamSession } from '../../runtime/runtime.js'
import { HandlerError, runningContainerId, target, type PodSource } from '../debugging.js'
import { refuse, type KubeletServer } from '../server.js'
import { serveSpdyPortForward, serveWebSocketPortForward, wsPorts } from './portforward.js'
import { serveSpdy, serveWebSocket, streamOptions } from './remotecommand.js'
import { SpdySession, type SpdyTransport } from './spdysession.js'
import { exitStatus, negotiate, offeredProtocols, PORT_FORWARD_PROTOCOLS, REMOTE_COMMAND_PROTOCOLS, type ChannelProtocol } from './wsstream.js'

/** kubectl's port-forward tunnel: SPDY frames in WebSocket binary messages. */
export const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io'
/** SPDY's X-Stream-Protocol-Version choices, newest first. */
const SPDY_REMOTE_COMMAND = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io']
const SPDY_PORT_FORWARD = ['portforward.k8s.io']

type Kind = 'websocket' | 'spdy'

function kindOf(req: IncomingMessage): Kind {
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase()
  if (upgrade === 'websocket') return 'websocket'
  if (upgrade.startsWith('spdy/3.1')) return 'spdy'
  throw new HandlerError(400, 'Upgrade request required')
}

/** httpstream.Handshake: the client's first X-Stream-Protocol-Version the server speaks. */
function spdyProtocol(req: IncomingMessage, supported: string[]): string {
  const offered = offeredProtocols(req.headers['x-stream-protocol-version'])
  const found = offered.find((p) => supported.includes(p))
  if (!found)
    throw new HandlerError(
      403,
      `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${supported.join(' ')}]`,
    )
  return found
}

/** Completes a SPDY upgrade on the raw socket and starts a session on it. */
function spdyUpgrade(socket: Duplex, head: Buffer, protocol: string): SpdySession {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`)
  const transport: SpdyTransport = {
    write: (d) => socket.writable && socket.write(d) && undefined,
    end: () => socket.end(),
    onData: (cb) => {
      if (head.length) queueMicrotask(() => cb(head))
      socket.on('data', cb)
    },
    onClose: (cb) => {
      socket.once('close', cb)
      socket.once('end', cb)
    },
  }
  return new SpdySession(transport)
}

/** A SPDY session over WebSocket binary messages (the port-forward tunnel). */
function tunnel(ws: WebSocket): SpdySession {
  ws.on('error', () => undefined)
  return new SpdySession({
    write: (d) => ws.readyState === ws.OPEN && ws.send(d),
    end: () => ws.close(1000),
    onData: (cb) => ws.on('message', (d: Buffer) => cb(d)),
    onClose: (cb) => ws.once('close', cb),
  })
}

const servers = (protocols: ChannelProtocol[]) =>
  new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => negotiate([...offered], protocols)?.name ?? false })

/** Mounts /exec/, /attach/ and /portForward/ upgrade routes on a kubelet's endpoint. */
export function mountStreamingHandlers(server: KubeletServer, source: PodSource, runtime: ContainerRuntime): void {
  const commands = servers(REMOTE_COMMAND_PROTOCOLS)
  const forwards = servers(PORT_FORWARD_PROTOCOLS)
  const tunnels = new WeakSet<IncomingMessage>()
  forwards.on('headers', (headers: string[], req: IncomingMessage) => {
    if (tunnels.has(req)) headers.push(`Sec-WebSocket-Protocol: ${TUNNEL_PROTOCOL}`)
  })

  const guard =
    (fn: (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => Promise<void>) =>
    async (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> => {
      try {
        await fn(req, socket, head, url)
      } catch (e) {
        const code = e instanceof HandlerError ? e.code : e instanceof NotSupportedError ? 400 : 500
        if (socket.writable) refuse(socket, code, e instanceof Error ? e.message : String(e))
      }
    }

  const remoteCommand = (kind: 'exec' | 'attach') =>
    guard(async (req, socket, head, url) => {
      const how = kindOf(req)
      const { pod, container } = target(source, url, `/${kind}/`)
      const command = url.searchParams.getAll('command')
      if (kind === 'exec' && !command.length) throw new HandlerError(400, 'you must specify at least 1 command')
      let opts: StreamOptions
      try {
        opts = streamOptions(url.searchParams)
      } catch (e) {
        throw new HandlerError(400, (e as Error).message)
      }
      const id = runningContainerId(source, pod, container)
      const open = (): Promise<StreamSession> => (kind === 'exec' ? runtime.execStream(id, command, opts) : runtime.attach(id, opts))
      const status = (code: number | undefined) => exitStatus(command, code)
      if (how === 'spdy') {
        const protocol = spdyProtocol(req, SPDY_REMOTE_COMMAND)
        // a runtime that cannot stream refuses before the upgrade
        const session = await open()
        serveSpdy(spdyUpgrade(socket, head, protocol), protocol, opts, () => Promise.resolve(session), status)
        return
      }
      const offered = offeredProtocols(req.headers['sec-websocket-protocol'])
      const protocol = negotiate(offered, REMOTE_COMMAND_PROTOCOLS)
      if (!protocol)
        throw new HandlerError(
          400,
          `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${REMOTE_COMMAND_PROTOCOLS.map((p) => p.name).join(' ')}]`,
        )
      const session = await open()
      commands.handleUpgrade(req, socket, head, (ws) => serveWebSocket(ws, protocol, session, opts, status))
    })

  server.upgradeRoute('/exec/', remoteCommand('exec'))
  server.upgradeRoute('/attach/', remoteCommand('attach'))

  server.upgradeRoute(
    '/portForward/',
    guard(async (req, socket, head, url) => {
      const how = kindOf(req)
      const parts = url.pathname.slice('/portForward/'.length).split('/').map(decodeURIComponent)
      const [namespace, name] = parts
      if (parts.length !== 2 || !namespace || !name) throw new HandlerError(400, `expected /portForward/<namespace>/<pod>, not ${url.pathname}`)
      const pod = source.pod(namespace, name)
      if (!pod) throw new HandlerError(404, `pod "${name}" does not exist`)
      const podIP = source.status(pod)?.podIP ?? pod.status?.podIP
      if (!podIP) throw new HandlerError(400, `pod ${name} has no IP address yet`)
      const t = { podIP, pod: name, uid: pod.metadata?.uid ?? '', dial: runtime.portForward.bind(runtime) }
      // a runtime that cannot forward says so before the upgrade
      await runtime.portForward(podIP, 0).catch((e: unknown) => {
        if (e instanceof NotSupportedError) throw e
      })
      if (how === 'spdy') return serveSpdyPortForward(spdyUpgrade(socket, head, spdyProtocol(req, SPDY_PORT_FORWARD)), t)
      const offered = offeredProtocols(req.headers['sec-websocket-protocol'])
      if (offered.includes(TUNNEL_PROTOCOL)) {
        // ws refuses a subprotocol with a '/' (not an RFC 6455 token): answer it by hand
        delete req.headers['sec-websocket-protocol']
        tunnels.add(req)
        forwards.handleUpgrade(req, socket, head, (ws) => serveSpdyPortForward(tunnel(ws), t))
        return
      }
      let ports: number[]
      try {
        ports = wsPorts(url.searchParams)
      } catch (e) {
        throw new HandlerError(400, (e as Error).message)
      }
      const protocol = negotiate(offered, PORT_FORWARD_PROTOCOLS)
      if (!protocol) throw new HandlerError(400, `requested protocol(s) are not supported: [${offered.join(' ')}]`)
      forwards.handleUpgrade(req, socket, head, (ws) => serveWebSocketPortForward(ws, protocol, ports, t))
    }),
  )
}
