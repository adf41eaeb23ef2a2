// Reading an API server's audit log (audit.k8s.io/v1 events, one JSON line each), as an operator
// reads /var/log/kubernetes/audit on a master: in an HA control plane every master's API server
// writes its own file, so which file an event is in says which API server handled the request.
// Or the same events as a webhook received them (support/auditwebhook.ts), from any API server.

import { readFile } from 'node:fs/promises'

export interface AuditEvent {
  auditID: string
  stage: string
  verb: string
  requestURI: string
  user: { username: string }
  userAgent?: string
  objectRef?: { resource?: string; name?: string; namespace?: string; subresource?: string }
  responseStatus?: { code: number; reason?: string }
  requestReceivedTimestamp: string
  /** When this stage was reached (ResponseComplete: the answer was sent). */
  stageTimestamp: string
  annotations?: Record<string, string>
}

/** Audit events from somewhere other than a file: the kit's webhook receiver (support/auditwebhook.ts). */
export interface AuditEventSource {
  /** Every event received so far, in the order the API server made them. */
  readAuditLog(): Promise<AuditEvent[]>
}

/**
 * Every event so far of one audit log file (a file not written yet has none), or of a webhook
 * receiver: the same events either way, as the API server's log and webhook backends carry the
 * same content.
 */
export async function readAuditLog(from: string | AuditEventSource): Promise<AuditEvent[]> {
  if (typeof from !== 'string') return from.readAuditLog()
  const text = await readFile(from, 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEvent)
}

export const WRITE_VERBS: readonly string[] = ['create', 'update', 'patch', 'delete', 'deletecollection']

/** A one-line description of an event, for failure messages. */
export function describeAuditEvent(e: AuditEvent): string {
  const ref = e.objectRef
  const what = ref ? [ref.namespace, ref.resource, ref.name].filter(Boolean).join('/') + (ref.subresource ? `/${ref.subresource}` : '') : e.requestURI
  return `${e.requestReceivedTimestamp} ${e.user.username} ${e.verb} ${what} -> ${e.responseStatus?.code ?? '?'}`
}
