// pods/log, pods/exec, pods/attach and pods/portforward: the API server finds the pod's node and
// asks that node's kubelet (./kubeletclient.ts), so `kubectl logs`, `exec`, `attach`, `cp` and
// `port-forward` reach the container runtime through the API server, with its authentication,
// authorization, audit and trace in front.
// - GET .../pods/<name>/log?container=&tailLines=&previous=&limitBytes=&follow= streams the
//   kubelet's /containerLogs answer back as text/plain (a pod without a node answers with an
//   empty log, as upstream).
// - exec (?command=...&container=&stdin=&stdout=&stderr=&tty=), attach and portforward (?ports=)
//   are upgrade requests (WebSocket channel protocols, SPDY, kubectl's SPDY-over-WebSocket
//   port-forward tunnel) proxied to the kubelet's /exec, /attach and /portForward
//   (./streamproxy.ts), which streams them (orchestrator/kubelet/streaming/).
//   A POST to exec without an upgrade answers with JSON {stdout, stderr, exitCode} (OCK's
//   non-interactive form, for scripts).
// Mirrors pkg/registry/core/pod/rest (LogREST, ExecREST, AttachREST, PortForwardREST) and the
// pod strategy's LogLocation / streamLocation (container defaulting and its messages).
// Simplifies: the kubelet speaks every client protocol itself (no v5-to-SPDY translation here).

import { badRequest, methodNotAllowed, serviceUnavailable, invalid, type FieldError } from '../../api/errors.js'
import type { StoredObject } from '../../api/meta.js'
import { lookupResource } from '../../api/resources.js'
import { kubeletError, readAll, type KubeletClient } from './kubeletclient.js'
import { int64Param, queryBool } from './queryparams.js'
import { isUpgrade, proxyUpgrade } from './streamproxy.js'
import type { SubresourceHandler, SubresourceRequest } from './subresource.js'

const NODES = lookupResource('', 'nodes')!

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

function kubeletPath(kind: 'containerLogs' | 'exec' | 'attach', pod: PodLike, container: string, query: URLSearchParams): string {
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
// pods/exec, pods/attach, pods/portforward

/** The pod a stream is for, with a node to reach (streamLocation's checks and messages). */
async function streamTarget(r: SubresourceRequest): Promise<{ pod: PodLike; node: StoredObject }> {
  const pod = (await r.registry.read(r.info, r.namespace, r.name)) as PodLike
  if (!pod.spec?.nodeName) throw badRequest(`pod ${r.name} does not have a host assigned`)
  return { pod, node: await r.registry.read(NODES, '', pod.spec.nodeName) }
}

/** streamParams: the stream switches as "1" (whatever spelling of true the client sent), then the commands. */
function streamQuery(query: URLSearchParams, command: string[]): URLSearchParams {
  const q = new URLSearchParams()
  for (const name of ['stdin', 'stdout', 'stderr', 'tty']) if (queryBool(query.get(name))) q.set(name, '1')
  for (const c of command) q.append('command', c)
  return q
}

export const podExec: SubresourceHandler = async (r) => {
  if (r.method !== 'GET' && r.method !== 'POST') throw methodNotAllowed()
  const command = r.query.getAll('command')
  if (!command.length) throw badRequest('you must specify at least 1 command')
  const { pod, node } = await streamTarget(r)
  const container = containerFor(pod, r.query.get('container'))
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed')
    throw badRequest(`cannot exec into a container in a completed pod; current phase is ${pod.status.phase}`)
  const client = kubelet(r)
  if (!isUpgrade(r.req)) {
    // OCK's non-interactive form for scripts: a POST without an upgrade answers with JSON
    if (r.method === 'GET') throw badRequest('Upgrade request required')
    const q = new URLSearchParams(command.map((c): [string, string] => ['command', c]))
    const answer = await client.request(node, 'POST', kubeletPath('exec', pod, container, q))
    const body = await readAll(answer)
    if (answer.statusCode !== 200) throw kubeletError(answer.statusCode ?? 500, body)
    const result = JSON.parse(body) as { stdout: string; stderr: string; exitCode: number }
    return { code: 200, body: { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode } }
  }
  await proxyUpgrade(r, client, node, kubeletPath('exec', pod, container, streamQuery(r.query, command)))
  return undefined
}

export const podAttach: SubresourceHandler = async (r) => {
  if (r.method !== 'GET' && r.method !== 'POST') throw methodNotAllowed()
  const { pod, node } = await streamTarget(r)
  const container = containerFor(pod, r.query.get('container'))
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed')
    throw badRequest(`cannot attach to a container in a completed pod; current phase is ${pod.status.phase}`)
  await proxyUpgrade(r, kubelet(r), node, kubeletPath('attach', pod, container, streamQuery(r.query, [])))
  return undefined
}

export const podPortForward: SubresourceHandler = async (r) => {
  if (r.method !== 'GET' && r.method !== 'POST') throw methodNotAllowed()
  const { pod, node } = await streamTarget(r)
  const q = new URLSearchParams()
  for (const p of r.query.getAll('ports')) q.append('ports', p)
  const e = encodeURIComponent
  await proxyUpgrade(r, kubelet(r), node, `/portForward/${e(pod.metadata.namespace ?? '')}/${e(pod.metadata.name)}${q.size ? `?${q}` : ''}`)
  return undefined
}
