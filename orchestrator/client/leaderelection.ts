// Lease-based leader election, as client-go's tools/leaderelection with a LeaseLock: every
// candidate tries to acquire or renew a coordination.k8s.io/v1 Lease (kube-system/<name>); the
// holder renews every retryPeriod and gives up if it cannot renew within renewDeadline; a
// standby takes over once the holder's record has not changed for leaseDuration (measured on
// the standby's own clock, as upstream, so clocks need not agree). Only the leader runs the
// wrapped component. Upstream defaults: leaseDuration 15s, renewDeadline 10s, retryPeriod 2s.
// Simplifies: optimistic concurrency on resourceVersion instead of client-go's
// observedRawRecord comparison; a lost leadership stops the component (upstream exits).

import { ApiError } from '../api/errors.js'
import type { KObject } from '../api/meta.js'
import type { ApiClient } from './client.js'

/** Anything with a lifecycle (the controller manager, the scheduler). */
export interface Runnable {
  readonly name: string
  start(): Promise<void>
  stop(): Promise<void>
}

export interface LeaderElectionTimings {
  leaseDurationMs: number
  renewDeadlineMs: number
  retryPeriodMs: number
}

export const DEFAULT_LEADER_ELECTION: LeaderElectionTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }

export interface LeaderElectionConfig extends Partial<LeaderElectionTimings> {
  client: ApiClient
  /** Lease name: `kube-controller-manager`, `kube-scheduler`. */
  name: string
  namespace?: string
  /** Who this candidate is (upstream: `<hostname>_<uuid>`). */
  identity: string
  /** Release the lease on a clean stop so a standby takes over at once (upstream ReleaseOnCancel). */
  releaseOnCancel?: boolean
  log?: (msg: string) => void
}

interface LeaseSpec {
  holderIdentity?: string
  leaseDurationSeconds?: number
  acquireTime?: string
  renewTime?: string
  leaseTransitions?: number
}

type Lease = KObject & { spec?: LeaseSpec }

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(d = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
}

export class LeaderElector implements Runnable {
  readonly name: string
  private readonly timings: LeaderElectionTimings
  private readonly namespace: string
  private running?: Runnable
  private leading = false
  private stopped = true
  private timer?: NodeJS.Timeout
  /** The lease as last seen, and when (on our clock) it last changed. */
  private observed?: { rv: string; holder: string; at: number }
  private lastRenew = 0
  private heldByOther = false
  private started = false
  private loop?: Promise<void>
  private wake?: () => void

  constructor(
    private readonly cfg: LeaderElectionConfig,
    /** Builds a fresh component each time leadership is won (a stopped one is not restarted). */
    private readonly component: () => Promise<Runnable> | Runnable,
  ) {
    this.name = `leader-election/${cfg.name}`
    this.namespace = cfg.namespace ?? 'kube-system'
    this.timings = {
      leaseDurationMs: cfg.leaseDurationMs ?? DEFAULT_LEADER_ELECTION.leaseDurationMs,
      renewDeadlineMs: cfg.renewDeadlineMs ?? DEFAULT_LEADER_ELECTION.renewDeadlineMs,
      retryPeriodMs: cfg.retryPeriodMs ?? DEFAULT_LEADER_ELECTION.retryPeriodMs,
    }
    if (!(this.timings.leaseDurationMs > this.timings.renewDeadlineMs && this.timings.renewDeadlineMs > this.timings.retryPeriodMs)) {
      throw new Error(`leader election needs leaseDuration > renewDeadline > retryPeriod, got ${JSON.stringify(this.timings)}`)
    }
  }

  get identity(): string {
    return this.cfg.identity
  }

  get isLeader(): boolean {
    return this.leading
  }

  /** True while this candidate leads and its component has started. */
  get active(): boolean {
    return this.leading && this.started
  }

  /** Starts campaigning; resolves at once (the component starts when the lease is won). */
  async start(): Promise<void> {
    if (!this.stopped) return
    this.stopped = false
    this.loop = this.campaign()
  }

  /** Stops campaigning, stops the component, and releases the lease if configured. */
  async stop(): Promise<void> {
    await this.halt(this.cfg.releaseOnCancel ?? true)
  }

  /** Stops as a crashed process would: the lease is left to expire. */
  async crash(): Promise<void> {
    await this.halt(false)
  }

  private async halt(release: boolean): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    clearTimeout(this.timer)
    this.wake?.()
    await this.loop
    const wasLeading = this.leading
    await this.stepDown('stopped')
    if (release && wasLeading) await this.release().catch(() => undefined)
  }

  // -------------------------------------------------------------------------------------------

  private path(name = this.cfg.name): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.namespace}/leases/${name}`
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve
      this.timer = setTimeout(resolve, ms)
    })
  }

  private async campaign(): Promise<void> {
    while (!this.stopped) {
      let ok = false
      try {
        ok = await this.tryAcquireOrRenew()
      } catch (e) {
        this.cfg.log?.(`${this.cfg.identity}: lease ${this.cfg.name}: ${e instanceof Error ? e.message : String(e)}`)
      }
      if (this.stopped) break
      const now = Date.now()
      if (ok) {
        this.lastRenew = now
        if (!this.leading) await this.stepUp()
      } else if (this.leading && this.heldByOther) {
        await this.stepDown('another candidate holds the lease')
      } else if (this.leading && now - this.lastRenew >= this.timings.renewDeadlineMs) {
        await this.stepDown(`could not renew within ${this.timings.renewDeadlineMs} ms`)
      }
      if (this.stopped) break
      await this.pause(this.timings.retryPeriodMs)
    }
  }

  private async stepUp(): Promise<void> {
    this.leading = true
    this.cfg.log?.(`${this.cfg.identity}: became leader of ${this.cfg.name}`)
    try {
      const c = await this.component()
      this.running = c
      await c.start()
      this.started = true
    } catch (e) {
      this.cfg.log?.(`${this.cfg.identity}: ${this.cfg.name} failed to start: ${e instanceof Error ? e.message : String(e)}`)
      await this.stepDown('component failed to start')
    }
  }

  private async stepDown(why: string): Promise<void> {
    if (!this.leading) return
    this.leading = false
    this.started = false
    this.cfg.log?.(`${this.cfg.identity}: stopped leading ${this.cfg.name}: ${why}`)
    const c = this.running
    this.running = undefined
    await c?.stop().catch(() => undefined)
  }

  /** One round of client-go's tryAcquireOrRenew. True when we hold the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date()
    const mine: LeaseSpec = {
      holderIdentity: this.cfg.identity,
      leaseDurationSeconds: Math.ceil(this.timings.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    }
    // each call is bounded, so a hung API server cannot hold the loop past the renew deadline
    const signal = (): AbortSignal => AbortSignal.timeout(Math.max(1000, Math.floor(this.timings.renewDeadlineMs / 2)))
    this.heldByOther = false
    let current: Lease
    try {
      current = await this.cfg.client.request<Lease>('GET', this.path(), { signal: signal() })
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e
      await this.cfg.client.request('POST', `/apis/coordination.k8s.io/v1/namespaces/${this.namespace}/leases`, {
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.cfg.name, namespace: this.namespace }, spec: mine },
        signal: signal(),
      })
      this.observed = { rv: '', holder: this.cfg.identity, at: Date.now() }
      return true
    }
    const spec = current.spec ?? {}
    const holder = spec.holderIdentity ?? ''
    const rv = current.metadata?.resourceVersion ?? ''
    if (!this.observed || this.observed.rv !== rv) this.observed = { rv, holder, at: Date.now() }
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000
    if (holder && holder !== this.cfg.identity && this.observed.at + durationMs > Date.now()) {
      this.heldByOther = true // someone else holds a live lease
      return false
    }

    const next: LeaseSpec =
      holder === this.cfg.identity
        ? { ...spec, renewTime: mine.renewTime, leaseDurationSeconds: mine.leaseDurationSeconds }
        : { ...mine, leaseTransitions: (spec.leaseTransitions ?? 0) + (holder ? 1 : 0) }
    try {
      const updated = await this.cfg.client.request<Lease>('PUT', this.path(), { body: { ...current, spec: next }, signal: signal() })
      this.observed = { rv: updated.metadata?.resourceVersion ?? '', holder: this.cfg.identity, at: Date.now() }
      return true
    } catch (e) {
      if (e instanceof ApiError && e.code === 409) return false // another candidate won this round
      throw e
    }
  }

  /** Gives the lease up (upstream: holderIdentity cleared, leaseDurationSeconds 1). */
  private async release(): Promise<void> {
    const current = await this.cfg.client.request<Lease>('GET', this.path())
    if (current.spec?.holderIdentity !== this.cfg.identity) return
    await this.cfg.client.request('PUT', this.path(), {
      body: { ...current, spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime() } },
    })
  }
}
