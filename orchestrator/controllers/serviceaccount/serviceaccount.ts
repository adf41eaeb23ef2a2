// The serviceaccounts controller: every active namespace has a `default` service account, made
// when the namespace appears and made again if someone deletes it, so pods (which run as
// `default` unless they name another) and `kubectl create token default` work in any
// namespace. Mirrors pkg/controller/serviceaccount/serviceaccounts_controller.go.

import { ApiError } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import { lookupResource } from '../../api/resources.js'
import { refFor, type Client } from '../../client/client.js'
import { Informer } from '../../client/informer.js'
import { Controller, type Reconciler } from '../controller.js'

const NAMESPACES = lookupResource('', 'namespaces')!
const SERVICE_ACCOUNTS = lookupResource('', 'serviceaccounts')!
export const DEFAULT_NAME = 'default'

export class ServiceAccountsController implements Reconciler {
  readonly name = 'serviceaccount-controller'
  private readonly namespaces: Informer
  private readonly accounts: Informer
  private readonly controller: Controller

  constructor(private readonly client: Client) {
    this.namespaces = new Informer(client, refFor(NAMESPACES))
    this.accounts = new Informer(client, refFor(SERVICE_ACCOUNTS), { fieldSelector: `metadata.name=${DEFAULT_NAME}` })
    this.controller = new Controller(this, { workers: 2 })
    const enqueueNamespace = (o: KObject): void => this.controller.enqueue(o.metadata?.name ?? '')
    this.namespaces.on({ add: enqueueNamespace, update: (_old, o) => enqueueNamespace(o) })
    this.accounts.on({ delete: (o) => this.controller.enqueue(o.metadata?.namespace ?? '') })
  }

  async start(): Promise<void> {
    this.controller.start()
    await Promise.all([this.namespaces.start(), this.accounts.start()])
  }

  async stop(): Promise<void> {
    this.namespaces.stop()
    this.accounts.stop()
    await this.controller.stop()
  }

  async reconcile(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace)
    if (!ns || ns.metadata?.deletionTimestamp || (ns as { status?: { phase?: string } }).status?.phase === 'Terminating') return
    if (this.accounts.get(`${namespace}/${DEFAULT_NAME}`)) return
    try {
      await this.client.create(refFor(SERVICE_ACCOUNTS, namespace), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_NAME, namespace } })
    } catch (e) {
      // someone made it first, or the namespace is going away: nothing to do
      if (e instanceof ApiError && (e.code === 409 || e.code === 404 || e.code === 403)) return
      throw e
    }
  }
}
