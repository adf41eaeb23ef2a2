// The namespace controller: when a namespace is deleted (Terminating), delete everything in it,
// wait until nothing is left, then remove the `kubernetes` finalizer through namespaces/finalize
// so the API server can drop the namespace. Mirrors pkg/controller/namespace/deletion.
// Simplifies: walks the resource table instead of discovery; no per-resource conditions.

import { ApiError } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import { RESOURCES, lookupResource } from '../../api/resources.js'
import { refFor, type Client } from '../../client/client.js'
import type { Informer } from '../../client/informer.js'
import { Controller, type ReconcileResult, type Reconciler } from '../controller.js'
import type { ControllerContext } from '../controller.js'

const NAMESPACES = lookupResource('', 'namespaces')!

export class NamespaceController implements Reconciler {
  readonly name = 'namespace-controller'
  private readonly client: Client
  private readonly informer: Informer
  private readonly controller: Controller

  constructor(ctx: ControllerContext) {
    this.client = ctx.client
    this.informer = ctx.informers.informer(NAMESPACES)
    this.controller = new Controller(this, { workers: 2 })
    const enqueue = (o: KObject): void => {
      if (o.metadata?.deletionTimestamp) this.controller.enqueue(o.metadata.name ?? '')
    }
    this.informer.on({ add: enqueue, update: (_old, o) => enqueue(o) })
  }

  async start(): Promise<void> {
    this.controller.start()
  }

  async stop(): Promise<void> {
    await this.controller.stop()
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const ns = this.informer.get(name) as (KObject & { spec?: { finalizers?: string[] } }) | undefined
    if (!ns?.metadata?.deletionTimestamp) return
    let remaining = 0
    for (const info of RESOURCES) {
      if (!info.namespaced || !info.verbs.includes('list')) continue
      const list = await this.client.list(refFor(info, name))
      for (const item of list.items) {
        remaining++
        if (item.metadata?.deletionTimestamp) continue
        try {
          await this.client.delete(refFor(info, name, item.metadata?.name), { propagationPolicy: 'Background' })
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 404)) throw e
        }
      }
    }
    if (remaining > 0) return { requeueAfterMs: 250 }
    const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== 'kubernetes')
    try {
      await this.client.request('PUT', `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`, {
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers } },
      })
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e
    }
  }
}
