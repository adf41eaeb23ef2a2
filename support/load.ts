// A steady CPU load spread over the running pods of a selector, as a Service spreads requests:
// every quarter second the pods are listed through the API and each running one is told (by
// the target's door into its runtime) to use its share; pods that stop are let go, pods that
// start take their share. What the scenario then observes (metrics, the HPA's decisions) goes
// through the Kubernetes API only.

import type { KubeConfig } from '@kubernetes/client-node'
import { httpGet } from './services.js'
import { isRunning, podsLabelled } from './workloads.js'

/**
 * Load on real containers: `clients` loops that each request `url` one request after the
 * other until `ms` have passed (or stop() is called), as clients of a Service would. Returns
 * stop(); the loops end by themselves at the deadline.
 */
export function driveRequests(url: string, clients: number, ms: number): () => void {
  const until = Date.now() + ms
  let stopped = false
  for (let i = 0; i < clients; i++) {
    void (async () => {
      while (!stopped && Date.now() < until) {
        const r = await httpGet(url, 10_000)
        // a refused connection is retried after a short pause rather than in a tight loop
        if ('error' in r) await new Promise((resolve) => setTimeout(resolve, 100)) // the load's retry pause, not a test wait
      }
    })()
  }
  return () => {
    stopped = true
  }
}

/** Tells the runtime what a pod uses from now on (undefined: back to its scripted use). */
export type SetPodCpu = (namespace: string, pod: string, cpuMillis: number | undefined) => void

const PERIOD_MS = 250

interface Load {
  namespace: string
  selector: string
  cpuMillis: number
  /** Pods currently given a share, with it. */
  shares: Map<string, number>
}

export class SpreadLoad {
  private readonly loads = new Map<string, Load>()
  private timer?: NodeJS.Timeout
  private busy = false

  constructor(
    private readonly kc: KubeConfig,
    private readonly set: SetPodCpu,
  ) {}

  /** Replaces the load on `selector` in `namespace` (0 ends it). */
  spread(namespace: string, selector: string, cpuMillis: number): void {
    const key = `${namespace}|${selector}`
    const old = this.loads.get(key)
    if (cpuMillis <= 0) {
      if (old) for (const pod of old.shares.keys()) this.set(namespace, pod, undefined)
      this.loads.delete(key)
    } else this.loads.set(key, { namespace, selector, cpuMillis, shares: old?.shares ?? new Map() })
    if (this.loads.size && !this.timer) {
      this.timer = setInterval(() => void this.tick(), PERIOD_MS)
      this.timer.unref()
      void this.tick()
    } else if (!this.loads.size) this.clearTimer()
  }

  /** Ends every load (the session closes). */
  stop(): void {
    this.clearTimer()
    for (const l of this.loads.values()) for (const pod of l.shares.keys()) this.set(l.namespace, pod, undefined)
    this.loads.clear()
  }

  private clearTimer(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  private async tick(): Promise<void> {
    if (this.busy) return
    this.busy = true
    try {
      for (const l of [...this.loads.values()]) {
        let running: string[]
        try {
          running = (await podsLabelled(this.kc, l.namespace, l.selector)).filter(isRunning).map((p) => p.metadata!.name!)
        } catch {
          continue // the API may be briefly unavailable; the next tick tries again
        }
        if (this.loads.get(`${l.namespace}|${l.selector}`) !== l) continue // replaced or ended meanwhile
        const share = running.length ? l.cpuMillis / running.length : 0
        for (const pod of [...l.shares.keys()]) {
          if (running.includes(pod)) continue
          this.set(l.namespace, pod, undefined)
          l.shares.delete(pod)
        }
        for (const pod of running) {
          if (l.shares.get(pod) === share) continue
          this.set(l.namespace, pod, share)
          l.shares.set(pod, share)
        }
      }
    } finally {
      this.busy = false
    }
  }
}
