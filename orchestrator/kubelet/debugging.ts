// The kubelet's debugging handlers on its HTTPS endpoint, which the API server calls for
// pods/log and pods/exec: GET /containerLogs/<namespace>/<pod>/<container> (tailLines,
// previous, limitBytes, follow) and POST /exec/<namespace>/<pod>/<container>?command=...
// Which container's log is read follows the pod status the kubelet reports (the running
// container, or the last terminated one for `previous`), with upstream's messages for a
// container that is still waiting ("container "app" in pod "web" is waiting to start:
// ContainerCreating").
// Mirrors pkg/kubelet/server/server.go (getContainerLogs, getExec) and kuberuntime's
// validateContainerLogStatus. Simplifies: exec is not streamed (the command runs to the end,
// then its stdout, stderr and exit code come back as JSON; no stdin, no TTY); `follow` polls the
// runtime's log; timestamps and sinceSeconds are ignored.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Pod, PodStatus } from '../api/types.js'
import type { ContainerRuntime } from '../runtime/runtime.js'
import type { KubeletServer } from './server.js'

/** What the handlers need to know about the pods a kubelet runs. */
export interface PodSource {
  /** A pod bound to this node that the kubelet runs, by namespace and name. */
  pod(namespace: string, name: string): Pod | undefined
  /** The pod's status as the kubelet last reported it. */
  status(pod: Pod): PodStatus | undefined
}

export class HandlerError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

/** The runtime's id in a status containerID (`docker://abc` -> `abc`). */
export function runtimeId(containerID: string | undefined): string {
  return (containerID ?? '').replace(/^[a-z0-9-]+:\/\//, '')
}

/**
 * The runtime id of the pod's running container of that name, read from the pod's own status
 * (upstream's findContainer in GetExec / GetAttach): never another pod's container of that name.
 */
export function runningContainerId(source: PodSource, pod: Pod, container: string): string {
  const cs = (source.status(pod)?.containerStatuses ?? []).find((c) => c.name === container)
  if (!cs?.state?.running || !cs.containerID) throw new HandlerError(400, `container not found ("${container}")`)
  return runtimeId(cs.containerID)
}

/**
 * Which container's log to read (upstream validateContainerLogStatus): the running container,
 * or the last terminated one (with `previous`, or when the newest never ran); a container that
 * is waiting has no log yet, with the reason in the message.
 */
export function logTarget(status: PodStatus | undefined, container: string, podName: string, previous: boolean): string {
  const cs = (status?.containerStatuses ?? []).find((c) => c.name === container)
  if (!cs) throw new HandlerError(400, `container "${container}" in pod "${podName}" is not available`)
  const last = cs.lastState?.terminated
  const { waiting, running, terminated } = cs.state ?? {}
  if (previous) {
    if (!last?.containerID) throw new HandlerError(400, `previous terminated container "${container}" in pod "${podName}" not found`)
    return runtimeId(last.containerID)
  }
  if (running) return runtimeId(cs.containerID)
  if (terminated) {
    if (terminated.containerID) return runtimeId(terminated.containerID)
    if (last?.containerID) return runtimeId(last.containerID)
    throw new HandlerError(400, `container "${container}" in pod "${podName}" is terminated`)
  }
  if (last) {
    if (!last.containerID) throw new HandlerError(400, `container "${container}" in pod "${podName}" is terminated`)
    return runtimeId(last.containerID)
  }
  if (waiting) {
    const reason = waiting.reason ?? ''
    if (reason === 'ErrImagePull') throw new HandlerError(400, `container "${container}" in pod "${podName}" is waiting to start: image can't be pulled`)
    if (reason === 'ImagePullBackOff')
      throw new HandlerError(400, `container "${container}" in pod "${podName}" is waiting to start: trying and failing to pull image`)
    throw new HandlerError(400, `container "${container}" in pod "${podName}" is waiting to start: ${reason}`)
  }
  throw new HandlerError(400, `container "${container}" in pod "${podName}" is waiting to start - no logs yet`)
}

/** The last `tailLines` lines of a log (all of it without a limit). */
export function tail(log: string, tailLines: number | undefined): string {
  if (tailLines === undefined) return log
  if (tailLines === 0) return ''
  const lines = log.split('\n')
  const trailing = lines.at(-1) === '' ? lines.pop() !== undefined : false
  return lines.slice(-tailLines).join('\n') + (trailing ? '\n' : '')
}

function nonNegative(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name)
  if (v === null || v === '') return undefined
  if (!/^\d+$/.test(v)) throw new HandlerError(400, `${name}: Invalid value: "${v}": must be a whole number >= 0`)
  return Number(v)
}

interface Target {
  pod: Pod
  container: string
}

export function target(source: PodSource, url: URL, prefix: string): Target {
  const parts = url.pathname.slice(prefix.length).split('/').map(decodeURIComponent)
  const [namespace, name, container] = parts
  if (parts.length !== 3 || !namespace || !name || !container)
    throw new HandlerError(400, `expected ${prefix}<namespace>/<pod>/<container>, not ${url.pathname}`)
  const pod = source.pod(namespace, name)
  if (!pod) throw new HandlerError(404, `pod "${name}" does not exist`)
  if (!(pod.spec?.containers ?? []).some((c) => c.name === container)) throw new HandlerError(404, `container "${container}" not found in pod "${name}"`)
  return { pod, container }
}

function fail(res: ServerResponse, e: unknown): void {
  const code = e instanceof HandlerError ? e.code : 500
  if (!res.headersSent) res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' })
  res.end(e instanceof Error ? e.message : String(e))
}

/** Mounts /containerLogs/ and /exec/ on a kubelet's endpoint. */
export function mountDebuggingHandlers(
  server: KubeletServer,
  source: PodSource,
  runtime: ContainerRuntime,
  opts: { followPollMs?: number; execTimeoutMs?: number } = {},
): void {
  server.route('/containerLogs/', async (req, res, url) => {
    try {
      if (req.method !== 'GET') throw new HandlerError(405, `method ${req.method} not allowed`)
      const { pod, container } = target(source, url, '/containerLogs/')
      const q = url.searchParams
      const tailLines = nonNegative(q, 'tailLines')
      const limitBytes = nonNegative(q, 'limitBytes')
      const previous = q.get('previous') === 'true'
      const id = logTarget(source.status(pod), container, pod.metadata?.name ?? '', previous)
      let log = tail(await runtime.logs(id), tailLines)
      if (limitBytes !== undefined) log = Buffer.from(log).subarray(0, limitBytes).toString('utf8')
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.write(log)
      if (q.get('follow') === 'true' && !previous) await follow(req, res, runtime, pod, id, opts.followPollMs ?? 250)
      res.end()
    } catch (e) {
      fail(res, e)
    }
  })

  server.route('/exec/', async (req, res, url) => {
    try {
      if (req.method !== 'POST' && req.method !== 'GET') throw new HandlerError(405, `method ${req.method} not allowed`)
      const { pod, container } = target(source, url, '/exec/')
      const command = url.searchParams.getAll('command')
      if (!command.length) throw new HandlerError(400, 'you must specify at least 1 command')
      const r = await runtime.exec(runningContainerId(source, pod, container), command, { timeoutMs: opts.execTimeoutMs ?? 300_000 })
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode }))
    } catch (e) {
      fail(res, e)
    }
  })
}

/** Streams what the container prints from now on, until it stops or the caller goes away. */
async function follow(req: IncomingMessage, res: ServerResponse, runtime: ContainerRuntime, pod: Pod, id: string, pollMs: number): Promise<void> {
  let sent = (await runtime.logs(id)).length
  let gone = false
  req.once('close', () => (gone = true))
  res.once('close', () => (gone = true))
  while (!gone) {
    await new Promise((r) => setTimeout(r, pollMs))
    // the state first: a container that stopped has written all it will write
    const c = (await runtime.listContainers({ podUid: pod.metadata?.uid })).find((x) => x.id === id)
    const log = await runtime.logs(id).catch(() => undefined)
    if (log === undefined) return
    if (log.length > sent) {
      res.write(log.slice(sent))
      sent = log.length
    }
    if (c?.state !== 'running') return
  }
}
