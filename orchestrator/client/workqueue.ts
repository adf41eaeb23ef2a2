// A work queue of object keys, as client-go's workqueue: a key is held at most once while
// waiting, a key being processed is not handed to a second worker (a re-add during processing
// queues it again after `done`), and failed keys come back with per-key exponential back-off
// up to a cap. Reconcilers are level-based, so the queue carries keys, never events.

export interface RateLimit {
  /** First retry delay. */
  baseMs: number
  /** Largest retry delay. */
  maxMs: number
}

export class WorkQueue {
  private queue: string[] = []
  private dirty = new Set<string>()
  private processing = new Set<string>()
  private failures = new Map<string, number>()
  private timers = new Map<string, { timer: NodeJS.Timeout; due: number }>()
  private waiters: ((key: string | undefined) => void)[] = []
  private shuttingDown = false

  constructor(private readonly rate: RateLimit = { baseMs: 5, maxMs: 30_000 }) {}

  /** Queues a key unless it is already waiting. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return
    this.dirty.add(key)
    if (this.processing.has(key)) return
    const waiter = this.waiters.shift()
    if (waiter) {
      this.dirty.delete(key)
      this.processing.add(key)
      waiter(key)
    } else this.queue.push(key)
  }

  /** Queues a key after a delay; of several pending delays for one key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return
    if (ms <= 0) return this.add(key)
    const due = performance.now() + ms
    const pending = this.timers.get(key)
    if (pending) {
      if (pending.due <= due) return
      clearTimeout(pending.timer)
    }
    const timer = setTimeout(() => {
      this.timers.delete(key)
      this.add(key)
    }, ms)
    this.timers.set(key, { timer, due })
  }

  /** Queues a failed key again after its back-off: base * 2^failures, capped. */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0
    this.failures.set(key, n + 1)
    this.addAfter(key, Math.min(this.rate.maxMs, this.rate.baseMs * 2 ** n))
  }

  /** How many times the key failed in a row. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0
  }

  /** Clears the back-off of a key that was reconciled successfully. */
  forget(key: string): void {
    this.failures.delete(key)
  }

  /** Waits for the next key; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined)
    const key = this.queue.shift()
    if (key !== undefined) {
      this.dirty.delete(key)
      this.processing.add(key)
      return Promise.resolve(key)
    }
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** Marks a key processed; if it was added meanwhile it is queued again. */
  done(key: string): void {
    this.processing.delete(key)
    if (this.dirty.has(key)) {
      this.dirty.delete(key)
      this.add(key)
    }
  }

  get length(): number {
    return this.queue.length
  }

  shutDown(): void {
    this.shuttingDown = true
    for (const t of this.timers.values()) clearTimeout(t.timer)
    this.timers.clear()
    for (const w of this.waiters.splice(0)) w(undefined)
    this.queue = []
  }
}
