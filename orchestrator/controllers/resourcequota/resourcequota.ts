// The resource quota controller: keeps each ResourceQuota's status honest — status.hard mirrors
// spec.hard and status.used is recounted from the objects in the namespace whenever the quota or
// a pod changes (and every few seconds for quotas that count other kinds), so `kubectl describe
// quota` shows real usage. Admission refuses what would exceed a quota; this controller only
// reports. Mirrors pkg/controller/resourcequota (recalculation and replenishment).
// Simplifies: no quota scopes; periodic recount instead of replenishment informers for every
// counted kind.

import { ApiError } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import { addUsage, formatAmount, parseQuantityOrZero, resourcesFor, usageOf } from '../../api/quota.js'
import { lookupResource } from '../../api/resources.js'
import { refFor, type Client } from '../../client/client.js'
import { Informer } from '../../client/informer.js'
import { Controller, type ReconcileResult, type Reconciler } from '../controller.js'

const QUOTAS = lookupResource('', 'resourcequotas')!
const PODS = lookupResource('', 'pods')!

interface Quota extends KObject {
  spec?: { hard?: Record<string, string | number> }
  status?: { hard?: Record<string, string>; used?: Record<string, string> }
}

export class ResourceQuotaController implements Reconciler {
  readonly name = 'resourcequota-controller'
  private readonly quotas: Informer<Quota>
  private readonly pods: Informer
  private readonly controller: Controller

  constructor(
    private readonly client: Client,
    private readonly resyncMs = 5_000,
  ) {
    this.quotas = new Informer<Quota>(client, refFor(QUOTAS))
    this.pods = new Informer(client, refFor(PODS))
    this.controller = new Controller(this, { workers: 1 })
    const enqueue = (o: KObject): void => {
      const ns = o.metadata?.namespace
      if (ns && this.quotas.list().some((q) => q.metadata?.namespace === ns)) this.controller.enqueue(ns)
    }
    this.quotas.on({
      add: (q) => this.controller.enqueue(q.metadata?.namespace ?? ''),
      update: (_o, q) => this.controller.enqueue(q.metadata?.namespace ?? ''),
    })
    this.pods.on({ add: enqueue, update: (_o, p) => enqueue(p), delete: enqueue })
  }

  async start(): Promise<void> {
    this.controller.start()
    await Promise.all([this.quotas.start(), this.pods.start()])
  }

  async stop(): Promise<void> {
    this.quotas.stop()
    this.pods.stop()
    await this.controller.stop()
  }

  async reconcile(namespace: string): Promise<ReconcileResult | void> {
    const quotas = this.quotas.list().filter((q) => q.metadata?.namespace === namespace)
    if (!quotas.length) return
    const keys = [...new Set(quotas.flatMap((q) => Object.keys(q.spec?.hard ?? {})))]
    const used: Record<string, number> = Object.fromEntries(keys.map((k) => [k, 0]))
    let countsOtherKinds = false
    for (const r of resourcesFor(keys)) {
      const info = lookupResource(r.group, r.resource)
      if (!info) continue
      if (r.resource !== 'pods') countsOtherKinds = true
      const list = await this.client.list(refFor(info, namespace))
      for (const item of list.items) addUsage(used, usageOf(r.group, r.resource, item as Record<string, unknown>, keys))
    }
    for (const q of quotas) {
      const hard = q.spec?.hard ?? {}
      const status = {
        hard: Object.fromEntries(Object.entries(hard).map(([k, v]) => [k, formatAmount(k, parseQuantityOrZero(v))])),
        used: Object.fromEntries(Object.keys(hard).map((k) => [k, formatAmount(k, used[k] ?? 0)])),
      }
      if (JSON.stringify(status) === JSON.stringify({ hard: q.status?.hard, used: q.status?.used })) continue
      try {
        await this.client.update(refFor(QUOTAS, namespace, q.metadata?.name, 'status'), { ...q, status })
      } catch (e) {
        if (e instanceof ApiError && (e.code === 404 || e.code === 409)) return { requeueAfterMs: 100 }
        throw e
      }
    }
    return countsOtherKinds ? { requeueAfterMs: this.resyncMs } : undefined
  }
}
