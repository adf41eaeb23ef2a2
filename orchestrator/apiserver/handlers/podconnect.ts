// pods/log and pods/exec: the API server finds the pod's node and asks that node's kubelet
// (./kubeletclient.ts), so `kubectl logs` and `kubectl exec` reach the container runtime through
// the API server, with its authentication, authorization, audit and trace in front.
// - GET .../pods/<name>/log?container=&tailLines=&previous=&limitBytes=&follow= streams the
//   kubelet's /containerLogs answer back as text/plain (a pod without a node answers with an
//   empty log, as upstream).
// - .../pods/<name>/exec?command=...&container=&stdout=&stderr= over a WebSocket upgrade speaks
//   the v5 / v4.channel.k8s.io protocol kubectl uses (stdout on channel 1, stderr on 2, the
//   final Status on 3; a non-zero exit is a NonZeroExitCode Status with the code as a cause).
//   A POST without an upgrade answers with JSON {stdout, stderr, exitCode} (OCK's non-interactive
//   form, for scripts).
// Mirrors pkg/registry/core/pod/rest (LogREST, ExecREST), pod strategy's LogLocation /
// ExecLocation (container defaulting and its messages) and apimachinery's wsstream.
// Simplifies: exec is non-interactive (no stdin, no TTY, refused with a clear Status); output
// arrives when the command has finished, not as it is written; SPDY is refused (kubectl 1.30+
// speaks WebSocket); no attach or port-forward.

import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { ApiError, badRequest, encodeStatus, methodNotAllowed, serviceUnavailable, invalid, type FieldError, type StatusBody } from '../../api/errors.js'
import type { StoredObject } from '../../api/meta.js'
import { lookupResource } from '../../api/resources.js'
import { kubeletError, readAll, type KubeletClient } from './kubeletclient.js'
import { int64Param, queryBool } from './queryparams.js'
import type { SubresourceHandler, SubresourceRequest } from './subresource.js'

const NODES = lookupResource('', 'nodes')!

/** The first bytes after an upgrade request's headers, kept by the server's upgrade listener for the WebSocket handshake. */
export const upgradeHeads = new WeakMap<IncomingMessage, Buffer>()

/** WebSocket subprotocols for exec, newest first (base64 and pre-v4 variants are not offered). */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io']

interface PodLike extends StoredObject {
  spec?: { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[] }
  status?: { phase?: string }
}

/** The container a request is about: the one named, or the pod's only one (upstream LogLocation / ExecLocation). */
export function containerFor(pod: PodLike, requested: string | null): string {
  const names = (pod.spec?.containers ?? []).map((c) => c.name)
  const name = pod.metadata.name
  if (!requested) {
    if (names.length === 1) return names[0]!
    if (!names.length) throw badRequest(`a container name must be specified for pod ${name}`)
    let msg = `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`
    const init = (pod.spec?.initContainers ?? []).map((c) => c.name)
    if (init.length) msg += ` or one of the init containers: [${init.join(' ')}]`
    throw badRequest(msg)
  }
  const all = [...names, ...(pod.spec?.initContainers ?? []).map((c) => c.name)]
  if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`)
  return requested
}

function kubelet(r: SubresourceRequest): KubeletClient {
  if (!r.kubelet)
    throw serviceUnavailable('this API server was started without kubelet client credentials (--kubelet-client-certificate): it cannot reach nodes')
  return r.kubelet
}

function kubeletPath(kind: 'containerLogs' | 'exec', pod: PodLike, container: string, query: URLSearchParams): string {
  const e = encodeURIComponent
  const q = query.toString()
  return `/${kind}/${e(pod.metadata.namespace ?? '')}/${e(pod.metadata.name)}/${e(container)}${q ? `?${q}` : ''}`
}

/**
 * The kubelet's /containerLogs query for a pods/log request, as upstream gets there: the query
 * decoded into PodLogOptions by the ParameterCodec (integers as strconv.ParseInt, a 400 naming
 * the first that does not parse; booleans as queryBool), checked by ValidatePodLogOptions (a 422
 * with every broken field), then re-encoded by LogLocation (pkg/registry/core/pod/strategy.go:
 * `follow=true` when true, integers in base 10), so the kubelet reads one spelling whatever the
 * client sent (the Python client's `follow=True`).
 */
export function kubeletLogQuery(query: URLSearchParams, name: string): URLSearchParams {
  // conversion, in PodLogOptions' field order
  const follow = queryBool(query.get('follow'))
  const previous = queryBool(query.get('previous'))
  const sinceSeconds = int64Param(query, 'sinceSeconds')
  const timestamps = queryBool(query.get('timestamps'))
  const tailLines = int64Param(query, 'tailLines')
  const limitBytes = int64Param(query, 'limitBytes')
  const errors: FieldError[] = []
  const below = (field: string, value: number | undefined, min: number): void => {
    if (value !== undefined && value < min)
      errors.push({ type: 'FieldValueInvalid', field, value, detail: min ? 'must be greater than 0' : 'must be greater than or equal to 0' })
  }
  below('tailLines', tailLines, 0)
  below('limitBytes', limitBytes, 1)
  below('sinceSeconds', sinceSeconds, 1)
  if (errors.length) throw invalid({ group: '', kind: 'PodLogOptions' }, name, errors)
  const q = new URLSearchParams()
  if (follow) q.set('follow', 'true')
  if (previous) q.set('previous', 'true')
  if (timestamps) q.set('timestamps', 'true')
  if (sinceSeconds !== undefined) q.set('sinceSeconds', String(sinceSeconds))
  if (tailLines !== undefined) q.set('tailLines', String(tailLines))
  if (limitBytes !== undefined) q.set('limitBytes', String(limitBytes))
  return q
}

// ---------------------------------------------------------------------------------------------
// pods/log

export const podLog: SubresourceHandler = async (r) => {
  if (r.method !== 'GET') throw methodNotAllowed()
  const q = kubeletLogQuery(r.query, r.name)
  const pod = (await r.registry.read(r.info, r.namespace, r.name)) as PodLike
  const container = containerFor(pod, r.query.get('container'))
  const nodeName = pod.spec?.nodeName
  if (!nodeName) {
    // not scheduled yet: no log (upstream returns an empty stream)
    r.res.writeHead(200, { 'Content-Type': 'text/plain' }).end()
    return undefined
  }
  const node = await r.registry.read(NODES, '', nodeName)
  const abort = new AbortController()
  r.res.once('close', () => abort.abort())
  const answer = await kubelet(r).request(node, 'GET', kubeletPath('containerLogs', pod, container, q), abort.signal)
  if (answer.statusCode !== 200) throw kubeletError(answer.statusCode ?? 500, await readAll(answer))
  r.res.writeHead(200, { 'Content-Type': 'text/plain' })
  answer.on('error', () => r.res.end())
  answer.pipe(r.res)
  return undefined
}

// ---------------------------------------------------------------------------------------------
// pods/exec

interface ExecResult {
  stdout: string
  stderr: string
  exitCode: number
}

/** The Status kubectl reads from the error channel when a command has finished (wsstream / remotecommand). */
export function exitStatus(command: string[], exitCode: number): StatusBody {
  if (exitCode === 0) return { metadata: {}, status: 'Success' }
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  }
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => EXEC_PROTOCOLS.find((p) => offered.has(p)) ?? false })

function frame(channel: number, data: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from([channel]), typeof data === 'string' ? Buffer.from(data, 'utf8') : data])
}

export const podExec: SubresourceHandler = async (r) => {
  if (r.method !== 'GET' && r.method !== 'POST') throw methodNotAllowed()
  // kubectl tries WebSocket, then SPDY: both must hear why an interactive session is refused
  if (queryBool(r.query.get('stdin')) || queryBool(r.query.get('tty'))) {
    throw badRequest('this API server runs commands without standard input or a terminal (non-interactive exec): leave out -i and -t')
  }
  const upgrade = String(r.req.headers.upgrade ?? '').toLowerCase()
  if (upgrade && upgrade !== 'websocket') {
    throw badRequest(
      `exec over ${r.req.headers.upgrade} is not supported by this API server: use kubectl 1.30 or newer (it speaks WebSocket, ${EXEC_PROTOCOLS.join(' or ')})`,
    )
  }
  if (!upgrade && r.method === 'GET') throw badRequest('Upgrade request required')
  const command = r.query.getAll('command')
  if (!command.length) throw badRequest('you must specify at least 1 command')
  const pod = (await r.registry.read(r.info, r.namespace, r.name)) as PodLike
  const container = containerFor(pod, r.query.get('container'))
  if (!pod.spec?.nodeName) throw badRequest(`pod ${r.name} does not have a host assigned`)
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed')
    throw badRequest(`cannot exec into a container in a completed pod; current phase is ${pod.status.phase}`)
  const node = await r.registry.read(NODES, '', pod.spec.nodeName)
  const client = kubelet(r)
  const q = new URLSearchParams(command.map((c): [string, string] => ['command', c]))
  const run = async (): Promise<ExecResult> => {
    const answer = await client.request(node, 'POST', kubeletPath('exec', pod, container, q))
    const body = await readAll(answer)
    if (answer.statusCode !== 200) throw kubeletError(answer.statusCode ?? 500, body)
    return JSON.parse(body) as ExecResult
  }
  if (!upgrade) {
    const result = await run()
    return { code: 200, body: { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode } }
  }
  const offered = String(r.req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
  if (!EXEC_PROTOCOLS.some((p) => offered.includes(p))) {
    throw badRequest(
      `none of the offered WebSocket subprotocols (${offered.filter(Boolean).join(', ') || 'none'}) is supported: use ${EXEC_PROTOCOLS.join(' or ')}`,
    )
  }
  const socket = r.req.socket as Duplex
  r.res.detachSocket(socket as never)
  r.res.statusCode = 101
  const wantStdout = r.query.get('stdout') === null || queryBool(r.query.get('stdout'))
  const wantStderr = r.query.get('stderr') === null || queryBool(r.query.get('stderr'))
  wss.handleUpgrade(r.req, socket, upgradeHeads.get(r.req) ?? Buffer.alloc(0), (ws: WebSocket) => {
    ws.on('error', () => undefined)
    // the response object no longer owns the socket: say when the exchange is over (audit)
    ws.once('close', () => r.res.emit('close'))
    void (async () => {
      let status: StatusBody
      try {
        const result = await run()
        if (wantStdout && result.stdout) ws.send(frame(1, result.stdout))
        if (wantStderr && result.stderr) ws.send(frame(2, result.stderr))
        status = exitStatus(command, result.exitCode)
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`)
        // the kubelet's remotecommand writes a bare metav1.Status (no kind, no apiVersion)
        const { kind: _kind, apiVersion: _apiVersion, ...bare } = err.toStatus()
        status = bare
      }
      // json.Marshal(status) on the error channel (v4WriteStatusFunc): no newline
      ws.send(frame(3, encodeStatus(status)), () => ws.close(1000))
    })()
  })
  return undefined
}
