// Polling for the orchestrator's own tests (x.test.ts, x.testing.ts): no sleeps, a stated
// timeout, and a failure that says what was awaited and what was last seen. The harness's
// richer `eventually` / `consistently` (support/eventually.ts) serve the steps; the
// orchestrator never imports the harness, so its tests use these.

import { setTimeout as pause } from 'node:timers/promises'

/**
 * Calls `fn` until it returns a truthy value, which it returns; a throw counts as "not yet".
 * Fails after `timeoutMs` with `what` and the last value or error.
 */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 5_000,
  intervalMs = 50,
): Promise<T> {
  const end = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v) return v
      last = v
    } catch (e) {
      last = e
    }
    if (Date.now() > end) throw new Error(`${what}: not true within ${timeoutMs} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`)
    await pause(intervalMs)
  }
}

/** Polls `cond` until it holds or `timeoutMs` pass; returns whether it held (for tests that assert on it). */
export async function holdsWithin(cond: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (await cond()) return true
    await pause(intervalMs)
  }
  return cond()
}
