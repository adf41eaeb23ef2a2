// Asynchronous assertions without sleeps: `eventually` polls until a check passes or the stated
// timeout runs out; `consistently` polls for a stated duration and fails at the first
// violation. Both fail with what was last observed, so a red scenario says why.

import { setTimeout as pause } from 'node:timers/promises'

export interface PollOptions {
  /** What is being waited for, in the failure message ("deployment web to have 3 ready replicas"). */
  describe: string
  /** Delay between probes. */
  intervalMs?: number
}

export class TimeoutError extends Error {
  constructor(
    message: string,
    readonly lastValue: unknown,
  ) {
    super(message)
    this.name = 'EventuallyTimeout'
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing (no value observed)'
  if (typeof v === 'string') return v.length > 2000 ? `${v.slice(0, 2000)}...` : v
  try {
    const s = JSON.stringify(v, null, 2)
    return s.length > 2000 ? `${s.slice(0, 2000)}...` : s
  } catch {
    return String(v)
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/**
 * Calls `probe` until `check(value)` neither throws nor returns false, or until `timeoutMs`.
 * Returns the value that passed. Probe errors count as "not yet" and are reported on timeout.
 */
export async function eventually<T>(probe: () => Promise<T> | T, check: (value: T) => void | boolean, timeoutMs: number, opts: PollOptions): Promise<T> {
  const deadline = performance.now() + timeoutMs
  const interval = opts.intervalMs ?? Math.min(250, Math.max(20, timeoutMs / 50))
  let last: unknown
  let lastError: unknown
  for (;;) {
    try {
      const value = await probe()
      last = value
      try {
        if (check(value) !== false) return value
        lastError = undefined
      } catch (e) {
        lastError = e
      }
    } catch (e) {
      lastError = e
    }
    if (performance.now() >= deadline) break
    await pause(Math.min(interval, Math.max(0, deadline - performance.now())))
  }
  const why = lastError ? `\nlast check failed with: ${errorText(lastError)}` : ''
  throw new TimeoutError(`timed out after ${formatMs(timeoutMs)} waiting for ${opts.describe}${why}\nlast observed: ${show(last)}`, last)
}

/**
 * Calls `probe` for `durationMs` and requires `check(value)` to pass every time; fails at the
 * first violation with the value that broke it.
 */
export async function consistently<T>(probe: () => Promise<T> | T, check: (value: T) => void | boolean, durationMs: number, opts: PollOptions): Promise<void> {
  const end = performance.now() + durationMs
  const interval = opts.intervalMs ?? Math.min(250, Math.max(20, durationMs / 20))
  let probes = 0
  for (;;) {
    const started = performance.now()
    const value = await probe()
    probes++
    let ok: boolean
    let why = ''
    try {
      ok = check(value) !== false
    } catch (e) {
      ok = false
      why = `: ${errorText(e)}`
    }
    if (!ok) {
      throw new Error(
        `${opts.describe} stopped holding after ${formatMs(started - (end - durationMs))} of ${formatMs(durationMs)} (probe ${probes})${why}\nobserved: ${show(value)}`,
      )
    }
    if (performance.now() >= end) return
    await pause(Math.min(interval, Math.max(0, end - performance.now())))
  }
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  const s = ms / 1000
  return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`
}
