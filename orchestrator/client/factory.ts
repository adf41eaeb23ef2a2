// Shared informers: every controller of one process that asks for the same resource (and the
// same selectors) gets the same informer, so the API server serves one list + watch per
// resource instead of one per controller. Mirrors client-go's SharedInformerFactory.

import type { KObject } from '../api/meta.js'
import type { ResourceInfo } from '../api/resources.js'
import { refFor } from './client.js'
import { Informer, type InformerOptions, type ListerWatcher } from './informer.js'

export interface InformerSelection {
  /** Watch one namespace only (default: all). */
  namespace?: string
  labelSelector?: string
  fieldSelector?: string
}

export class InformerFactory {
  private readonly informers = new Map<string, Informer<KObject>>()
  private stopped = false

  constructor(
    private readonly client: ListerWatcher,
    private readonly defaults: Omit<InformerOptions, 'labelSelector' | 'fieldSelector'> = {},
  ) {}

  /** The shared informer for a resource and selection (created, not started). */
  informer<T extends KObject = KObject>(info: ResourceInfo, sel: InformerSelection = {}): Informer<T> {
    const key = `${info.group}/${info.resource}|${sel.namespace ?? ''}|${sel.labelSelector ?? ''}|${sel.fieldSelector ?? ''}`
    let inf = this.informers.get(key)
    if (!inf) {
      inf = new Informer<KObject>(this.client, refFor(info, sel.namespace), {
        ...this.defaults,
        labelSelector: sel.labelSelector,
        fieldSelector: sel.fieldSelector,
      })
      this.informers.set(key, inf)
    }
    return inf as unknown as Informer<T>
  }

  /** Starts every informer made so far and waits until each has listed once. */
  async start(): Promise<void> {
    if (this.stopped) return
    await Promise.all([...this.informers.values()].map((i) => i.start()))
  }

  stop(): void {
    this.stopped = true
    for (const i of this.informers.values()) i.stop()
  }
}
