// One probe worker: runs one probe (liveness, readiness or startup) of one container of a pod
// on the probe's period and publishes its result per container id. Readiness starts as
// Failure, liveness as Success, startup as Unknown; the published result changes only after
// successThreshold successes or failureThreshold failures in a row; while a startup probe has not
// succeeded the other two do not run; a liveness or startup Failure puts the worker on hold until
// a new container appears (the kubelet kills and restarts the container). Every failed probe is
// an Unhealthy event ("Liveness probe failed: HTTP probe failed with statuscode: 404"). While a
// container is not Ready its readiness probe also runs outside the period (sooner after a start,
// backing off to the period), so a pod becomes Ready quickly, as upstream's manual trigger does.
// Mirrors pkg/kubelet/prober/worker.go (doProbe, initialValue, resultRun, onHold); simplified: a
// timer per worker instead of a goroutine with a ticker, and results kept on the worker instead
// of in a results manager.

import type { Pod } from '../api/types.js'
import type { ContainerRuntime, ContainerStatus } from '../runtime/runtime.js'
import { runProbe, type ProbeOutcome, type ProbeResult, type ProbeSettings, type ProbeType } from './prober.js'

/** The published result of a probe before its first conclusive run (upstream's worker initialValue). */
export function initialResult(type: ProbeType): ProbeResult {
  return type === 'readiness' ? 'failure' : type === 'liveness' ? 'success' : 'unknown'
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
  if (input.nowMs < startedAt + input.initialDelayMs)
    return { do: 'wait', untilMs: startedAt + input.initialDelayMs, why: 'initialDelaySeconds has not passed' }
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

const TYPE_NAME: Record<ProbeType, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' }

/** What the manager last learnt of a pod, for its workers. */
export interface PodView {
  pod: Pod
  podIP?: string
  /** The newest container of each name, as the runtime reported it at the last sync. */
  latest: Map<string, ContainerStatus>
}

/** What a worker needs of the manager that owns it (./prober-manager.ts). */
export interface WorkerHost {
  view(uid: string): PodView | undefined
  /** Whether the container has started: its startup probe succeeded, or it has none. */
  started(uid: string, container: string, id: string): boolean
  readonly deps: {
    runtime: Pick<ContainerRuntime, 'exec'>
    /** An Unhealthy event about the container (reason, message). */
    unhealthy(pod: Pod, container: string, message: string): void
  }
  /** First delay of the readiness probe of a container that is not Ready. */
  readonly fastMs: number
  /** The worker's result changed: tell the kubelet, wake dependants. */
  publish(w: Worker, notify: boolean): void
}

export class Worker {
  containerId?: string
  counter: ProbeCounter
  onHold = false
  private timer?: NodeJS.Timeout
  private running = false
  private stopped = false
  private fastStreak = 0

  constructor(
    private readonly manager: WorkerHost,
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
