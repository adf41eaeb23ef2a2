// The Kubernetes extensions of the OpenAPI definitions that kubernetes-models does not carry:
// how a list merges (x-kubernetes-list-type, x-kubernetes-list-map-keys), how a strategic merge
// patch treats it (x-kubernetes-patch-strategy, x-kubernetes-patch-merge-key), and structs that
// are replaced whole (x-kubernetes-map-type). They mirror the +listType, +listMapKey,
// +patchStrategy, +patchMergeKey and +structType markers of k8s.io/api and apimachinery at the
// served version, which kube-openapi copies into /openapi/v2 and /openapi/v3.
// Simplifies: the fields of the definitions the served kinds reach; a list upstream leaves
// unmarked, or marks in a definition the kit does not serve, has no entry.

import type { Schema } from './declarations.js'

interface FieldExtensions {
  /** x-kubernetes-list-type: atomic, set or map (with its keys). */
  list?: 'atomic' | 'set' | { map: string[] }
  /** x-kubernetes-patch-strategy and, for merge, x-kubernetes-patch-merge-key. */
  patch?: { strategy: 'merge' | 'merge,retainKeys' | 'retainKeys'; key?: string }
}

const atomic: FieldExtensions = { list: 'atomic' }
const mapBy = (...keys: string[]): FieldExtensions => ({ list: { map: keys } })
const merged = (key: string, list: FieldExtensions['list'] = { map: [key] }, strategy: 'merge' | 'merge,retainKeys' = 'merge'): FieldExtensions => ({
  list,
  patch: { strategy, key },
})
/** Conditions of a status: merged by type, a map keyed by type. */
const conditions = merged('type')

const CORE = 'io.k8s.api.core.v1'
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1'

const container: Record<string, FieldExtensions> = {
  args: atomic,
  command: atomic,
  env: merged('name'),
  envFrom: atomic,
  ports: merged('containerPort', { map: ['containerPort', 'protocol'] }),
  resizePolicy: atomic,
  volumeDevices: merged('devicePath'),
  volumeMounts: merged('mountPath'),
}

/** Field extensions by definition, then field. */
export const FIELD_EXTENSIONS: Record<string, Record<string, FieldExtensions>> = {
  [`${META}.ObjectMeta`]: {
    finalizers: { list: 'set', patch: { strategy: 'merge' } },
    managedFields: atomic,
    ownerReferences: merged('uid'),
  },
  [`${META}.LabelSelector`]: { matchExpressions: atomic },
  [`${META}.LabelSelectorRequirement`]: { values: atomic },
  [`${META}.StatusDetails`]: { causes: atomic },
  [`${CORE}.PodSpec`]: {
    containers: merged('name'),
    ephemeralContainers: merged('name'),
    hostAliases: merged('ip'),
    imagePullSecrets: merged('name'),
    initContainers: merged('name'),
    readinessGates: atomic,
    resourceClaims: merged('name', { map: ['name'] }, 'merge,retainKeys'),
    schedulingGates: merged('name'),
    tolerations: atomic,
    topologySpreadConstraints: merged('topologyKey', { map: ['topologyKey', 'whenUnsatisfiable'] }),
    volumes: merged('name', { map: ['name'] }, 'merge,retainKeys'),
  },
  [`${CORE}.Container`]: container,
  [`${CORE}.EphemeralContainer`]: container,
  [`${CORE}.PodStatus`]: {
    conditions,
    containerStatuses: atomic,
    ephemeralContainerStatuses: atomic,
    hostIPs: merged('ip', 'atomic'),
    initContainerStatuses: atomic,
    podIPs: merged('ip'),
    resourceClaimStatuses: merged('name', { map: ['name'] }, 'merge,retainKeys'),
  },
  [`${CORE}.PodDNSConfig`]: { nameservers: atomic, options: atomic, searches: atomic },
  [`${CORE}.HostAlias`]: { hostnames: atomic },
  [`${CORE}.PodSecurityContext`]: { supplementalGroups: atomic, sysctls: atomic },
  [`${CORE}.Capabilities`]: { add: atomic, drop: atomic },
  [`${CORE}.ResourceRequirements`]: { claims: mapBy('name') },
  [`${CORE}.ExecAction`]: { command: atomic },
  [`${CORE}.HTTPGetAction`]: { httpHeaders: atomic },
  [`${CORE}.NodeSelector`]: { nodeSelectorTerms: atomic },
  [`${CORE}.NodeSelectorTerm`]: { matchExpressions: atomic, matchFields: atomic },
  [`${CORE}.NodeSelectorRequirement`]: { values: atomic },
  [`${CORE}.NodeAffinity`]: { preferredDuringSchedulingIgnoredDuringExecution: atomic },
  [`${CORE}.PodAffinity`]: { preferredDuringSchedulingIgnoredDuringExecution: atomic, requiredDuringSchedulingIgnoredDuringExecution: atomic },
  [`${CORE}.PodAntiAffinity`]: { preferredDuringSchedulingIgnoredDuringExecution: atomic, requiredDuringSchedulingIgnoredDuringExecution: atomic },
  [`${CORE}.PodAffinityTerm`]: { matchLabelKeys: atomic, mismatchLabelKeys: atomic, namespaces: atomic },
  [`${CORE}.TopologySpreadConstraint`]: { matchLabelKeys: atomic },
  [`${CORE}.ConfigMapVolumeSource`]: { items: atomic },
  [`${CORE}.SecretVolumeSource`]: { items: atomic },
  [`${CORE}.ProjectedVolumeSource`]: { sources: atomic },
  [`${CORE}.ConfigMapProjection`]: { items: atomic },
  [`${CORE}.SecretProjection`]: { items: atomic },
  [`${CORE}.DownwardAPIVolumeSource`]: { items: atomic },
  [`${CORE}.DownwardAPIProjection`]: { items: atomic },
  [`${CORE}.ServiceSpec`]: {
    clusterIPs: atomic,
    externalIPs: atomic,
    ipFamilies: atomic,
    loadBalancerSourceRanges: atomic,
    ports: merged('port', { map: ['port', 'protocol'] }),
  },
  [`${CORE}.ServiceStatus`]: { conditions },
  [`${CORE}.LoadBalancerStatus`]: { ingress: atomic },
  [`${CORE}.LoadBalancerIngress`]: { ports: atomic },
  [`${CORE}.NodeSpec`]: { podCIDRs: { list: 'set', patch: { strategy: 'merge' } }, taints: atomic },
  [`${CORE}.NodeStatus`]: {
    addresses: merged('type'),
    conditions,
    images: atomic,
    volumesAttached: atomic,
    volumesInUse: atomic,
  },
  [`${CORE}.ContainerImage`]: { names: atomic },
  [`${CORE}.NamespaceSpec`]: { finalizers: atomic },
  [`${CORE}.NamespaceStatus`]: { conditions },
  [`${CORE}.Endpoints`]: { subsets: atomic },
  [`${CORE}.EndpointSubset`]: { addresses: atomic, notReadyAddresses: atomic, ports: atomic },
  [`${CORE}.LimitRangeSpec`]: { limits: atomic },
  [`${CORE}.ScopeSelector`]: { matchExpressions: atomic },
  [`${CORE}.ScopedResourceSelectorRequirement`]: { values: atomic },
  [`${CORE}.ServiceAccount`]: { imagePullSecrets: atomic, secrets: { patch: { strategy: 'merge', key: 'name' } } },
  [`${CORE}.ReplicationControllerStatus`]: { conditions },
  [`io.k8s.api.apps.v1.DeploymentStatus`]: { conditions },
  [`io.k8s.api.apps.v1.StatefulSetSpec`]: { volumeClaimTemplates: atomic },
  [`io.k8s.api.apps.v1.StatefulSetStatus`]: { conditions },
  [`io.k8s.api.apps.v1.DaemonSetStatus`]: { conditions },
  [`io.k8s.api.batch.v1.JobStatus`]: { conditions: merged('type', 'atomic') },
  [`io.k8s.api.batch.v1.PodFailurePolicy`]: { rules: atomic },
  [`io.k8s.api.batch.v1.CronJobStatus`]: { active: atomic },
  [`io.k8s.api.apps.v1.ReplicaSetStatus`]: { conditions },
  [`io.k8s.api.policy.v1.PodDisruptionBudgetStatus`]: { conditions: merged('type') },
  [`io.k8s.api.networking.v1.IngressSpec`]: { rules: atomic, tls: atomic },
  [`io.k8s.api.networking.v1.IngressTLS`]: { hosts: atomic },
  [`io.k8s.api.networking.v1.HTTPIngressRuleValue`]: { paths: atomic },
  [`io.k8s.api.networking.v1.IngressLoadBalancerStatus`]: { ingress: atomic },
  [`io.k8s.api.networking.v1.IngressLoadBalancerIngress`]: { ports: atomic },
  [`io.k8s.api.rbac.v1.Role`]: { rules: atomic },
  [`io.k8s.api.rbac.v1.ClusterRole`]: { rules: atomic },
  [`io.k8s.api.rbac.v1.RoleBinding`]: { subjects: atomic },
  [`io.k8s.api.rbac.v1.ClusterRoleBinding`]: { subjects: atomic },
  [`io.k8s.api.rbac.v1.AggregationRule`]: { clusterRoleSelectors: atomic },
  [`io.k8s.api.rbac.v1.PolicyRule`]: { apiGroups: atomic, nonResourceURLs: atomic, resourceNames: atomic, resources: atomic, verbs: atomic },
  [`io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec`]: { metrics: atomic },
  [`io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus`]: { conditions, currentMetrics: atomic },
  [`io.k8s.api.autoscaling.v2.HPAScalingRules`]: { policies: atomic },
  [`io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIServiceStatus`]: { conditions },
  [`io.k8s.api.authorization.v1.SubjectRulesReviewStatus`]: { nonResourceRules: atomic, resourceRules: atomic },
  [`io.k8s.api.authorization.v1.ResourceRule`]: { apiGroups: atomic, resourceNames: atomic, resources: atomic, verbs: atomic },
  [`io.k8s.api.authorization.v1.NonResourceRule`]: { nonResourceURLs: atomic, verbs: atomic },
  [`io.k8s.api.authentication.v1.UserInfo`]: { groups: atomic },
}

/** Structs replaced whole by a merge (+structType=atomic / +mapType=atomic). */
export const ATOMIC_STRUCTS = new Set([
  `${CORE}.LocalObjectReference`,
  `${CORE}.ConfigMapKeySelector`,
  `${CORE}.SecretKeySelector`,
  `${CORE}.ObjectFieldSelector`,
  `${CORE}.ResourceFieldSelector`,
  `${CORE}.ConfigMapEnvSource`,
  `${CORE}.SecretEnvSource`,
  `${CORE}.NodeSelector`,
  `${CORE}.NodeSelectorTerm`,
  `${CORE}.TypedLocalObjectReference`,
  `${CORE}.ObjectReference`,
  `${CORE}.TopologySelectorTerm`,
  `${META}.LabelSelector`,
  `${META}.OwnerReference`,
])

/** The schema with the Kubernetes extensions of its fields added (a copy; the input is not changed). */
export function withExtensions(name: string, schema: Schema): Schema {
  const fields = FIELD_EXTENSIONS[name]
  const out: Schema = { ...schema }
  if (ATOMIC_STRUCTS.has(name)) out['x-kubernetes-map-type'] = 'atomic'
  if (!fields || !out.properties) return out
  const props = { ...(out.properties as Record<string, Schema>) }
  for (const [field, ext] of Object.entries(fields)) {
    const p = props[field]
    if (!p) continue
    const s: Schema = { ...p }
    if (ext.list) {
      s['x-kubernetes-list-type'] = typeof ext.list === 'string' ? ext.list : 'map'
      if (typeof ext.list === 'object') s['x-kubernetes-list-map-keys'] = ext.list.map
    }
    if (ext.patch) {
      if (ext.patch.key) s['x-kubernetes-patch-merge-key'] = ext.patch.key
      s['x-kubernetes-patch-strategy'] = ext.patch.strategy
    }
    props[field] = s
  }
  out.properties = props
  return out
}
