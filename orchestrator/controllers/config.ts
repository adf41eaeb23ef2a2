// The controller manager's configuration: kube-controller-manager's flags that OCK models, with
// the timings of the controllers that take them. A file of its own so that the manager, which
// imports every controller, and the controllers, which read their part of it, do not import
// each other. Only types live here; each controller keeps its defaults beside its code.

export interface HPATimings {
  syncPeriodMs: number
  downscaleStabilizationMs: number
  tolerance: number
}

export interface NodeLifecycleTimings {
  /** --node-monitor-period: how often heartbeats are checked. */
  nodeMonitorPeriodMs: number
  /** --node-monitor-grace-period: silence after which a node is Ready=Unknown. */
  nodeMonitorGracePeriodMs: number
  /** --node-startup-grace-period: the same for a node that never posted a Ready condition. */
  nodeStartupGracePeriodMs: number
}

export interface ControllerManagerConfig {
  /** --cluster-cidr: pod addresses of the whole cluster (see cluster/network.ts). */
  clusterCIDR?: string
  /** --node-cidr-mask-size: the size of each node's pod CIDR. */
  nodeCIDRMaskSize?: number
  /** --allocate-node-cidrs: run the node IPAM controller. */
  allocateNodeCIDRs?: boolean
  /** --concurrent-deployment-syncs (5), --concurrent-replicaset-syncs (5), --concurrent-gc-syncs (20). */
  concurrentDeploymentSyncs?: number
  concurrentReplicaSetSyncs?: number
  /** --concurrent-rc-syncs (5): ReplicationControllers synced at once. */
  concurrentRCSyncs?: number
  concurrentGCSyncs?: number
  /** --concurrent-daemonset-syncs (2), --concurrent-statefulset-syncs (5). */
  concurrentDaemonSetSyncs?: number
  concurrentStatefulSetSyncs?: number
  /** --concurrent-endpoint-syncs (5). */
  concurrentEndpointSyncs?: number
  /** --horizontal-pod-autoscaler-sync-period, -downscale-stabilization, -tolerance (15 s, 5 min, 0.1). */
  horizontalPodAutoscaler?: Partial<HPATimings>
  /** --controllers: which to run (default: all of DEFAULT_CONTROLLERS). */
  controllers?: string[]
  /** --node-monitor-period, --node-monitor-grace-period, --node-startup-grace-period. */
  nodeLifecycle?: Partial<NodeLifecycleTimings>
}
