// Who wrote what, read from the API server's audit log (audit.k8s.io/v1 events, one JSON
// line each, in the order requests completed): every write request that succeeded, with the
// authenticated user, the verb and the object (resource, subresource, namespace, name). The
// components under test cannot write this file and it does not depend on the request trace, so
// "only X wrote Y" is checked against what the API server accepted, not against what X says.
// The events come from the session's audit source (Session.audit): the built-in cluster's log,
// or a cluster target's configured log from where it stood when the scenario began.

import { actingUser, readAuditLog, type AuditEvent, type AuditEventSource } from './audit.js'
import type { Session } from './targets/target.js'

export const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection'])

export interface Write {
  /** Position in the audit log (completion order). */
  index: number
  auditID: string
  user: string
  verb: string
  resource: string
  subresource?: string
  apiGroup?: string
  namespace?: string
  name?: string
  code: number
}

/** The scenario's audit events (capability `audit`); a scenario that did not ask for them is a mistake in the feature. */
export async function auditEventsOf(session: Session): Promise<AuditEvent[]> {
  if (!session.audit) throw new Error('this scenario has no audit events: add "Given the API server writes an audit log" (and the @audit tag)')
  return session.audit.readAuditLog()
}

/** The successful writes of an audit log (a file, or a source such as Session.audit), oldest first. */
export async function successfulWrites(from: string | AuditEventSource): Promise<Write[]> {
  const out: Write[] = []
  for (const e of await readAuditLog(from)) {
    const code = e.responseStatus?.code ?? 0
    if (e.stage !== 'ResponseComplete' || !WRITE_VERBS.has(e.verb) || code < 200 || code >= 300 || !e.objectRef?.resource) continue
    const r = e.objectRef
    out.push({
      index: out.length,
      auditID: e.auditID,
      user: actingUser(e),
      verb: e.verb,
      resource: r.resource!,
      subresource: r.subresource,
      apiGroup: r.apiGroup,
      namespace: r.namespace,
      name: r.name,
      code,
    })
  }
  return out
}

/** `pods/binding`, `leases`: what a write was about, as scenarios name it. */
export function writeTarget(w: Pick<Write, 'resource' | 'subresource'>): string {
  return w.subresource ? `${w.resource}/${w.subresource}` : w.resource
}

export function describeWrite(w: Write): string {
  return `#${w.index} ${w.user}: ${w.verb} ${writeTarget(w)} ${w.namespace ? `${w.namespace}/` : ''}${w.name ?? ''} (${w.code})`
}

/** The writes about one object (`pods` with any subresource, or `pods/binding` only). */
export function writesOf(writes: readonly Write[], target: string, namespace: string, name: string): Write[] {
  const [resource, subresource] = target.split('/')
  return writes.filter(
    (w) => w.resource === resource && (subresource === undefined || w.subresource === subresource) && w.namespace === namespace && w.name === name,
  )
}

/** A component under leader election renews its Lease in kube-system; that write is its own business. */
export function isLeaderElectionLease(w: Write): boolean {
  return w.resource === 'leases' && w.apiGroup === 'coordination.k8s.io' && w.namespace === 'kube-system' && !w.subresource
}
