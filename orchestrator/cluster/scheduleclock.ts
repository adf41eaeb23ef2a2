// The reference cluster's schedule clock: the time the CronJob controller reads its schedules
// by, the real time plus an offset that only moves forward. A scenario moves it with the
// cluster's door (Cluster.advanceScheduleClock) instead of waiting for the minute; nothing
// else in the cluster reads it (kubelets, leases, Events, timestamps the API server writes and
// every other controller keep the real time), so the rest of the cluster stays honest.
// One per cluster, shared by every master's controller manager, so a new leader keeps the time.
// Upstream has no such door: its CronJob controller reads an injected clock.Clock in tests only.

import type { ScheduleClock } from '../controllers/config.js'

export class AdvanceableClock implements ScheduleClock {
  private offsetMs = 0
  private readonly listeners = new Set<() => void>()

  constructor(private readonly real: () => number = Date.now) {}

  now(): number {
    return this.real() + this.offsetMs
  }

  /** How far the clock is ahead of the real time. */
  get offset(): number {
    return this.offsetMs
  }

  /** Moves the clock forward by `ms` (never back) and tells the listeners. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`the schedule clock only moves forward, not by ${ms} ms`)
    this.offsetMs += ms
    for (const l of [...this.listeners]) l()
  }

  onAdvance(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }
}
