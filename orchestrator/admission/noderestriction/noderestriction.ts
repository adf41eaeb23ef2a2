// NodeRestriction admission: a kubelet (user `system:node:<name>`) may only change its own Node
// object and its Lease (kube-node-lease/<name>), only create mirror pods bound to itself, and only delete, evict or update
// the status of pods bound to itself. Together with the Node authorizer this is what keeps one
// node from touching another's objects. Mirrors plugin/pkg/admission/noderestriction (messages
// included).
// Simplifies: no checks of node labels, of service account tokens or of resource claims.

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
          if (a.object?.metadata?.annotations?.[MIRROR] === undefined) deny(`pod does not have "${MIRROR}" annotation, node "${node}" can only create mirror pods`)
          if (podNode(a.object) !== node) deny(`node "${node}" can only create pods with spec.nodeName set to itself`)
          return
        }
        if (a.operation === 'DELETE' && podNode(a.oldObject) !== node) deny(`node "${node}" can only delete pods with spec.nodeName set to itself`)
        return
      }
    }
  }
}
