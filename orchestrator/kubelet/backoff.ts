// Per-key exponential back-off, as client-go's flowcontrol.Backoff that the kubelet uses for
// container restarts (CrashLoopBackOff) and image pulls (ImagePullBackOff): the first failure
// is retried at once, then each retry waits twice as long as the one before (10s, 20s, 40s...)
// up to a cap (300s); an entry that has not been touched for twice the cap starts over.
// Simplifies: no jitter (the kubelet's back-off has none by default either).

export class BackOff {
  private readonly entries = new Map<string, { backoffMs: number; lastUpdate: number }>()

  constructor(
    readonly initialMs: number,
    readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a retry at `eventTime`: the next window doubles (or starts at initialMs). */
  next(key: string, eventTime: number): void {
    const e = this.entries.get(key)
    if (!e || this.expired(eventTime, e.lastUpdate)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: this.now() })
    } else {
      e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs)
      e.lastUpdate = this.now()
    }
  }

  /** Whether less than the current window has passed since `eventTime` (e.g. the last exit). */
  inBackOffSince(key: string, eventTime: number): boolean {
    return this.remainingMs(key, eventTime) > 0
  }

  /** How long until the window that started at `eventTime` is over (0 when not in back-off). */
  remainingMs(key: string, eventTime: number): number {
    const e = this.entries.get(key)
    if (!e || this.expired(eventTime, e.lastUpdate)) return 0
    return Math.max(0, eventTime + e.backoffMs - this.now())
  }

  /** The current window of a key (0 if none). */
  windowMs(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0
  }

  reset(key: string): void {
    this.entries.delete(key)
  }

  /** Forgets every key with the given prefix (a pod that is gone). */
  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k)
  }

  private expired(eventTime: number, lastUpdate: number): boolean {
    return eventTime - lastUpdate > 2 * this.maxMs
  }
}
