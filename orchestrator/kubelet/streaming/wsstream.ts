// The WebSocket channel protocols of exec, attach and port-forward, as k8s.io/apimachinery's
// wsstream and the kubelet's remotecommand speak them: every message starts with its channel
// (stdin 0, stdout 1, stderr 2, error 3, resize 4 for exec; data 2n and error 2n+1 for the n-th
// port of a port-forward), in binary (`channel.k8s.io`, `v4.channel.k8s.io`,
// `v5.channel.k8s.io`) or as text with the channel as an ASCII digit and the payload in base64
// (`base64.channel.k8s.io`, `v4.base64.channel.k8s.io`). v5 adds the close signal: channel 255
// carrying the channel the client has finished writing (stdin's half-close). The error channel
// carries a JSON metav1.Status from v4 on, only a failure's message before.
// Mirrors wsstream/conn.go (handshake, channel framing) and remotecommand's v1/v4 status writers.

import { encodeStatus, type StatusBody } from '../../api/errors.js'

export interface ChannelProtocol {
  name: string
  /** Binary frames with a channel byte; otherwise text: channel digit + base64. */
  binary: boolean
  /** Remote command protocol version: 1 (plain error text), 4 (Status JSON), 5 (close signal). */
  version: 1 | 2 | 3 | 4 | 5
}

/** The protocols exec and attach accept, by name ('' when the client offers none). */
export const REMOTE_COMMAND_PROTOCOLS: ChannelProtocol[] = [
  { name: 'v5.channel.k8s.io', binary: true, version: 5 },
  { name: 'v4.channel.k8s.io', binary: true, version: 4 },
  { name: 'v4.base64.channel.k8s.io', binary: false, version: 4 },
  { name: 'v3.channel.k8s.io', binary: true, version: 3 },
  { name: 'v2.channel.k8s.io', binary: true, version: 2 },
  { name: 'channel.k8s.io', binary: true, version: 1 },
  { name: 'base64.channel.k8s.io', binary: false, version: 1 },
]

/** The protocols port-forward accepts over WebSocket (portforward/websocket.go). */
export const PORT_FORWARD_PROTOCOLS: ChannelProtocol[] = [
  { name: 'v4.channel.k8s.io', binary: true, version: 4 },
  { name: 'v4.base64.channel.k8s.io', binary: false, version: 4 },
  { name: 'portforward.k8s.io', binary: true, version: 4 },
  { name: 'channel.k8s.io', binary: true, version: 1 },
  { name: 'base64.channel.k8s.io', binary: false, version: 1 },
]

export const STDIN = 0
export const STDOUT = 1
export const STDERR = 2
export const ERROR = 3
export const RESIZE = 4
/** v5's close signal: [255, channel]. */
export const CLOSE = 255

/** Splits a Sec-WebSocket-Protocol header ("a, b") into its protocols. */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const all = Array.isArray(header) ? header.join(',') : (header ?? '')
  return all
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
}

/**
 * The protocol to speak (wsstream handshake): the client's first offer that the server supports;
 * binary channels ('') when the client offers none; undefined when none of its offers is
 * supported (the handshake is refused with 400).
 */
export function negotiate(offered: string[], supported: ChannelProtocol[]): ChannelProtocol | undefined {
  if (!offered.length) return { name: '', binary: true, version: 1 }
  for (const p of offered) {
    const found = supported.find((s) => s.name === p)
    if (found) return found
  }
  return undefined
}

/** One message on a channel, as the protocol frames it. */
export function encodeFrame(protocol: ChannelProtocol, channel: number, data: Buffer | string): Buffer | string {
  const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  if (protocol.binary) return Buffer.concat([Buffer.from([channel]), payload])
  return String.fromCharCode(48 + channel) + payload.toString('base64')
}

/** A received message: its channel and payload; undefined for an empty one. */
export function decodeFrame(protocol: ChannelProtocol, message: Buffer): { channel: number; data: Buffer } | undefined {
  if (!message.length) return undefined
  if (protocol.binary) return { channel: message[0]!, data: message.subarray(1) }
  return { channel: message[0]! - 48, data: Buffer.from(message.subarray(1).toString('latin1'), 'base64') }
}

/** The terminal size a resize message carries ({"Width":80,"Height":24}); undefined if it does not parse. */
export function decodeResize(data: Buffer): { width: number; height: number } | undefined {
  try {
    const v = JSON.parse(data.toString('utf8')) as { Width?: unknown; Height?: unknown }
    if (typeof v.Width !== 'number' || typeof v.Height !== 'number') return undefined
    return { width: v.Width, height: v.Height }
  } catch {
    return undefined
  }
}

/**
 * What the error channel carries at the end (remotecommand's v1WriteStatusFunc and
 * v4WriteStatusFunc): from v4 on, the Status as json.Marshal writes it (no kind, no newline);
 * before, nothing for a success and the message of a failure. Undefined: write nothing.
 */
export function statusPayload(version: ChannelProtocol['version'], status: StatusBody): string | undefined {
  if (version >= 4) return encodeStatus(status)
  return status.status === 'Success' ? undefined : String(status.message ?? '')
}

/** The Status an exec ends with: Success, or NonZeroExitCode with the code as its cause (kubelet's remotecommand). */
export function exitStatus(command: string[], exitCode: number | undefined): StatusBody {
  if (!exitCode) return { metadata: {}, status: 'Success' }
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  }
}

/** The Status of a session that failed for another reason (apierrors.NewInternalError, as the kubelet's ServeExec words it). */
export function errorStatus(message: string): StatusBody {
  const cause = `error executing command in container: ${message}`
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${cause}`,
    reason: 'InternalError',
    details: { causes: [{ message: cause }] },
    code: 500,
  }
}

/** The 2-byte little-endian port every port-forward channel starts with. */
export function portPrefix(port: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16LE(port)
  return b
}
