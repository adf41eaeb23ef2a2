// The reconcile loop every controller runs: keys from informer events go into a work queue,
// workers take one key at a time and call the reconciler, which reads current state, takes one
// step towards the desired state and may ask to be called again later. Errors retry with
// per-key back-off up to a limit. Mirrors controller-runtime's Controller / Reconciler contract
// ("reconciliation is level-based": a reconciler gets a key, never the event).

import type { Client } from '../client/client.js'
import type { EventRecorder } from '../client/events.js'
import type { InformerFactory } from '../client/factory.js'
import { WorkQueue, type RateLimit } from '../client/workqueue.js'
import type { ControllerManagerConfig } from './config.js'

/** What a controller gets from the manager (controllers/manager.ts). */
export interface ControllerContext {
  client: Client
  informers: InformerFactory
  config: ControllerManagerConfig
  /** A recorder whose events say they come from `component`. */
  recorder(component: string): EventRecorder
}

export interface ReconcileResult {
  /** Reconcile this key again after the delay even without new events. */
  requeueAfterMs?: number
}

/**
 * Contract: reconcile(key) is idempotent and safe to call at any time, for keys of objects that
 * no longer exist too. Throw to retry with back-off; return requeueAfterMs to poll.
 */
export interface Reconciler {
  readonly name: string
  reconcile(key: string): Promise<ReconcileResult | void>
}

export interface ControllerOptions {
  workers?: number
  rateLimit?: RateLimit
  /** After this many failures in a row a key is dropped until its next event. */
  maxRetries?: number
  log?: (msg: string) => void
}

export class Controller {
  readonly queue: WorkQueue
  private running: Promise<void>[] = []
  private stopped = false

  constructor(
    private readonly reconciler: Reconciler,
    private readonly opts: ControllerOptions = {},
  ) {
    this.queue = new WorkQueue(opts.rateLimit)
  }

  get name(): string {
    return this.reconciler.name
  }

  enqueue(key: string): void {
    this.queue.add(key)
  }

  start(): void {
    for (let i = 0; i < (this.opts.workers ?? 1); i++) this.running.push(this.worker())
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.queue.shutDown()
    await Promise.allSettled(this.running)
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get()
      if (key === undefined || this.stopped) return
      try {
        const result = await this.reconciler.reconcile(key)
        this.queue.forget(key)
        if (result?.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs)
      } catch (e) {
        if (this.stopped) return
        const tries = this.queue.retries(key)
        if (tries < (this.opts.maxRetries ?? 15)) {
          this.queue.addRateLimited(key)
        } else {
          this.queue.forget(key)
          ;(this.opts.log ?? console.error)(`${this.reconciler.name}: dropping ${key} after ${tries} failures: ${e instanceof Error ? e.message : String(e)}`)
        }
      } finally {
        this.queue.done(key)
      }
    }
  }
}
