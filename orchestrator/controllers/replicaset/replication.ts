// The replication manager: keeps a ReplicationController's pods at spec.replicas. Mirrors
// pkg/controller/replication, which is the ReplicaSet controller run over ReplicationControllers
// converted to ReplicaSets (its conversion.go): here the same ReplicaSetController with a
// ReplicatedKind that reads an RC's equality-based selector as matchLabels. Pods get a
// controller reference to the RC (v1 ReplicationController), so the garbage collector deletes
// them with it. Events: SuccessfulCreate, SuccessfulDelete, FailedCreate, FailedDelete
// (component replication-controller). Flag: --concurrent-rc-syncs (5).

import type { KObject } from '../../api/meta.js'
import { lookupResource } from '../../api/resources.js'
import type { ReplicaSet } from '../../api/types.js'
import type { ControllerContext } from '../controller.js'
import { ReplicaSetController, type ReplicatedKind } from './replicaset.js'

/** A ReplicationController as a ReplicaSet: its selector map becomes matchLabels. */
export function replicationControllerAsReplicaSet(o: KObject): ReplicaSet {
  const spec = (o.spec ?? {}) as Record<string, unknown>
  const selector = spec.selector as Record<string, string> | undefined
  return { ...o, spec: { ...spec, selector: { matchLabels: { ...(selector ?? {}) } } } } as ReplicaSet
}

export const REPLICATION_CONTROLLERS: ReplicatedKind = {
  name: 'replication-controller',
  resource: lookupResource('', 'replicationcontrollers')!,
  apiVersion: 'v1',
  kind: 'ReplicationController',
  asReplicaSet: replicationControllerAsReplicaSet,
  workers: (config) => config.concurrentRCSyncs ?? 5,
}

/** Upstream NewReplicationManager. */
export function newReplicationManager(ctx: ControllerContext): ReplicaSetController {
  return new ReplicaSetController(ctx, REPLICATION_CONTROLLERS)
}
