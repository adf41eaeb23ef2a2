// The controller manager: one process-like unit that runs every controller with a single
// identity (system:kube-controller-manager) against the API server. Mirrors
// kube-controller-manager's role; which controllers run is decided by the cluster composition.

import type { ApiClient } from '../client/client.js'
import { NamespaceController } from './namespace/namespace.js'
import { ResourceQuotaController } from './resourcequota/resourcequota.js'
import { ServiceAccountsController } from './serviceaccount/serviceaccount.js'

/** Anything with a lifecycle that the controller manager runs. */
export interface Runnable {
  readonly name: string
  start(): Promise<void>
  stop(): Promise<void>
}

export type ControllerFactory = (client: ApiClient) => Runnable

/** Controllers that run by default, in start order. */
export const DEFAULT_CONTROLLERS: Record<string, ControllerFactory> = {
  namespace: (client) => new NamespaceController(client),
  serviceaccount: (client) => new ServiceAccountsController(client),
  resourcequota: (client) => new ResourceQuotaController(client),
}

export class ControllerManager implements Runnable {
  readonly name = 'kube-controller-manager'
  private readonly controllers: Runnable[]

  constructor(
    private readonly client: ApiClient,
    factories: Record<string, ControllerFactory> = DEFAULT_CONTROLLERS,
  ) {
    this.controllers = Object.values(factories).map((f) => f(client))
  }

  async start(): Promise<void> {
    for (const c of this.controllers) await c.start()
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.controllers.map((c) => c.stop()))
    this.client.close()
  }
}
