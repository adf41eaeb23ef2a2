// The Docker runtime: the ContainerRuntime contract over real containers on the Docker engine
// (containerd underneath), reached through testcontainers' engine client. Containers share the
// host network namespace and bind their pod IP (127.x, handed in as POD_IP), so there is no
// bridge, no published port, and two pods can use the same containerPort. Plays the part of
// dockershim / the CRI: create, start, stop (SIGTERM, grace, SIGKILL), remove, relist, exec,
// logs and stats (streams.ts: interactive exec, attach, port-forward), with container names in dockershim's k8s_<container>_<pod>_<ns>_<uid>_<n> form.
// Simplifies: no pod sandbox (pause) container; images come from
// ./images.ts (OCK's are built locally, others must be present).
// About 400 lines: the CRI calls on one engine; the engine's HTTP API is engine.ts, streams are
// streams.ts.

import { randomBytes } from 'node:crypto'
import {
  ContainerNotFoundError,
  RuntimeUnavailableError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerState,
  type ContainerStats,
  type ContainerStatus,
  type ExecResult,
  type StreamOptions,
  type StreamSession,
} from '../runtime.js'
import {
  engine,
  isUnreachable,
  LABELS,
  message,
  ownerLabels,
  shortVersion,
  statusCode,
  sweepOrphansOnce,
  type ContainerInspect,
  type DockerContainer,
  type EngineClient,
} from './engine.js'
import type { ProcessIdentity } from '../../host/process.js'
import { images, type ImageResolver } from './images.js'
import * as streams from './streams.js'

export interface DockerRuntimeOptions {
  /** Node name, recorded on containers (ock.dev/node) for people reading `docker ps`. */
  nodeName?: string
  /** Run id label; a fresh one per instance by default. */
  runId?: string
  /** Image resolution (shared per process by default). */
  images?: ImageResolver
  /**
   * The process that owns the containers (labels ock.dev/owner-*): this one by default, which
   * removes them when it exits. A kubelet process of `ock up` names its parent instead, so its
   * containers outlive a killed kubelet and go when the cluster stops (or its owner is gone).
   */
  owner?: ProcessIdentity
}

/** Docker's timestamps with nanoseconds, as RFC 3339 with milliseconds (what the API server keeps). */
function rfc3339(t: string | undefined): string | undefined {
  if (!t || t.startsWith('0001-01-01')) return undefined
  const d = new Date(t)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}

function stateOf(s: string | undefined): ContainerState {
  switch (s) {
    case 'created':
      return 'created'
    case 'running':
    case 'paused':
    case 'restarting':
      return 'running'
    case 'exited':
    case 'dead':
    case 'removing':
      return 'exited'
    default:
      return 'unknown'
  }
}

/** dockershim's container name (k8s_<container>_<pod>_<namespace>_<uid>_<attempt>), plus a suffix for uniqueness. */
export function containerName(c: Pick<ContainerConfig, 'name' | 'podName' | 'podNamespace' | 'podUid' | 'attempt'>): string {
  const safe = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, '-')
  return `k8s_${safe(c.name)}_${safe(c.podName)}_${safe(c.podNamespace)}_${safe(c.podUid)}_${c.attempt}_${randomBytes(3).toString('hex')}`
}

/** Maps an engine failure to the contract's errors: engine gone -> RuntimeUnavailableError, 404 on a container -> ContainerNotFoundError. */
export function runtimeError(e: unknown, id?: string): unknown {
  if (e instanceof RuntimeUnavailableError || e instanceof ContainerNotFoundError) return e
  if (isUnreachable(e)) return new RuntimeUnavailableError(`cannot reach the Docker engine: ${message(e)}`)
  if (id !== undefined && statusCode(e) === 404) return new ContainerNotFoundError(id)
  return e
}

interface CachedInspect {
  state: string
  info: ContainerInspect
}

export class DockerRuntime implements ContainerRuntime {
  readonly name = 'docker'
  readonly runId: string
  private readonly images: ImageResolver
  private readonly inspects = new Map<string, CachedInspect>()
  /** Previous CPU sample per container, for stats' "since the previous sample". */
  private readonly cpuSamples = new Map<string, { usageNs: number; at: number }>()

  constructor(private readonly opts: DockerRuntimeOptions = {}) {
    this.runId = opts.runId ?? `ock-${randomBytes(6).toString('hex')}`
    this.images = opts.images ?? images
  }

  /** The engine, after this run has reaped what interrupted runs left behind. */
  private async client(): Promise<EngineClient> {
    const c = await engine()
    await this.call(() => sweepOrphansOnce(c))
    return c
  }

  /** Runs an engine call with runtimeError's mapping. */
  private async call<T>(fn: () => Promise<T>, id?: string): Promise<T> {
    try {
      return await fn()
    } catch (e) {
      throw runtimeError(e, id)
    }
  }

  private async container(id: string): Promise<DockerContainer> {
    const c = await this.client()
    return c.container.getById(id)
  }

  /** Only containers of this instance are visible through it. */
  private async owned(id: string): Promise<{ container: DockerContainer; info: ContainerInspect }> {
    const container = await this.container(id)
    const info = await this.call(() => container.inspect(), id)
    if (info.Config?.Labels?.[LABELS.run] !== this.runId) throw new ContainerNotFoundError(id)
    return { container, info }
  }

  async version(): Promise<string> {
    const c = await this.client()
    return `docker://${shortVersion(String(c.info.containerRuntime.serverVersion))}`
  }

  async status(): Promise<{ ready: boolean; message?: string }> {
    try {
      const c = await engine()
      await c.container.dockerode.ping()
      return { ready: true }
    } catch (e) {
      return { ready: false, message: `container runtime is down: ${message(e)}` }
    }
  }

  async pullImage(image: string): Promise<{ imageId: string }> {
    await this.client()
    const r = await this.images.resolve(image)
    return { imageId: r.imageId }
  }

  async createContainer(config: ContainerConfig): Promise<string> {
    const c = await this.client()
    const image = await this.images.resolve(config.image)
    const env: Record<string, string> = { ...config.env, POD_IP: config.podIP, POD_NAME: config.podName, POD_NAMESPACE: config.podNamespace }
    const labels: Record<string, string> = {
      ...config.labels,
      ...ownerLabels(this.runId, this.opts.owner),
      [LABELS.podUid]: config.podUid,
      [LABELS.podName]: config.podName,
      [LABELS.podNamespace]: config.podNamespace,
      [LABELS.container]: config.name,
      [LABELS.attempt]: String(config.attempt),
      [LABELS.image]: config.image,
    }
    if (this.opts.nodeName) labels[LABELS.node] = this.opts.nodeName
    const hostConfig: Record<string, unknown> = {
      NetworkMode: 'host',
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'json-file', Config: {} },
    }
    if (config.limits?.memoryBytes) hostConfig.Memory = config.limits.memoryBytes
    if (config.limits?.cpuMillis) hostConfig.NanoCpus = config.limits.cpuMillis * 1_000_000
    // Kubernetes semantics: `command` replaces the image's ENTRYPOINT (and drops its CMD), `args` replaces CMD
    const opts: Record<string, unknown> = {
      name: containerName(config),
      Image: image.localRef,
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      Labels: labels,
      HostConfig: hostConfig,
      Tty: Boolean(config.tty),
      OpenStdin: Boolean(config.stdin),
      StdinOnce: Boolean(config.stdin && config.stdinOnce),
      AttachStdin: Boolean(config.stdin),
    }
    if (config.command?.length) {
      opts.Entrypoint = config.command
      opts.Cmd = config.args ?? []
    } else if (config.args?.length) {
      opts.Cmd = config.args
    }
    const created = await this.call(() => c.container.create(opts as never))
    return created.id
  }

  async startContainer(id: string): Promise<void> {
    const { container, info } = await this.owned(id)
    const state = stateOf(info.State?.Status)
    if (state === 'running') return
    if (state === 'exited') throw new Error(`container ${id} has already run and exited; create a new one`)
    try {
      await this.call(() => container.start(), id)
    } catch (e) {
      if (e instanceof RuntimeUnavailableError || e instanceof ContainerNotFoundError) throw e
      if (statusCode(e) === 304) return
      throw new Error(`failed to start container ${id}: ${message(e)}`)
    }
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const { container } = await this.owned(id)
    try {
      await this.call(() => container.stop({ t: Math.max(0, Math.ceil(timeoutSeconds)) }), id)
    } catch (e) {
      if (statusCode(e) === 304) return // not running: a no-op, as the contract says
      throw e
    }
  }

  async removeContainer(id: string): Promise<void> {
    const { container } = await this.owned(id)
    try {
      await this.call(() => container.remove({ force: true, v: true }), id)
    } catch (e) {
      if (!(e instanceof ContainerNotFoundError)) throw e
    }
    this.inspects.delete(id)
    this.cpuSamples.delete(id)
  }

  async listContainers(filter?: { podUid?: string }): Promise<ContainerStatus[]> {
    const c = await this.client()
    const label = [`${LABELS.run}=${this.runId}`]
    if (filter?.podUid) label.push(`${LABELS.podUid}=${filter.podUid}`)
    const list = await this.call(() => c.container.dockerode.listContainers({ all: true, filters: { label } }))
    const seen = new Set<string>()
    const out: ContainerStatus[] = []
    for (const entry of list) {
      seen.add(entry.Id)
      // inspect only what changed since the last relist (exited containers never change again)
      let cached = this.inspects.get(entry.Id)
      if (!cached || cached.state !== entry.State) {
        try {
          const info = await this.call(() => c.container.getById(entry.Id).inspect(), entry.Id)
          cached = { state: entry.State, info }
          this.inspects.set(entry.Id, cached)
        } catch (e) {
          if (e instanceof ContainerNotFoundError) continue // removed between list and inspect
          throw e
        }
      }
      out.push(this.toStatus(cached.info))
    }
    for (const id of this.inspects.keys()) if (!seen.has(id)) this.inspects.delete(id)
    return out
  }

  private toStatus(info: ContainerInspect): ContainerStatus {
    const labels = info.Config?.Labels ?? {}
    const st = info.State
    // a start that failed (no such binary, bad mount) leaves Docker's state at `created` with an error
    const state = st?.Status === 'created' && st.Error ? 'exited' : stateOf(st?.Status)
    const status: ContainerStatus = {
      id: info.Id,
      podUid: labels[LABELS.podUid] ?? '',
      name: labels[LABELS.container] ?? '',
      image: labels[LABELS.image] ?? info.Config?.Image ?? '',
      imageId: info.Image,
      attempt: Number(labels[LABELS.attempt] ?? 0),
      state,
      createdAt: rfc3339(info.Created) ?? new Date().toISOString(),
    }
    const started = rfc3339(st?.StartedAt)
    if (started) status.startedAt = started
    if (state === 'running' && st?.Pid) status.pid = st.Pid
    if (state === 'exited') {
      const finished = rfc3339(st?.FinishedAt)
      if (finished) status.finishedAt = finished
      status.exitCode = st?.ExitCode || (st?.Error ? 128 : 0)
      if (st?.Error) {
        status.reason = 'StartError'
        status.message = st.Error
      } else if (st?.OOMKilled) status.reason = 'OOMKilled'
      else status.reason = status.exitCode === 0 ? 'Completed' : 'Error'
    }
    return status
  }

  async exec(id: string, command: string[], opts?: { timeoutMs?: number }): Promise<ExecResult> {
    const c = await this.client()
    const { container, info } = await this.owned(id)
    if (stateOf(info.State?.Status) !== 'running') throw new Error(`container ${id} is not running`)
    const run = this.call(() => c.container.exec(container, command), id).then((r) => ({ exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }))
    if (!opts?.timeoutMs) return run
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`command ${JSON.stringify(command)} timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs)
    })
    try {
      return await Promise.race([run, timedOut])
    } finally {
      clearTimeout(timer)
    }
  }

  execStream(id: string, command: string[], opts: StreamOptions): Promise<StreamSession> {
    return this.stream(id, (docker) => streams.execStream(docker, id, command, opts))
  }

  attach(id: string, opts: StreamOptions): Promise<StreamSession> {
    return this.stream(id, (docker) => streams.attach(docker, id, opts))
  }

  /** Opens a streaming session on one of this instance's running containers. */
  private async stream(id: string, open: (docker: EngineClient['container']['dockerode']) => Promise<StreamSession>): Promise<StreamSession> {
    const c = await this.client()
    const { info } = await this.owned(id)
    if (stateOf(info.State?.Status) !== 'running') throw new Error(`container ${id} is not running`)
    return this.call(() => open(c.container.dockerode), id)
  }

  portForward(podIP: string, port: number): ReturnType<ContainerRuntime['portForward']> {
    return streams.portForward(podIP, port) as never
  }

  async logs(id: string, opts?: { tailLines?: number; previous?: boolean }): Promise<string> {
    let { container, info } = await this.owned(id)
    if (opts?.previous) {
      const prev = await this.previousOf(info)
      if (!prev) {
        const l = info.Config?.Labels ?? {}
        throw new Error(`previous terminated container "${l[LABELS.container]}" in pod "${l[LABELS.podName]}" not found`)
      }
      ;({ container, info } = await this.owned(prev))
    }
    const buf = (await this.call(
      () => container.logs({ stdout: true, stderr: true, follow: false, tail: opts?.tailLines ?? 'all' } as never) as unknown as Promise<Buffer>,
      id,
    )) as Buffer | string
    return typeof buf === 'string' ? buf : streams.demux(buf).combined
  }

  /** The same container of the same pod, one attempt earlier (kept by the kubelet for `logs --previous`). */
  private async previousOf(info: ContainerInspect): Promise<string | undefined> {
    const l = info.Config?.Labels ?? {}
    const attempt = Number(l[LABELS.attempt] ?? 0)
    const siblings = (await this.listContainers({ podUid: l[LABELS.podUid] })).filter(
      (s) => s.name === l[LABELS.container] && s.attempt < attempt && s.state === 'exited',
    )
    siblings.sort((a, b) => b.attempt - a.attempt)
    return siblings[0]?.id
  }

  async stats(id: string): Promise<ContainerStats> {
    const { container, info } = await this.owned(id)
    if (stateOf(info.State?.Status) !== 'running') throw new Error(`container ${id} is not running`)
    const s = (await this.call(() => container.stats({ stream: false, 'one-shot': true } as never) as unknown as Promise<DockerStats>, id)) as DockerStats
    const now = Date.now()
    const usageNs = s.cpu_stats?.cpu_usage?.total_usage ?? 0
    const prev = this.cpuSamples.get(id)
    // the first sample averages over the container's life so far
    const since = prev ?? { usageNs: 0, at: Date.parse(info.State?.StartedAt ?? '') || now }
    const wallNs = Math.max(1, (now - since.at) * 1e6)
    const cpuMillis = Math.max(0, Math.round(((usageNs - since.usageNs) / wallNs) * 1000))
    this.cpuSamples.set(id, { usageNs, at: now })
    const mem = s.memory_stats
    const inactive = mem?.stats?.total_inactive_file ?? mem?.stats?.inactive_file ?? 0
    const memoryBytes = Math.max(0, (mem?.usage ?? 0) - inactive)
    return { cpuMillis, cpuUsageCoreSeconds: usageNs / 1e9, memoryBytes, timestamp: new Date(now).toISOString() }
  }

  /** Removes every container of this instance (running or not). Idempotent. */
  async close(): Promise<void> {
    let c: EngineClient
    let list: Awaited<ReturnType<EngineClient['container']['dockerode']['listContainers']>>
    try {
      c = await engine()
      list = await c.container.dockerode.listContainers({ all: true, filters: { label: [`${LABELS.run}=${this.runId}`] } })
    } catch (e) {
      if (isUnreachable(e) || e instanceof RuntimeUnavailableError) return // the engine is gone; the next run's sweep removes what is left
      throw e
    }
    await Promise.all(
      list.map(async (entry) => {
        try {
          await c.container.dockerode.getContainer(entry.Id).remove({ force: true, v: true })
        } catch (e) {
          if (statusCode(e) !== 404 && statusCode(e) !== 409) throw e
        }
      }),
    )
    this.inspects.clear()
    this.cpuSamples.clear()
  }
}

interface DockerStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number } }
  memory_stats?: { usage?: number; stats?: { total_inactive_file?: number; inactive_file?: number } }
}
