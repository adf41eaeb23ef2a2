// The RBAC objects every cluster starts with, as upstream's bootstrap policy
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go and controller_policy.go), written
// by the API server at start-up so they are visible through the API (upstream's
// rbac/bootstrap-roles post-start hook). Labelled `kubernetes.io/bootstrapping: rbac-defaults`.
// The metrics-server addon's roles (system:metrics-server, system:aggregated-metrics-reader) are
// written here too, as the addon's manifest would at install time.
// admin, edit and view are aggregated ClusterRoles, as upstream's: written with an
// aggregationRule and no rules, filled by the clusterrole-aggregation controller from the
// ClusterRoles labelled `rbac.authorization.k8s.io/aggregate-to-<role>` (system:aggregate-to-admin,
// -edit, -view, and edit into admin, view into edit, the metrics reader into all three); until
// the controller has run they grant nothing, as upstream's do.
// Simplifies: the controller manager runs every controller under one identity, so its role is
// the union of upstream's per-controller roles; storage, certificates and batch rules of
// upstream are left out where no OCK component uses them.

import type { KObject } from '../../api/meta.js'
import type { PolicyRule, Subject } from './rbac.js'

const READ = ['get', 'list', 'watch']
const READ_WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection']
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection']

function rule(verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule {
  const r: PolicyRule = { verbs, apiGroups, resources }
  if (resourceNames) r.resourceNames = resourceNames
  return r
}

function urls(verbs: string[], nonResourceURLs: string[]): PolicyRule {
  return { verbs, nonResourceURLs }
}

const EVENTS: PolicyRule[] = [rule(['create', 'update', 'patch'], [''], ['events']), rule(['create', 'update', 'patch'], ['events.k8s.io'], ['events'])]

/** What a kubelet may do (upstream NodeRules); the Node authorizer narrows it to its own objects. */
export const NODE_RULES: PolicyRule[] = [
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
  rule(READ, [''], ['services']),
  rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
  rule(['update', 'patch'], [''], ['nodes/status']),
  rule(['update', 'patch'], [''], ['nodes']),
  rule(['create', 'update', 'patch'], [''], ['events']),
  rule(READ, [''], ['pods']),
  rule(['create', 'delete'], [''], ['pods']),
  rule(['update', 'patch'], [''], ['pods/status']),
  rule(['create'], [''], ['pods/eviction']),
  rule(['get', 'list', 'watch'], [''], ['secrets', 'configmaps']),
  rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
  rule(['get'], [''], ['endpoints']),
  rule(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
  rule(['get', 'list', 'watch'], ['node.k8s.io'], ['runtimeclasses']),
  rule(['create'], [''], ['serviceaccounts/token']),
]

const VIEW: PolicyRule[] = [
  rule(
    READ,
    [''],
    [
      'pods',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'serviceaccounts',
      'services',
      'services/status',
      'endpoints',
      'persistentvolumeclaims',
      'persistentvolumeclaims/status',
      'configmaps',
    ],
  ),
  rule(
    READ,
    [''],
    [
      'limitranges',
      'resourcequotas',
      'bindings',
      'events',
      'pods/status',
      'resourcequotas/status',
      'namespaces/status',
      'replicationcontrollers/status',
      'pods/log',
    ],
  ),
  rule(READ, [''], ['namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(
    READ,
    ['apps'],
    [
      'controllerrevisions',
      'statefulsets',
      'statefulsets/scale',
      'statefulsets/status',
      'daemonsets',
      'daemonsets/status',
      'deployments',
      'deployments/scale',
      'deployments/status',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
    ],
  ),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
]

const EDIT: PolicyRule[] = [
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
  rule(['create'], [''], ['pods/eviction']),
  rule(
    WRITE,
    [''],
    ['replicationcontrollers', 'replicationcontrollers/scale', 'services', 'services/proxy', 'endpoints', 'persistentvolumeclaims', 'configmaps', 'secrets'],
  ),
  rule(READ, [''], ['secrets']),
  rule(WRITE, [''], ['serviceaccounts']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(
    WRITE,
    ['apps'],
    ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale'],
  ),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule(WRITE, ['coordination.k8s.io'], ['leases']),
  rule(READ, ['coordination.k8s.io'], ['leases']),
]

const ADMIN: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule(READ_WRITE, ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
]

/**
 * kube-controller-manager runs every controller as system:kube-controller-manager, so this is
 * the union of upstream's per-controller roles (namespace, serviceaccount, deployment,
 * replicaset, garbage collector, resourcequota, node lifecycle and IPAM, endpoints, disruption,
 * horizontal pod autoscaler), plus its leader-election lease and events.
 */
const CONTROLLER_MANAGER: PolicyRule[] = [
  ...EVENTS,
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  // garbage collector and resource quota: read everything, remove or orphan dependents
  rule(['get', 'list', 'watch', 'patch', 'update', 'delete'], ['*'], ['*']),
  // namespace controller
  rule(['delete', 'deletecollection'], ['*'], ['*']),
  rule(['update'], [''], ['namespaces/finalize', 'namespaces/status']),
  // serviceaccount controller
  rule(['create'], [''], ['serviceaccounts']),
  // deployment and replicaset controllers
  rule(['create', 'update', 'patch'], ['apps'], ['replicasets', 'deployments']),
  rule(['update'], ['apps'], ['deployments/status', 'deployments/finalizers', 'replicasets/status', 'replicasets/finalizers']),
  rule(['create', 'patch', 'update'], [''], ['pods']),
  // replication manager (the ReplicaSet controller over ReplicationControllers)
  rule(['update'], [''], ['replicationcontrollers/status', 'replicationcontrollers/finalizers']),
  // daemonset and statefulset controllers (and their rollout history)
  rule(['create', 'update', 'patch', 'delete'], ['apps'], ['controllerrevisions']),
  rule(['update'], ['apps'], ['daemonsets/status', 'daemonsets/finalizers', 'statefulsets/status', 'statefulsets/finalizers']),
  // node lifecycle and IPAM
  rule(['patch', 'update'], [''], ['nodes', 'nodes/status', 'pods/status']),
  rule(['create'], [''], ['pods/eviction']),
  // endpoints and endpoint slices
  rule(['create', 'update'], [''], ['endpoints', 'endpoints/restricted']),
  rule(['create', 'update'], ['discovery.k8s.io'], ['endpointslices']),
  // disruption and horizontal pod autoscaler
  rule(['update'], ['policy'], ['poddisruptionbudgets/status']),
  rule(['get', 'update'], ['*'], ['*/scale']),
  rule(['update'], ['autoscaling'], ['horizontalpodautoscalers/status']),
  rule(['list'], ['metrics.k8s.io'], ['pods']),
  // resource quota controller
  rule(['update'], [''], ['resourcequotas/status']),
  // clusterrole-aggregation controller: writes rules it does not hold itself
  rule(['escalate', 'get', 'list', 'watch', 'update', 'patch'], ['rbac.authorization.k8s.io'], ['clusterroles']),
]

const SCHEDULER: PolicyRule[] = [
  ...EVENTS,
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
  rule(READ, [''], ['nodes']),
  rule(['get', 'list', 'watch', 'delete'], [''], ['pods']),
  rule(['create'], [''], ['pods/binding', 'bindings']),
  rule(['patch', 'update'], [''], ['pods/status']),
  rule(READ, [''], ['services', 'replicationcontrollers']),
  rule(READ, ['apps', 'extensions'], ['replicasets']),
  rule(READ, ['apps'], ['statefulsets']),
  rule(READ, ['policy'], ['poddisruptionbudgets']),
  rule(READ, [''], ['persistentvolumeclaims', 'persistentvolumes']),
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  rule(READ, ['storage.k8s.io'], ['csinodes', 'csidrivers', 'csistoragecapacities', 'storageclasses']),
  rule(READ, [''], ['namespaces']),
]

const NODE_PROXIER: PolicyRule[] = [
  rule(['list', 'watch'], [''], ['services', 'endpoints']),
  rule(['get', 'list', 'watch'], [''], ['nodes']),
  rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
  ...EVENTS,
]

/** The kit's ingress controller (like ingress-nginx's ClusterRole): reads what it routes to, publishes its address. */
const INGRESS_CONTROLLER: PolicyRule[] = [
  rule(['get', 'list', 'watch'], [''], ['services', 'endpoints']),
  rule(['get', 'list', 'watch'], ['networking.k8s.io'], ['ingresses', 'ingressclasses']),
  rule(['update', 'patch'], ['networking.k8s.io'], ['ingresses/status']),
  rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
  ...EVENTS,
]

/** The metrics-server addon's role: read nodes and pods, scrape every kubelet's usage. */
const METRICS_SERVER: PolicyRule[] = [rule(['get'], [''], ['nodes/metrics']), rule(READ, [''], ['pods', 'nodes'])]

/** The metrics-server addon's reader role (upstream labels it to aggregate into view, edit and admin). */
const AGGREGATED_METRICS_READER: PolicyRule[] = [rule(READ, ['metrics.k8s.io'], ['pods', 'nodes'])]

const DISCOVERY_URLS = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/']
const PUBLIC_INFO_URLS = ['/healthz', '/livez', '/readyz', '/version', '/version/']

export const BOOTSTRAP_CLUSTER_ROLES: Record<string, PolicyRule[]> = {
  'cluster-admin': [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])],
  'system:aggregate-to-admin': ADMIN,
  'system:aggregate-to-edit': EDIT,
  'system:aggregate-to-view': VIEW,
  'system:discovery': [urls(['get'], DISCOVERY_URLS)],
  'system:basic-user': [
    rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
    rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
  ],
  'system:public-info-viewer': [urls(['get'], PUBLIC_INFO_URLS)],
  'system:kube-scheduler': SCHEDULER,
  'system:kube-controller-manager': CONTROLLER_MANAGER,
  'system:node': NODE_RULES,
  'system:node-proxier': NODE_PROXIER,
  'ock:ingress-controller': INGRESS_CONTROLLER,
  'system:metrics-server': METRICS_SERVER,
  'system:aggregated-metrics-reader': AGGREGATED_METRICS_READER,
}

export const AGGREGATE_TO = 'rbac.authorization.k8s.io/aggregate-to-'

/** The aggregated ClusterRoles: name -> the `aggregate-to-<x>` label their selector matches. */
export const AGGREGATED_CLUSTER_ROLES: Record<string, string> = { admin: 'admin', edit: 'edit', view: 'view' }

/** Labels of bootstrap ClusterRoles that aggregate into others (upstream policy.go). */
const AGGREGATION_LABELS: Record<string, string[]> = {
  edit: ['admin'],
  view: ['edit'],
  'system:aggregate-to-admin': ['admin'],
  'system:aggregate-to-edit': ['edit'],
  'system:aggregate-to-view': ['view'],
  'system:aggregated-metrics-reader': ['view', 'edit', 'admin'],
}

const group = (name: string): Subject => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name })
const user = (name: string): Subject => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name })
const serviceAccount = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', namespace, name })

/** ClusterRoleBinding name -> [ClusterRole, subjects]. system:node is bound by nobody: the Node authorizer applies it. */
export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: Record<string, [string, Subject[]]> = {
  'cluster-admin': ['cluster-admin', [group('system:masters')]],
  'system:discovery': ['system:discovery', [group('system:authenticated')]],
  'system:basic-user': ['system:basic-user', [group('system:authenticated')]],
  'system:public-info-viewer': ['system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]],
  'system:kube-scheduler': ['system:kube-scheduler', [user('system:kube-scheduler')]],
  'system:kube-controller-manager': ['system:kube-controller-manager', [user('system:kube-controller-manager')]],
  'system:node': ['system:node', []],
  'system:node-proxier': ['system:node-proxier', [user('system:kube-proxy')]],
  'ock:ingress-controller': ['ock:ingress-controller', [serviceAccount('kube-system', 'ingress-controller')]],
  'system:metrics-server': ['system:metrics-server', [serviceAccount('kube-system', 'metrics-server')]],
}

const META = (name: string) => ({
  name,
  labels: {
    'kubernetes.io/bootstrapping': 'rbac-defaults',
    ...Object.fromEntries((AGGREGATION_LABELS[name] ?? []).map((to) => [`${AGGREGATE_TO}${to}`, 'true'])),
  },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
})

/** The bootstrap objects, ClusterRoles first (a binding refers to its role). */
export function bootstrapObjects(): { resource: 'clusterroles' | 'clusterrolebindings'; object: KObject }[] {
  const out: { resource: 'clusterroles' | 'clusterrolebindings'; object: KObject }[] = []
  for (const [name, to] of Object.entries(AGGREGATED_CLUSTER_ROLES)) {
    const aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [`${AGGREGATE_TO}${to}`]: 'true' } }] }
    out.push({ resource: 'clusterroles', object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: META(name), aggregationRule } })
  }
  for (const [name, rules] of Object.entries(BOOTSTRAP_CLUSTER_ROLES)) {
    out.push({
      resource: 'clusterroles',
      object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: META(name), rules: structuredClone(rules) },
    })
  }
  for (const [name, [role, subjects]] of Object.entries(BOOTSTRAP_CLUSTER_ROLE_BINDINGS)) {
    const binding: KObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: META(name),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    }
    if (subjects.length) binding.subjects = subjects
    out.push({ resource: 'clusterrolebindings', object: binding })
  }
  return out
}
