// NodeRestriction admission: a kubelet (user `system:node:<name>`) may only change its own Node
// object and its Lease (kube-node-lease/<name>), only create mirror pods bound to itself, and only delete, evict or update
// the status of pods bound to itself. Together with the Node authorizer this is what keeps one
// node from touching another's objects. A node may not steer workloads to itself either: it may
// not set or change labels under `node-restriction.kubernetes.io/`, nor `kubernetes.io/` and
// `k8s.io/` labels other than the ones kubelets own (hostname, os, arch, zone, region, instance
// type, `kubelet.kubernetes.io/*`, `node.kubernetes.io/*`), nor change its taints.
// Mirrors plugin/pkg/admission/noderestriction (admitNode, getForbiddenLabels, messages
// included) and k8s.io/kubelet/pkg/apis IsKubeletLabel.
// Simplifies: no checks of node configSource, of service account tokens or of resource claims.

import { forbidden } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import type { AdmissionAttributes, AdmissionReader, ValidatingAdmissionPlugin } from '../admission.js'

export const NAME = 'NodeRestriction'
const NODE_LEASE_NAMESPACE = 'kube-node-lease'
const MIRROR = 'kubernetes.io/config.mirror'

export function nodeNameOf(user: { name: string; groups: string[] }): string | undefined {
  if (!user.groups.includes('system:nodes') || !user.name.startsWith('system:node:')) return undefined
  return user.name.slice('system:node:'.length)
}

const podNode = (o: KObject | undefined): string | undefined => (o as { spec?: { nodeName?: string } } | undefined)?.spec?.nodeName

/** Labels a kubelet sets on its own Node (k8s.io/kubelet/pkg/apis well_known_labels.go). */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
])
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io']
const NODE_RESTRICTION_NAMESPACE = 'node-restriction.kubernetes.io'

function labelNamespace(key: string): string {
  const slash = key.indexOf('/')
  return slash < 0 ? '' : key.slice(0, slash)
}

const inNamespace = (ns: string, domain: string): boolean => ns === domain || ns.endsWith(`.${domain}`)

export function isKubeletLabel(key: string): boolean {
  return KUBELET_LABELS.has(key) || KUBELET_LABEL_NAMESPACES.some((d) => inNamespace(labelNamespace(key), d))
}

/** Keys added, removed or changed between two label maps (upstream getModifiedLabels). */
export function modifiedLabels(next: Record<string, string> | undefined, old: Record<string, string> | undefined): string[] {
  const a = next ?? {}
  const b = old ?? {}
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  return [...keys].filter((k) => !(k in a) || !(k in b) || a[k] !== b[k])
}

/** The modified labels a node may not touch, sorted (upstream getForbiddenLabels). */
export function forbiddenLabels(modified: readonly string[]): string[] {
  return modified
    .filter((k) => {
      const ns = labelNamespace(k)
      if (inNamespace(ns, NODE_RESTRICTION_NAMESPACE)) return true
      return (inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io')) && !isKubeletLabel(k)
    })
    .sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
}

/** A node's taints as equality.Semantic compares them (a missing list is an empty one). */
function canonicalTaints(o: KObject | undefined): string {
  const taints = (o as { spec?: { taints?: Record<string, unknown>[] | null } } | undefined)?.spec?.taints ?? []
  return JSON.stringify(
    taints.map((t) =>
      Object.keys(t)
        .sort()
        .map((k) => [k, t[k]]),
    ),
  )
}

export class NodeRestriction implements ValidatingAdmissionPlugin {
  readonly name = NAME

  handles(a: AdmissionAttributes): boolean {
    if (nodeNameOf(a.user) === undefined) return false
    const key = `${a.resource.group}/${a.resource.resource}`
    return key === '/nodes' || key === '/pods' || key === 'coordination.k8s.io/leases'
  }

  async validate(a: AdmissionAttributes, reader: AdmissionReader): Promise<void> {
    const node = nodeNameOf(a.user)!
    const gr = { group: a.resource.group, resource: a.resource.resource }
    const deny = (why: string): never => {
      throw forbidden(gr, a.name || undefined, why)
    }
    switch (a.resource.resource) {
      case 'nodes': {
        const requested = a.name || a.object?.metadata?.name || ''
        if (requested !== node) deny(`node "${node}" is not allowed to modify node "${requested}"`)
        if (a.operation === 'CREATE') {
          const labels = forbiddenLabels(modifiedLabels(a.object?.metadata?.labels, undefined))
          if (labels.length) deny(`node "${node}" is not allowed to set the following labels: ${labels.join(', ')}`)
        }
        if (a.operation === 'UPDATE') {
          if (canonicalTaints(a.object) !== canonicalTaints(a.oldObject)) deny(`node "${node}" is not allowed to modify taints`)
          const labels = forbiddenLabels(modifiedLabels(a.object?.metadata?.labels, a.oldObject?.metadata?.labels))
          if (labels.length) deny(`is not allowed to modify labels: ${labels.join(', ')}`)
        }
        return
      }
      case 'leases': {
        if (a.namespace !== NODE_LEASE_NAMESPACE) deny(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`)
        // a create carries the name in the object, every other verb in the URL
        const lease = a.operation === 'CREATE' ? a.object?.metadata?.name : a.name
        if (lease !== node) deny('can only access node lease with the same name as the requesting node')
        return
      }
      case 'pods': {
        if (a.subresource === 'status') {
          if (podNode(a.oldObject) !== node) deny(`node "${node}" can only update pod status for pods with spec.nodeName set to itself`)
          return
        }
        if (a.subresource === 'eviction') {
          const pod = await reader.get('', 'pods', a.namespace, a.name)
          if (podNode(pod) !== node) deny(`node "${node}" can only evict pods with spec.nodeName set to itself`)
          return
        }
        if (a.operation === 'CREATE' && !a.subresource) {
          if (a.object?.metadata?.annotations?.[MIRROR] === undefined)
            deny(`pod does not have "${MIRROR}" annotation, node "${node}" can only create mirror pods`)
          if (podNode(a.object) !== node) deny(`node "${node}" can only create pods with spec.nodeName set to itself`)
          return
        }
        if (a.operation === 'DELETE' && podNode(a.oldObject) !== node) deny(`node "${node}" can only delete pods with spec.nodeName set to itself`)
        return
      }
    }
  }
}
