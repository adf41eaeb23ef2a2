// NamespaceLifecycle admission: no new objects in a namespace that does not exist or is being
// terminated, and the system namespaces cannot be deleted. Mirrors upstream's
// plugin/pkg/admission/namespace/lifecycle (messages included).
// Simplifies: no negative-lookup cache; reads the namespace on every create.

import { forbidden, notFound } from '../../api/errors.js'
import type { AdmissionAttributes, AdmissionReader, ValidatingAdmissionPlugin } from '../admission.js'

export const NAME = 'NamespaceLifecycle'
const IMMORTAL = new Set(['default', 'kube-system', 'kube-public'])

export class NamespaceLifecycle implements ValidatingAdmissionPlugin {
  readonly name = NAME

  handles(a: AdmissionAttributes): boolean {
    if (a.operation === 'DELETE') return a.resource.resource === 'namespaces' && !a.resource.group
    return a.operation === 'CREATE' && a.resource.namespaced
  }

  async validate(a: AdmissionAttributes, reader: AdmissionReader): Promise<void> {
    const gr = { group: a.resource.group, resource: a.resource.resource }
    if (a.operation === 'DELETE') {
      if (IMMORTAL.has(a.name)) throw forbidden(gr, a.name, 'this namespace may not be deleted')
      return
    }
    const ns = await reader.get('', 'namespaces', '', a.namespace)
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, a.namespace)
    const terminating = (ns as { status?: { phase?: string } }).status?.phase === 'Terminating' || ns.metadata?.deletionTimestamp
    // Events may still be written into a terminating namespace, as upstream allows.
    if (terminating && !(a.resource.resource === 'events' && !a.resource.group)) {
      throw forbidden(gr, a.name, `unable to create new content in namespace ${a.namespace} because it is being terminated`)
    }
  }
}
