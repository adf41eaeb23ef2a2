// The kubelet's prober: liveness, readiness and startup probes of every running container,
// each run by a worker of its own on the probe's period (httpGet to podIP:port, 200-399 is
// success; tcpSocket connects; exec runs a command in the container, exit 0 is success), with
// initialDelaySeconds, timeoutSeconds, successThreshold and failureThreshold as upstream
// defaults them. Results are published per container id: readiness starts as Failure, liveness
// as Success, startup as Unknown; while a startup probe has not succeeded the other two do not
// run; a liveness or startup Failure puts its worker on hold until a new container appears
// (the kubelet kills and restarts the container). Every failed probe is an Unhealthy event
// ("Liveness probe failed: HTTP probe failed with statuscode: 404"). While a container is not
// Ready its readiness probe also runs outside the period (sooner after a start, backing off to
// the period), so a pod becomes Ready quickly, as upstream's manual trigger does.
// Mirrors pkg/kubelet/prober (prober_manager.go, worker.go, prober.go) and pkg/probe/{http,tcp,
// exec}. Simplifies: no gRPC probes (reported as a probe error, the result stays); HTTPS probes
// skip certificate checks as upstream does; no redirects followed.

import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import type { Container, Pod } from '../api/types.js'
import type { ContainerRuntime, ContainerStatus } from '../runtime/runtime.js'

export type ProbeType = 'liveness' | 'readiness' | 'startup'
export type ProbeResult = 'success' | 'failure' | 'unknown'

/** What one probe checks, as the pod spec says. */
export type ProbeAction =
  | { kind: 'http'; scheme: 'HTTP' | 'HTTPS'; host?: string; port: number | string; path: string; headers: { name: string; value: string }[] }
  | { kind: 'tcp'; host?: string; port: number | string }
  | { kind: 'exec'; command: string[] }
  | { kind: 'grpc'; port: number; service?: string }

/** A probe with upstream's defaults applied (all durations in ms). */
export interface ProbeSettings {
  type: ProbeType
  action: ProbeAction
  initialDelayMs: number
  periodMs: number
  timeoutMs: number
  successThreshold: number
  failureThreshold: number
}

interface ApiProbe {
  exec?: { command?: string[] }
  httpGet?: { scheme?: string; host?: string; port: number | string; path?: string; httpHeaders?: { name: string; value: string }[] }
  tcpSocket?: { host?: string; port: number | string }
  grpc?: { port: number; service?: string }
  initialDelaySeconds?: number
  periodSeconds?: number
  timeoutSeconds?: number
  successThreshold?: number
  failureThreshold?: number
}

/** The probe of a kind a container declares, with defaults (periodSeconds 10, timeoutSeconds 1, thresholds 1 / 3). */
export function probeSettings(type: ProbeType, probe: ApiProbe): ProbeSettings {
  let action: ProbeAction
  if (probe.exec) action = { kind: 'exec', command: [...(probe.exec.command ?? [])] }
  else if (probe.httpGet) {
    const h = probe.httpGet
    action = { kind: 'http', scheme: h.scheme?.toUpperCase() === 'HTTPS' ? 'HTTPS' : 'HTTP', host: h.host || undefined, port: h.port, path: h.path || '/', headers: [...(h.httpHeaders ?? [])] }
  } else if (probe.tcpSocket) action = { kind: 'tcp', host: probe.tcpSocket.host || undefined, port: probe.tcpSocket.port }
  else if (probe.grpc) action = { kind: 'grpc', port: probe.grpc.port, service: probe.grpc.service }
  else throw new Error(`the ${type} probe has no handler (exec, httpGet, tcpSocket or grpc)`)
  const atLeast = (v: number | undefined, dflt: number, min: number): number => Math.max(min, v ?? dflt)
  return {
    type,
    action,
    initialDelayMs: atLeast(probe.initialDelaySeconds, 0, 0) * 1000,
    periodMs: atLeast(probe.periodSeconds, 10, 1) * 1000,
    timeoutMs: atLeast(probe.timeoutSeconds, 1, 1) * 1000,
    // upstream validation requires 1 for liveness and startup probes
    successThreshold: type === 'readiness' ? atLeast(probe.successThreshold, 1, 1) : 1,
    failureThreshold: atLeast(probe.failureThreshold, 3, 1),
  }
}

/** The probes a container declares. */
export function containerProbes(c: Container): ProbeSettings[] {
  const out: ProbeSettings[] = []
  if (c.startupProbe) out.push(probeSettings('startup', c.startupProbe as ApiProbe))
  if (c.livenessProbe) out.push(probeSettings('liveness', c.livenessProbe as ApiProbe))
  if (c.readinessProbe) out.push(probeSettings('readiness', c.readinessProbe as ApiProbe))
  return out
}

/** The published result of a probe before its first conclusive run (upstream's worker initialValue). */
export function initialResult(type: ProbeType): ProbeResult {
  return type === 'readiness' ? 'failure' : type === 'liveness' ? 'success' : 'unknown'
}

/** A port given by number or by the name of one of the container's ports. */
export function resolvePort(port: number | string, c: Pick<Container, 'ports'>): number {
  if (typeof port === 'number') return port
  if (/^\d+$/.test(port)) return Number(port)
  const named = (c.ports ?? []).find((p) => p.name === port)
  if (!named) throw new Error(`couldn't find port: ${port} in ${JSON.stringify((c.ports ?? []).map((p) => ({ name: p.name, containerPort: p.containerPort })))}`)
  return named.containerPort
}

/** httpGet: success for 200 <= code < 400. */
export function httpOutcome(status: number): { result: 'success' | 'failure'; output: string } {
  return status >= 200 && status < 400 ? { result: 'success', output: '' } : { result: 'failure', output: `HTTP probe failed with statuscode: ${status}` }
}

/**
 * Consecutive results against the thresholds (upstream worker.doProbe): the published result
 * changes only after successThreshold successes or failureThreshold failures in a row.
 */
export class ProbeCounter {
  private last?: 'success' | 'failure'
  private run = 0

  constructor(
    private readonly thresholds: { successThreshold: number; failureThreshold: number },
    public published: ProbeResult,
  ) {}

  /** Records one conclusive result; true when the published result changed. */
  record(r: 'success' | 'failure'): boolean {
    if (this.last === r) this.run++
    else {
      this.last = r
      this.run = 1
    }
    const needed = r === 'success' ? this.thresholds.successThreshold : this.thresholds.failureThreshold
    if (this.run < needed) return false
    const changed = this.published !== r
    this.published = r
    return changed
  }

  /** Starts counting afresh (a liveness failure puts the worker on hold). */
  resetRun(): void {
    this.run = 0
    this.last = undefined
  }
}

/** What a worker does at one tick (pure, table-tested): probe now, or wait, and until when. */
export type ProbeStep = { do: 'probe' } | { do: 'wait'; untilMs?: number; why: string }

export function probeStep(input: {
  type: ProbeType
  /** The container as the runtime reported it last. */
  container?: Pick<ContainerStatus, 'state' | 'startedAt'>
  onHold: boolean
  /** The startup probe has succeeded, or there is none. */
  started: boolean
  deleting: boolean
  initialDelayMs: number
  nowMs: number
}): ProbeStep {
  const c = input.container
  if (!c || c.state !== 'running') return { do: 'wait', why: 'the container is not running' }
  if (input.onHold) return { do: 'wait', why: 'on hold until a new container (the last one failed this probe)' }
  if (input.deleting && input.type !== 'readiness') return { do: 'wait', why: 'the pod is being deleted' }
  const startedAt = c.startedAt ? Date.parse(c.startedAt) : input.nowMs
  if (input.nowMs < startedAt + input.initialDelayMs) return { do: 'wait', untilMs: startedAt + input.initialDelayMs, why: 'initialDelaySeconds has not passed' }
  if (input.type === 'startup' && input.started) return { do: 'wait', why: 'the container has started' }
  if (input.type !== 'startup' && !input.started) return { do: 'wait', why: 'the startup probe has not succeeded yet' }
  return { do: 'probe' }
}

/**
 * How long a worker waits after a probe: the period, or, for a readiness probe of a container
 * that is not Ready, a shorter delay that doubles from `fastMs` (so a starting container becomes
 * Ready soon after it first answers, and a lasting failure is not probed much more than usual).
 */
export function nextDelayMs(type: ProbeType, published: ProbeResult, periodMs: number, fastStreak: number, fastMs: number): number {
  if (type !== 'readiness' || published === 'success') return periodMs
  return Math.min(periodMs, fastMs * 2 ** Math.min(fastStreak, 20))
}

// ---------------------------------------------------------------------------------------------
// running one probe

export interface ProbeOutcome {
  result: 'success' | 'failure'
  /** Why it failed (the Unhealthy event's text), empty on success. */
  output: string
}

export interface ProbeTarget {
  podIP?: string
  container: Container
  containerId: string
}

function httpGet(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  const mod = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { agent: false, headers: { 'User-Agent': 'kube-probe/1.34', Accept: '*/*', ...headers }, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)')))
    req.on('error', reject)
  })
}

function dial(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port })
    const timer = setTimeout(() => {
      s.destroy()
      reject(new Error(`dial tcp ${host}:${port}: i/o timeout`))
    }, timeoutMs)
    s.once('connect', () => {
      clearTimeout(timer)
      s.destroy()
      resolve()
    })
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(new Error(`dial tcp ${host}:${port}: connect: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}`))
    })
  })
}

/** Runs one probe; throws for a probe that could not run at all (a prober error: the result is thrown away). */
export async function runProbe(s: ProbeSettings, t: ProbeTarget, runtime: Pick<ContainerRuntime, 'exec'>): Promise<ProbeOutcome> {
  const a = s.action
  switch (a.kind) {
    case 'http': {
      const host = a.host ?? t.podIP
      if (!host) throw new Error('the pod has no IP yet')
      const port = resolvePort(a.port, t.container)
      const url = new URL(`${a.scheme.toLowerCase()}://${host}:${port}${a.path.startsWith('/') ? a.path : `/${a.path}`}`)
      try {
        return httpOutcome(await httpGet(url, Object.fromEntries(a.headers.map((h) => [h.name, h.value])), s.timeoutMs))
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e)
        const msg = /ECONNREFUSED/.test(why) ? `dial tcp ${host}:${port}: connect: connection refused` : why
        return { result: 'failure', output: `Get "${url.href}": ${msg}` }
      }
    }
    case 'tcp': {
      const host = a.host ?? t.podIP
      if (!host) throw new Error('the pod has no IP yet')
      const port = resolvePort(a.port, t.container)
      try {
        await dial(host, port, s.timeoutMs)
        return { result: 'success', output: '' }
      } catch (e) {
        return { result: 'failure', output: e instanceof Error ? e.message : String(e) }
      }
    }
    case 'exec': {
      let r
      try {
        r = await runtime.exec(t.containerId, a.command, { timeoutMs: s.timeoutMs })
      } catch (e) {
        // the runtime gives up waiting (the command may still run): a timed-out probe fails
        if (e instanceof Error && /timed out/.test(e.message)) return { result: 'failure', output: `command ${JSON.stringify(a.command.join(' '))} timed out` }
        throw e
      }
      if (r.exitCode === 0) return { result: 'success', output: '' }
      return { result: 'failure', output: `${r.stdout}${r.stderr}`.trim() || `command ${JSON.stringify(a.command.join(' '))} exited with ${r.exitCode}` }
    }
    case 'grpc':
      throw new Error('gRPC probes are not supported by this kubelet')
  }
}

// ---------------------------------------------------------------------------------------------
// the manager and its workers

const TYPE_NAME: Record<ProbeType, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' }

export interface ProberDeps {
  runtime: Pick<ContainerRuntime, 'exec'>
  /** An Unhealthy event about the container (reason, message). */
  unhealthy(pod: Pod, container: string, message: string): void
  /** A published result changed: the kubelet syncs the pod (status, or kill and restart). */
  changed(podUid: string, type: ProbeType): void
  /** First delay of the readiness probe of a container that is not Ready (default 25 ms). */
  fastProbeMs?: number
}

interface PodView {
  pod: Pod
  podIP?: string
  /** The newest container of each name, as the runtime reported it at the last sync. */
  latest: Map<string, ContainerStatus>
}

class Worker {
  containerId?: string
  counter: ProbeCounter
  onHold = false
  private timer?: NodeJS.Timeout
  private running = false
  private stopped = false
  private fastStreak = 0

  constructor(
    private readonly manager: ProbeManager,
    readonly podUid: string,
    readonly container: string,
    readonly settings: ProbeSettings,
  ) {
    this.counter = new ProbeCounter(settings, initialResult(settings.type))
  }

  get published(): ProbeResult {
    return this.counter.published
  }

  /** Probe as soon as possible (a new container, a manual trigger). */
  trigger(): void {
    if (this.stopped || this.running) return
    this.schedule(0)
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
  }

  /** A new container replaces the one this worker probed: start from the initial value. */
  adopt(id: string): boolean {
    if (this.containerId === id) return false
    this.containerId = id
    this.counter = new ProbeCounter(this.settings, initialResult(this.settings.type))
    this.onHold = false
    this.fastStreak = 0
    return true
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer)
    if (this.stopped) return
    this.timer = setTimeout(() => void this.tick(), Math.max(0, ms))
    this.timer.unref()
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.running) return
    this.running = true
    let delay = this.settings.periodMs
    try {
      delay = await this.probeOnce()
    } finally {
      this.running = false
    }
    if (delay !== Infinity) this.schedule(delay)
  }

  /** One doProbe; returns when to come back (Infinity: when triggered). */
  private async probeOnce(): Promise<number> {
    const view = this.manager.view(this.podUid)
    const c = view?.latest.get(this.container)
    if (!view || !c) return Infinity
    if (c.state === 'running') this.adopt(c.id)
    const now = Date.now()
    const step = probeStep({
      type: this.settings.type,
      container: c,
      onHold: this.onHold,
      started: this.manager.started(this.podUid, this.container, c.id),
      deleting: Boolean(view.pod.metadata?.deletionTimestamp),
      initialDelayMs: this.settings.initialDelayMs,
      nowMs: now,
    })
    if (step.do === 'wait') return step.untilMs !== undefined ? step.untilMs - now : Infinity
    const spec = (view.pod.spec?.containers ?? []).find((x) => x.name === this.container)
    if (!spec) return Infinity
    let outcome: ProbeOutcome
    try {
      outcome = await runProbe(this.settings, { podIP: view.podIP, container: spec, containerId: c.id }, this.manager.deps.runtime)
    } catch {
      // a prober error (the container went away under the probe, no pod IP yet): keep the result
      return this.settings.periodMs
    }
    if (this.stopped || this.containerId !== c.id) return this.settings.periodMs
    if (outcome.result === 'failure') this.manager.deps.unhealthy(view.pod, this.container, `${TYPE_NAME[this.settings.type]} probe failed: ${outcome.output}`)
    const changed = this.counter.record(outcome.result)
    if ((this.settings.type === 'liveness' || this.settings.type === 'startup') && this.counter.published === 'failure') {
      // the kubelet restarts the container; probe again only once a new one runs
      this.onHold = true
      this.counter.resetRun()
    }
    if (changed) this.manager.publish(this, true)
    const delay = nextDelayMs(this.settings.type, this.counter.published, this.settings.periodMs, this.fastStreak, this.manager.fastMs)
    this.fastStreak = this.counter.published === 'success' ? 0 : this.fastStreak + 1
    return delay
  }
}

/** Per-container probe workers of every pod a kubelet runs; results by container id. */
export class ProbeManager {
  private readonly pods = new Map<string, PodView>()
  private readonly workers = new Map<string, Worker>()
  readonly fastMs: number

  constructor(readonly deps: ProberDeps) {
    this.fastMs = deps.fastProbeMs ?? 25
  }

  view(uid: string): PodView | undefined {
    return this.pods.get(uid)
  }

  /**
   * Called on every pod sync with what the runtime reports for the pod: starts workers for
   * the probes the spec declares, lets them see new containers, and triggers a readiness probe
   * of every running container that is not Ready.
   */
  sync(pod: Pod, containers: readonly ContainerStatus[], podIP: string | undefined): void {
    const uid = pod.metadata?.uid ?? ''
    const latest = new Map<string, ContainerStatus>()
    for (const c of containers) {
      const cur = latest.get(c.name)
      if (!cur || c.attempt > cur.attempt) latest.set(c.name, c)
    }
    this.pods.set(uid, { pod, podIP, latest })
    for (const spec of pod.spec?.containers ?? []) {
      for (const s of containerProbes(spec)) {
        const key = `${uid}/${spec.name}/${s.type}`
        let w = this.workers.get(key)
        if (!w) {
          w = new Worker(this, uid, spec.name, s)
          this.workers.set(key, w)
        }
        const c = latest.get(spec.name)
        if (c?.state !== 'running') continue
        // a new container, or (upstream's manual trigger) a readiness probe of one that is not Ready
        if (w.containerId !== c.id || (s.type === 'readiness' && w.published !== 'success')) w.trigger()
      }
    }
  }

  /** Stops the workers of a pod that is gone. */
  removePod(uid: string): void {
    this.pods.delete(uid)
    for (const [k, w] of this.workers) {
      if (w.podUid !== uid) continue
      w.stop()
      this.workers.delete(k)
    }
  }

  stop(): void {
    for (const w of this.workers.values()) w.stop()
    this.workers.clear()
    this.pods.clear()
  }

  private worker(uid: string, container: string, type: ProbeType): Worker | undefined {
    return this.workers.get(`${uid}/${container}/${type}`)
  }

  /** Whether a container has started: its startup probe succeeded, or it has none. */
  started(uid: string, container: string, id: string): boolean {
    const w = this.worker(uid, container, 'startup')
    if (!w) return true
    return w.containerId === id && w.published === 'success'
  }

  /** Ready as far as probes go: its readiness probe succeeded, or it has none (and it has started). */
  ready(uid: string, container: string, id: string): boolean {
    if (!this.started(uid, container, id)) return false
    const w = this.worker(uid, container, 'readiness')
    if (!w) return true
    return w.containerId === id && w.published === 'success'
  }

  /** The running containers of a pod whose liveness or startup probe failed: the kubelet kills them. */
  unhealthy(uid: string): Map<string, ProbeType> {
    const out = new Map<string, ProbeType>()
    for (const w of this.workers.values()) {
      if (w.podUid !== uid || !w.containerId) continue
      if ((w.settings.type === 'liveness' || w.settings.type === 'startup') && w.published === 'failure') out.set(w.containerId, w.settings.type)
    }
    return out
  }

  /** A worker's result changed (or it adopted a new container): tell the kubelet, wake dependants. */
  publish(w: Worker, notify: boolean): void {
    if (w.settings.type === 'startup' && w.published === 'success') {
      // started: liveness and readiness begin now
      this.worker(w.podUid, w.container, 'liveness')?.trigger()
      this.worker(w.podUid, w.container, 'readiness')?.trigger()
    }
    if (notify) this.deps.changed(w.podUid, w.settings.type)
  }
}
