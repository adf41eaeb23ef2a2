// The strategies of the served kinds: one row per kind, keyed `<group>/<Kind>` as the resource
// table (api/resources.ts) names it. Adding a kind: a row there, a strategy file here, a row
// below. A kind without a row is stored as sent (after schema and name validation).

import type { Strategies, Strategy } from '../strategy.js'
import type { EscalationDeps } from '../../authz/escalation.js'
import type { ServiceIPAllocator } from '../ipallocator.js'
import { apiServiceStrategy } from './apiservice.js'
import { controllerRevisionStrategy } from './controllerrevision.js'
import { daemonSetStrategy } from './daemonset.js'
import { deploymentStrategy } from './deployment.js'
import { endpointsStrategy } from './endpoints.js'
import { eventStrategy } from './event.js'
import { horizontalPodAutoscalerStrategy } from './horizontalpodautoscaler.js'
import { ingressStrategy } from './ingress.js'
import { leaseStrategy } from './lease.js'
import { limitRangeStrategy } from './limitrange.js'
import { namespaceStrategy } from './namespace.js'
import { nodeStrategy } from './node.js'
import { podStrategy } from './pod.js'
import { podDisruptionBudgetStrategy } from './poddisruptionbudget.js'
import { rbacStrategies } from './rbac.js'
import { replicaSetStrategy } from './replicaset.js'
import { replicationControllerStrategy } from './replicationcontroller.js'
import { serviceStrategy } from './service.js'
import { statefulSetStrategy } from './statefulset.js'

/** What some strategies need from the API server that runs them. */
export interface StrategyDeps {
  /** Gives Services their ClusterIPs (without it, Services are stored without one). */
  serviceIPs?: ServiceIPAllocator
  /** Checks RBAC writes for privilege escalation (without it, none is checked). */
  escalation?: EscalationDeps
}

export function buildStrategies(deps: StrategyDeps = {}): Strategies {
  return new Map<string, Strategy>([
    ['/Namespace', namespaceStrategy],
    ['/Pod', podStrategy],
    ['/Node', nodeStrategy],
    ['/Service', serviceStrategy(deps.serviceIPs)],
    ['/Endpoints', endpointsStrategy],
    ['/Event', eventStrategy],
    ['/LimitRange', limitRangeStrategy],
    ['/ReplicationController', replicationControllerStrategy],
    ['apps/Deployment', deploymentStrategy],
    ['apps/ReplicaSet', replicaSetStrategy],
    ['apps/DaemonSet', daemonSetStrategy],
    ['apps/StatefulSet', statefulSetStrategy],
    ['apps/ControllerRevision', controllerRevisionStrategy],
    ['coordination.k8s.io/Lease', leaseStrategy],
    ['networking.k8s.io/Ingress', ingressStrategy],
    ['policy/PodDisruptionBudget', podDisruptionBudgetStrategy],
    ...rbacStrategies('rbac.authorization.k8s.io', deps.escalation),
    ['autoscaling/HorizontalPodAutoscaler', horizontalPodAutoscalerStrategy],
    ['apiregistration.k8s.io/APIService', apiServiceStrategy],
  ])
}
