// The Kubernetes kinds that scenarios name in prose ("the deployment", "the replica set"),
// with their apiVersion, kind and REST plural: public API facts, the same on every cluster.

export interface KindRef {
  apiVersion: string
  kind: string
  plural: string
  namespaced: boolean
}

const KINDS: KindRef[] = [
  { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  { apiVersion: 'v1', kind: 'Node', plural: 'nodes', namespaced: false },
  { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { apiVersion: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true },
  { apiVersion: 'v1', kind: 'Event', plural: 'events', namespaced: true },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { apiVersion: 'v1', kind: 'LimitRange', plural: 'limitranges', namespaced: true },
  { apiVersion: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true },
  { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', plural: 'leases', namespaced: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', plural: 'ingresses', namespaced: true },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', plural: 'roles', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true },
]

/** Lower-case, space-free spellings: "replica set", "ReplicaSet", "replicasets", "hpa" all work. */
const ALIASES: Record<string, string> = { hpa: 'HorizontalPodAutoscaler', pdb: 'PodDisruptionBudget', ns: 'Namespace' }

const byWord = new Map<string, KindRef>()
for (const k of KINDS) {
  byWord.set(k.kind.toLowerCase(), k)
  byWord.set(k.plural, k)
}
for (const [alias, kind] of Object.entries(ALIASES))
  byWord.set(
    alias,
    KINDS.find((k) => k.kind === kind)!,
  )

/** Resolves a kind as written in a step; throws with the known kinds when it is not one. */
export function kindRef(word: string): KindRef {
  const w = word.toLowerCase().replace(/[\s-]/g, '')
  const k = byWord.get(w) ?? byWord.get(w.replace(/s$/, ''))
  if (!k) throw new Error(`unknown kind "${word}"; known kinds: ${KINDS.map((x) => x.kind).join(', ')}`)
  return k
}

/** The regular expression behind the {kind} parameter type. */
export const KIND_PATTERN = new RegExp(
  '(?:' +
    [...KINDS.flatMap((k) => [k.kind.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase(), k.kind.toLowerCase()]), ...Object.keys(ALIASES)]
      .sort((a, b) => b.length - a.length)
      .join('|') +
    ')s?',
)

export function allKinds(): readonly KindRef[] {
  return KINDS
}

/** The REST path of a kind's collection in a namespace (where a create is POSTed). */
export function collectionPath(kind: KindRef, namespace: string): string {
  const group = kind.apiVersion.includes('/') ? `/apis/${kind.apiVersion}` : `/api/${kind.apiVersion}`
  return `${group}${kind.namespaced ? `/namespaces/${namespace}` : ''}/${kind.plural}`
}
