// Typed views of the built-in kinds the components work with (Pod, Node, Deployment,
// ReplicaSet, Service, Endpoints, Event and their parts), from `kubernetes-models` (generated from the upstream
// OpenAPI). They are JSON shapes, not classes: objects travel as plain JSON between the API
// server and components, and these types only say which fields exist.
// Simplifies: each top-level kind is intersected with KObject so informers and clients accept it.

import type { IPod } from 'kubernetes-models/v1/Pod'
import type { INode } from 'kubernetes-models/v1/Node'
import type { IEvent } from 'kubernetes-models/v1/Event'
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import type { IReplicaSet } from 'kubernetes-models/apps/v1/ReplicaSet'
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet'
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet'
import type { IControllerRevision } from 'kubernetes-models/apps/v1/ControllerRevision'
import type { IService } from 'kubernetes-models/v1/Service'
import type { IEndpoints } from 'kubernetes-models/v1/Endpoints'
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import type { KObject } from './meta.js'

export type Pod = IPod & KObject
export type Node = INode & KObject
export type Event = IEvent & KObject
export type Deployment = IDeployment & KObject
export type ReplicaSet = IReplicaSet & KObject
export type DaemonSet = IDaemonSet & KObject
export type StatefulSet = IStatefulSet & KObject
export type ControllerRevision = IControllerRevision & KObject
export type Service = IService & KObject
export type Endpoints = IEndpoints & KObject
export type HorizontalPodAutoscaler = IHorizontalPodAutoscaler & KObject

export type { IPodSpec as PodSpec } from 'kubernetes-models/v1/PodSpec'
export type { IPodStatus as PodStatus } from 'kubernetes-models/v1/PodStatus'
export type { IPodCondition as PodCondition } from 'kubernetes-models/v1/PodCondition'
export type { IPodTemplateSpec as PodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec'
export type { IContainer as Container } from 'kubernetes-models/v1/Container'
export type { IContainerStatus as ContainerStatus } from 'kubernetes-models/v1/ContainerStatus'
export type { IContainerState as ContainerStateJson } from 'kubernetes-models/v1/ContainerState'
export type { INodeCondition as NodeCondition } from 'kubernetes-models/v1/NodeCondition'
export type { INodeStatus as NodeStatus } from 'kubernetes-models/v1/NodeStatus'
export type { ITaint as Taint } from 'kubernetes-models/v1/Taint'
export type { IToleration as Toleration } from 'kubernetes-models/v1/Toleration'
export type { IAffinity as Affinity } from 'kubernetes-models/v1/Affinity'
export type { INodeSelectorTerm as NodeSelectorTerm } from 'kubernetes-models/v1/NodeSelectorTerm'
export type { INodeSelectorRequirement as NodeSelectorRequirement } from 'kubernetes-models/v1/NodeSelectorRequirement'
export type { IPreferredSchedulingTerm as PreferredSchedulingTerm } from 'kubernetes-models/v1/PreferredSchedulingTerm'
export type { IPodAffinityTerm as PodAffinityTerm } from 'kubernetes-models/v1/PodAffinityTerm'
export type { IWeightedPodAffinityTerm as WeightedPodAffinityTerm } from 'kubernetes-models/v1/WeightedPodAffinityTerm'
export type { IObjectReference as ObjectReference } from 'kubernetes-models/v1/ObjectReference'
export type { IEndpointSubset as EndpointSubset } from 'kubernetes-models/v1/EndpointSubset'
export type { IEndpointAddress as EndpointAddress } from 'kubernetes-models/v1/EndpointAddress'
export type { IServicePort as ServicePort } from 'kubernetes-models/v1/ServicePort'
export type { IDeploymentCondition as DeploymentCondition } from 'kubernetes-models/apps/v1/DeploymentCondition'
export type { IHPAScalingRules as HPAScalingRules } from 'kubernetes-models/autoscaling/v2/HPAScalingRules'
export type { IHPAScalingPolicy as HPAScalingPolicy } from 'kubernetes-models/autoscaling/v2/HPAScalingPolicy'
export type { IMetricSpec as MetricSpec } from 'kubernetes-models/autoscaling/v2/MetricSpec'
export type { IMetricStatus as MetricStatus } from 'kubernetes-models/autoscaling/v2/MetricStatus'
export type { IHorizontalPodAutoscalerCondition as HorizontalPodAutoscalerCondition } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscalerCondition'
