// A ControllerContext on the in-memory FakeClient (orchestrator/client/fake.ts), for reconciler
// tests without an API server: the controller's informers list and watch the fake, its events
// go to a FakeRecorder, and `sync` runs one reconcile the way a worker would, once the caches
// hold what the fake was seeded with. Mirrors the fixture of upstream's controller unit tests
// (a fake clientset, a shared informer factory on it, record.FakeRecorder).
// Simplifies: the controller's own work queue and workers never run; a test calls reconcile.

import type { KObject } from '../api/meta.js'
import { FakeClient, FakeRecorder, WRITE_VERBS, type Action } from '../client/fake.js'
import { InformerFactory } from '../client/factory.js'
import type { ControllerManagerConfig } from './config.js'
import type { ControllerContext, ReconcileResult, Reconciler } from './controller.js'

export interface FakeBed {
  client: FakeClient
  recorder: FakeRecorder
  ctx: ControllerContext
  /** Starts the informers (once), forgets the actions so far, runs reconcile(key). */
  sync(reconciler: Reconciler, key: string): Promise<ReconcileResult | void>
  /** The writes since the last sync: `create pods web-`, `update replicasets/status web`, ... */
  writes(): string[]
  stop(): void
}

/** `<verb> <resource>[/<subresource>] <name>`; a create shows the name it asked for (or its generateName). */
export function describeAction(a: Action): string {
  const what = a.subresource ? `${a.resource}/${a.subresource}` : a.resource
  const name = a.name || a.object?.metadata?.name || a.object?.metadata?.generateName || ''
  return `${a.verb} ${what} ${name}`
}

export function fakeBed(objects: KObject[], config: ControllerManagerConfig = {}): FakeBed {
  const client = new FakeClient(...objects)
  const recorder = new FakeRecorder()
  const informers = new InformerFactory(client)
  const ctx: ControllerContext = { client, informers, config, recorder: () => recorder }
  return {
    client,
    recorder,
    ctx,
    async sync(reconciler, key) {
      await informers.start()
      client.clearActions()
      return reconciler.reconcile(key)
    },
    writes: () =>
      client
        .actions()
        .filter((a) => WRITE_VERBS.includes(a.verb))
        .map(describeAction),
    stop: () => informers.stop(),
  }
}
