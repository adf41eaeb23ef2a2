// The resource table: every kind the reference API server serves, with the facts discovery,
// routing, storage keys and kubectl need (group/version, plural, scope, short names, verbs,
// subresources). Mirrors what kube-apiserver registers for these groups; the storage prefixes
// follow upstream's etcd layout (/registry/pods/<ns>/<name>, /registry/deployments/<ns>/<name>).
// A kind may be served in several versions of its group (HorizontalPodAutoscaler in autoscaling/v2
// and autoscaling/v1): `version` is the one stored and preferred, `servedVersions` lists every
// served one, and the kind's strategy converts the others to and from the stored object
// (registry/conversion.ts), as upstream stores one version and converts on the way in and out.
// Simplifies: the preferred version of a group is its stored one; no CRDs.

export interface ResourceInfo {
  group: string
  /** The version objects are stored in, and the group's preferred version. */
  version: string
  /**
   * Every version served, preferred (stored) first; absent means only `version`. The strategy
   * has a conversion for each other one (Strategy.conversions). Read it with versionsOf().
   */
  servedVersions?: readonly string[]
  kind: string
  /** Lower-case plural, the REST path segment (`deployments`). */
  resource: string
  singular: string
  namespaced: boolean
  shortNames?: string[]
  categories?: string[]
  /** Subresources served under the object path (`status`, `binding`, `scale`, ...). */
  subresources: string[]
  /** Key prefix in the store, without namespace and name. */
  storagePrefix: string
  /** Top-level fields a plain update must not change because a subresource owns them. */
  statusOwnedBy?: 'status'
  /** Verbs served on the main resource. */
  verbs: string[]
  /** Create-only and never stored: the answer is computed from the request (access reviews). */
  ephemeral?: true
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

function r(group: string, version: string, kind: string, resource: string, namespaced: boolean, extra: Partial<ResourceInfo> = {}): ResourceInfo {
  return {
    group,
    version,
    kind,
    resource,
    singular: kind.toLowerCase(),
    namespaced,
    subresources: [],
    storagePrefix: `/registry/${resource}`,
    verbs: ALL_VERBS,
    ...extra,
  }
}

export const RESOURCES: readonly ResourceInfo[] = [
  r('', 'v1', 'Namespace', 'namespaces', false, {
    shortNames: ['ns'],
    subresources: ['status', 'finalize'],
    statusOwnedBy: 'status',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  r('', 'v1', 'Pod', 'pods', true, {
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'binding', 'eviction', 'log', 'exec'],
    statusOwnedBy: 'status',
  }),
  r('', 'v1', 'Node', 'nodes', false, {
    shortNames: ['no'],
    subresources: ['status'],
    statusOwnedBy: 'status',
    storagePrefix: '/registry/minions',
  }),
  r('', 'v1', 'Service', 'services', true, {
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status'],
    statusOwnedBy: 'status',
    storagePrefix: '/registry/services/specs',
  }),
  r('', 'v1', 'Endpoints', 'endpoints', true, { shortNames: ['ep'], singular: 'endpoints', storagePrefix: '/registry/services/endpoints' }),
  r('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  r('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  r('', 'v1', 'LimitRange', 'limitranges', true, { shortNames: ['limits'] }),
  r('', 'v1', 'ResourceQuota', 'resourcequotas', true, {
    shortNames: ['quota'],
    subresources: ['status'],
    statusOwnedBy: 'status',
  }),
  r('', 'v1', 'ReplicationController', 'replicationcontrollers', true, {
    shortNames: ['rc'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    statusOwnedBy: 'status',
    storagePrefix: '/registry/controllers',
  }),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'], subresources: ['token'] }),
  r('', 'v1', 'Secret', 'secrets', true),
  r('apps', 'v1', 'Deployment', 'deployments', true, {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    statusOwnedBy: 'status',
  }),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', true, {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    statusOwnedBy: 'status',
  }),
  r('apps', 'v1', 'DaemonSet', 'daemonsets', true, {
    shortNames: ['ds'],
    categories: ['all'],
    subresources: ['status'],
    statusOwnedBy: 'status',
  }),
  r('apps', 'v1', 'StatefulSet', 'statefulsets', true, {
    shortNames: ['sts'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    statusOwnedBy: 'status',
  }),
  r('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true),
  r('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  r('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, {
    shortNames: ['ing'],
    subresources: ['status'],
    statusOwnedBy: 'status',
  }),
  r('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, {
    shortNames: ['pdb'],
    subresources: ['status'],
    statusOwnedBy: 'status',
  }),
  r('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  r('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false, {}),
  // reviews: `kubectl auth can-i` and `kubectl auth whoami` ask the API server about the caller
  r('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, { verbs: ['create'], ephemeral: true, storagePrefix: '' }),
  r('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', false, { verbs: ['create'], ephemeral: true, storagePrefix: '' }),
  r('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', false, { verbs: ['create'], ephemeral: true, storagePrefix: '' }),
  r('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, {
    servedVersions: ['v2', 'v1'],
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: ['status'],
    statusOwnedBy: 'status',
  }),
  // the aggregation layer's registrations (API groups other servers serve, e.g. metrics.k8s.io)
  r('apiregistration.k8s.io', 'v1', 'APIService', 'apiservices', false, {
    categories: ['api-extensions'],
    subresources: ['status'],
    statusOwnedBy: 'status',
  }),
]

const byGroupResource = new Map<string, ResourceInfo>()
const byGroupKind = new Map<string, ResourceInfo>()
for (const info of RESOURCES) {
  byGroupResource.set(`${info.group}/${info.resource}`, info)
  byGroupKind.set(`${info.group}/${info.kind}`, info)
}

export function apiVersionOf(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group ? `${info.group}/${info.version}` : info.version
}

export function lookupResource(group: string, resource: string): ResourceInfo | undefined {
  return byGroupResource.get(`${group}/${resource}`)
}

export function lookupKind(group: string, kind: string): ResourceInfo | undefined {
  return byGroupKind.get(`${group}/${kind}`)
}

/** Parses `apps/v1` or `v1` into group and version. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/')
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) }
}

/** Every version a resource is served in, preferred (stored) first. */
export function versionsOf(info: Pick<ResourceInfo, 'version' | 'servedVersions'>): readonly string[] {
  return info.servedVersions ?? [info.version]
}

/** Whether the resource is served in that version. */
export function servesVersion(info: Pick<ResourceInfo, 'version' | 'servedVersions'>, version: string): boolean {
  return versionsOf(info).includes(version)
}

/**
 * Groups served, in discovery order: `version` is the preferred one, `versions` every served
 * one (preferred first, then in the order the resource table first names them).
 */
export function servedGroups(): { group: string; version: string; versions: string[] }[] {
  const seen = new Map<string, { group: string; version: string; versions: string[] }>()
  for (const info of RESOURCES) {
    const g = seen.get(info.group) ?? { group: info.group, version: info.version, versions: [] }
    seen.set(info.group, g)
    for (const v of versionsOf(info)) if (!g.versions.includes(v)) g.versions.push(v)
  }
  return [...seen.values()]
}

/** The resources served in one group version (the stored version's infos, whatever the version asked). */
export function resourcesIn(group: string, version: string): ResourceInfo[] {
  return RESOURCES.filter((r) => r.group === group && servesVersion(r, version))
}

/** The store key of one object: `<prefix>/<namespace>/<name>` or `<prefix>/<name>`. */
export function storageKey(info: ResourceInfo, namespace: string | undefined, name: string): string {
  return info.namespaced ? `${info.storagePrefix}/${namespace}/${name}` : `${info.storagePrefix}/${name}`
}

/** The key prefix that covers one namespace (or the whole resource when namespace is empty). */
export function storagePrefix(info: ResourceInfo, namespace?: string): string {
  return info.namespaced && namespace ? `${info.storagePrefix}/${namespace}/` : `${info.storagePrefix}/`
}
