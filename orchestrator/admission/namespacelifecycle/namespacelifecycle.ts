// NamespaceLifecycle admission: no new objects in a namespace that does not exist or is being
// terminated, and the system namespaces cannot be deleted. Mirrors upstream's
// plugin/pkg/admission/namespace/lifecycle (messages included): the namespace is read from the
// API server's namespace cache (upstream's lister), read live when the cache does not hold it
// (a namespace created a moment ago through another API server), and read live for a while
// (forceLiveLookupTTL, 30 s) after a delete of it was admitted here, while the cache still says
// Active; a Terminating namespace in the cache is refused without a live read.
// It runs first, in the mutating phase (upstream's Lifecycle implements Admit and leads
// AllOrderedPlugins), so a create into a missing namespace is 404 NotFound before any other
// plugin (ServiceAccount would say its ServiceAccount is missing) looks at it.
// Simplifies: no wait for the cache to sync at startup (an unsynced cache is a miss, so the
// namespace is read live); the force-live-lookup set is a map of expiry times, not an LRU.

import { forbidden, notFound } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import type { AdmissionAttributes, AdmissionReader, MutatingAdmissionPlugin } from '../admission.js'

export const NAME = 'NamespaceLifecycle'
const IMMORTAL = new Set(['default', 'kube-system', 'kube-public'])
/** Upstream forceLiveLookupTTL. */
export const FORCE_LIVE_LOOKUP_TTL_MS = 30_000
const FORCE_LIVE_LOOKUP_ENTRIES = 1000

function terminating(ns: KObject): boolean {
  return (ns as { status?: { phase?: string } }).status?.phase === 'Terminating' || Boolean(ns.metadata?.deletionTimestamp)
}

export class NamespaceLifecycle implements MutatingAdmissionPlugin {
  readonly name = NAME
  /** Namespaces whose delete was admitted here, until when their cached Active state is not trusted. */
  private readonly forceLiveLookup = new Map<string, number>()

  constructor(
    private readonly forceLiveLookupTtlMs = FORCE_LIVE_LOOKUP_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  handles(a: AdmissionAttributes): boolean {
    if (a.operation === 'DELETE') return a.resource.resource === 'namespaces' && !a.resource.group
    return a.operation === 'CREATE' && a.resource.namespaced
  }

  async admit(a: AdmissionAttributes, reader: AdmissionReader): Promise<void> {
    const gr = { group: a.resource.group, resource: a.resource.resource }
    if (a.operation === 'DELETE') {
      if (IMMORTAL.has(a.name)) throw forbidden(gr, a.name, 'this namespace may not be deleted')
      // the cache may say Active a moment longer: creates into it read it live for a while
      this.forceLiveLookup.delete(a.name)
      this.forceLiveLookup.set(a.name, this.now() + this.forceLiveLookupTtlMs)
      if (this.forceLiveLookup.size > FORCE_LIVE_LOOKUP_ENTRIES) this.forceLiveLookup.delete(this.forceLiveLookup.keys().next().value!)
      return
    }
    let ns = reader.cachedNamespace(a.namespace)
    if (!ns || (!terminating(ns) && this.forced(a.namespace))) ns = await reader.get('', 'namespaces', '', a.namespace)
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, a.namespace)
    // Events may still be written into a terminating namespace, as upstream allows.
    if (terminating(ns) && !(a.resource.resource === 'events' && !a.resource.group)) {
      throw forbidden(gr, a.name, `unable to create new content in namespace ${a.namespace} because it is being terminated`)
    }
  }

  private forced(namespace: string): boolean {
    const until = this.forceLiveLookup.get(namespace)
    if (until === undefined) return false
    if (until > this.now()) return true
    this.forceLiveLookup.delete(namespace)
    return false
  }
}
