// The controller manager: one process-like unit that runs every controller with a single
// identity (system:kube-controller-manager) against the API server, on shared informers (one
// list + watch per resource for all controllers), each controller recording Events under its
// own component name. Mirrors kube-controller-manager: its --controllers list, --cluster-cidr /
// --node-cidr-mask-size / --allocate-node-cidrs, --concurrent-*-syncs and --node-monitor-*
// flags, with upstream's defaults. Which controllers run is decided by the cluster composition.

import type { ApiClient } from '../client/client.js'
import { ApiEventRecorder } from '../client/events.js'
import { InformerFactory } from '../client/factory.js'
import type { Runnable } from '../client/runnable.js'
import type { ControllerManagerConfig } from './config.js'
import type { ControllerContext } from './controller.js'
import { ClusterRoleAggregationController } from './clusterroleaggregation/clusterroleaggregation.js'
import { DaemonSetController } from './daemonset/daemonset.js'
import { DeploymentController } from './deployment/deployment.js'
import { DisruptionController } from './disruption/disruption.js'
import { EndpointsController } from './endpoints/endpoints.js'
import { GarbageCollector } from './garbagecollector/garbagecollector.js'
import { NamespaceController } from './namespace/namespace.js'
import { NodeIpamController } from './nodeipam/nodeipam.js'
import { HorizontalPodAutoscalerController } from './podautoscaler/horizontal.js'
import { NodeLifecycleController } from './nodelifecycle/nodelifecycle.js'
import { ReplicaSetController } from './replicaset/replicaset.js'
import { newReplicationManager } from './replicaset/replication.js'
import { ResourceQuotaController } from './resourcequota/resourcequota.js'
import { ServiceAccountsController } from './serviceaccount/serviceaccount.js'
import { StatefulSetController } from './statefulset/statefulset.js'
import { TaintEvictionController } from './tainteviction/tainteviction.js'

export type { Runnable }
export type { ControllerContext, ControllerManagerConfig }

export type ControllerFactory = (ctx: ControllerContext) => Runnable

/** Controllers that run by default, in start order. */
export const DEFAULT_CONTROLLERS: Record<string, ControllerFactory> = {
  namespace: (ctx) => new NamespaceController(ctx),
  serviceaccount: (ctx) => new ServiceAccountsController(ctx.client),
  resourcequota: (ctx) => new ResourceQuotaController(ctx.client),
  deployment: (ctx) => new DeploymentController(ctx),
  replicaset: (ctx) => new ReplicaSetController(ctx),
  replicationcontroller: (ctx) => newReplicationManager(ctx),
  daemonset: (ctx) => new DaemonSetController(ctx),
  statefulset: (ctx) => new StatefulSetController(ctx),
  garbagecollector: (ctx) => new GarbageCollector(ctx),
  endpoint: (ctx) => new EndpointsController(ctx),
  nodeipam: (ctx) => new NodeIpamController(ctx),
  horizontalpodautoscaling: (ctx) => new HorizontalPodAutoscalerController(ctx),
  nodelifecycle: (ctx) => new NodeLifecycleController(ctx),
  'taint-eviction-controller': (ctx) => new TaintEvictionController(ctx),
  disruption: (ctx) => new DisruptionController(ctx),
  'clusterrole-aggregation': (ctx) => new ClusterRoleAggregationController(ctx),
}

export class ControllerManager implements Runnable {
  readonly name = 'kube-controller-manager'
  private readonly controllers: Runnable[] = []
  private readonly informers: InformerFactory
  private readonly recorders: ApiEventRecorder[] = []

  constructor(
    private readonly client: ApiClient,
    readonly config: ControllerManagerConfig = {},
    factories: Record<string, ControllerFactory> = DEFAULT_CONTROLLERS,
  ) {
    this.informers = new InformerFactory(client)
    const ctx: ControllerContext = {
      client,
      informers: this.informers,
      config,
      recorder: (component) => {
        const r = new ApiEventRecorder(client, { component })
        this.recorders.push(r)
        return r
      },
    }
    const enabled = config.controllers ?? Object.keys(factories)
    for (const [name, factory] of Object.entries(factories)) {
      if (!enabled.includes(name)) continue
      if (name === 'nodeipam' && !config.allocateNodeCIDRs) continue
      this.controllers.push(factory(ctx))
    }
  }

  async start(): Promise<void> {
    // controllers registered their informers while being built: list everything once, then work
    await this.informers.start()
    for (const c of this.controllers) await c.start()
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.controllers.map((c) => c.stop()))
    this.informers.stop()
    await Promise.allSettled(this.recorders.map((r) => r.stop()))
    this.client.close()
  }
}
