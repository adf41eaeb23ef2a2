// The in-tree plugin registry (name -> factory) and the default profile: which plugins run,
// in upstream's default order, with upstream's score weights (TaintToleration 3, NodeAffinity
// 2, InterPodAffinity 2, NodeResourcesFit 1, NodeResourcesBalancedAllocation 1).
// Mirrors pkg/scheduler/framework/plugins/registry.go and apis/config/v1/default_plugins.go,
// without the volume, topology-spread, image-locality and preemption plugins.
// To add a plugin: a folder under plugins/, a factory here, and its name in DEFAULT_PROFILE.

import type { ProfileConfig, Registry } from '../framework/runtime.js'
import { DefaultBinder, NAME as DEFAULT_BINDER } from './defaultbinder/defaultbinder.js'
import { InterPodAffinity, NAME as INTER_POD_AFFINITY } from './interpodaffinity/interpodaffinity.js'
import { NodeAffinity, NAME as NODE_AFFINITY } from './nodeaffinity/nodeaffinity.js'
import { NodeName, NAME as NODE_NAME } from './nodename/nodename.js'
import { NodePorts, NAME as NODE_PORTS } from './nodeports/nodeports.js'
import { BALANCED_NAME, FIT_NAME, NodeResourcesBalancedAllocation, NodeResourcesFit } from './noderesources/fit.js'
import { NodeUnschedulable, NAME as NODE_UNSCHEDULABLE } from './nodeunschedulable/nodeunschedulable.js'
import { TaintToleration, NAME as TAINT_TOLERATION } from './tainttoleration/tainttoleration.js'

export const IN_TREE_REGISTRY: Registry = {
  [NODE_UNSCHEDULABLE]: () => new NodeUnschedulable(),
  [NODE_NAME]: () => new NodeName(),
  [TAINT_TOLERATION]: () => new TaintToleration(),
  [NODE_AFFINITY]: () => new NodeAffinity(),
  [NODE_PORTS]: () => new NodePorts(),
  [FIT_NAME]: () => new NodeResourcesFit(),
  [INTER_POD_AFFINITY]: ({ handle }) => new InterPodAffinity(handle),
  [BALANCED_NAME]: () => new NodeResourcesBalancedAllocation(),
  [DEFAULT_BINDER]: ({ client }) => new DefaultBinder(client),
}

export const DEFAULT_PROFILE: ProfileConfig = {
  schedulerName: 'default-scheduler',
  plugins: [
    { name: NODE_UNSCHEDULABLE },
    { name: NODE_NAME },
    { name: TAINT_TOLERATION, weight: 3 },
    { name: NODE_AFFINITY, weight: 2 },
    { name: NODE_PORTS },
    { name: FIT_NAME, weight: 1 },
    { name: INTER_POD_AFFINITY, weight: 2 },
    { name: BALANCED_NAME, weight: 1 },
    { name: DEFAULT_BINDER },
  ],
}
