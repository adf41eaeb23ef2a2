// The audit.k8s.io/v1 Event every audit backend writes (the log file, the webhook), and the log
// line of events a backend could not deliver. Mirrors k8s.io/apiserver/pkg/apis/audit/v1 (Event)
// and pkg/audit (EventString, HandlePluginError).
// Simplifies: only the fields of level Metadata; the log line names at most 10 events.

import type { Status } from '../../api/meta.js'

export type AuditLevel = 'None' | 'Metadata'
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic'

export interface AuditUser {
  username: string
  uid?: string
  groups?: string[]
  extra?: Record<string, string[]>
}

export interface AuditEvent {
  kind: 'Event'
  apiVersion: 'audit.k8s.io/v1'
  level: AuditLevel
  auditID: string
  stage: AuditStage
  requestURI: string
  verb: string
  user: AuditUser
  impersonatedUser?: AuditUser
  sourceIPs: string[]
  userAgent?: string
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string; apiVersion?: string; subresource?: string }
  responseStatus?: Partial<Status> & { metadata: Record<string, never>; code: number }
  requestReceivedTimestamp: string
  stageTimestamp: string
  annotations?: Record<string, string>
}

/** One line per event, as audit.EventString. */
export function eventString(e: AuditEvent): string {
  const groups = e.user.groups?.length ? e.user.groups.join(',') : '<none>'
  const as = e.impersonatedUser?.username ?? '<self>'
  const response = e.responseStatus ? String(e.responseStatus.code) : '<deferred>'
  return (
    `${e.requestReceivedTimestamp} AUDIT: id="${e.auditID}" stage="${e.stage}" ip="${e.sourceIPs[0] ?? ''}" method="${e.verb}" ` +
    `user="${e.user.username}" groups="${groups}" as="${as}" user-agent="${e.userAgent ?? ''}" ` +
    `namespace="${e.objectRef?.namespace ?? '<none>'}" uri="${e.requestURI}" response="${response}"`
  )
}

/** audit.HandlePluginError's log line: which backend failed, how many events it cost, which ones. */
export function pluginErrorLine(plugin: string, err: string, impacted: readonly AuditEvent[]): string {
  const shown = impacted.slice(0, 10).map(eventString)
  if (impacted.length > shown.length) shown.push(`... and ${impacted.length - shown.length} more`)
  return `Error in audit plugin '${plugin}' affecting ${impacted.length} audit events: ${err}\nImpacted events:\n${shown.join('\n')}`
}
