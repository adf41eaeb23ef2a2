// A bound on every store call: a call that has not settled after the store timeout fails with a
// store Timeout (the registry answers 504), so a request never hangs on a store that does not
// answer. One coarse sweeper timer serves every call in flight.

import { StoreError } from '../../store/store.js'

export class StoreDeadline {
  /** Store calls in flight with their deadline; one sweeper timer fails the overdue ones. */
  private readonly inflight = new Set<{ deadline: number; reject: (e: unknown) => void }>()
  private sweeper?: NodeJS.Timeout

  constructor(readonly timeoutMs: number) {}

  /**
   * Settles like `p`, or fails with a store Timeout once storeTimeoutMs has passed. One coarse
   * sweeper timer serves every call (a timer per store call is measurable at thousands of
   * requests per second); a deadline is honoured within a quarter of the timeout.
   */
  bounded<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry = { deadline: performance.now() + this.timeoutMs, reject }
      this.inflight.add(entry)
      if (!this.sweeper) {
        const every = Math.max(5, Math.min(250, this.timeoutMs / 4))
        this.sweeper = setInterval(() => this.sweep(), every)
        this.sweeper.unref()
      }
      p.then(
        (v) => {
          this.inflight.delete(entry)
          resolve(v)
        },
        (e: unknown) => {
          this.inflight.delete(entry)
          reject(e)
        },
      )
    })
  }

  private sweep(): void {
    const now = performance.now()
    for (const entry of this.inflight) {
      if (entry.deadline > now) continue
      this.inflight.delete(entry)
      entry.reject(new StoreError('Timeout', `store did not answer within ${this.timeoutMs} ms`))
    }
    if (!this.inflight.size) {
      clearInterval(this.sweeper)
      this.sweeper = undefined
    }
  }
}
