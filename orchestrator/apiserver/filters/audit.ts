// The audit log: one JSON line per audit event, shaped like the Kubernetes audit backend's
// audit.k8s.io/v1 Event (auditID, stage, level, requestURI, verb, user, impersonatedUser,
// sourceIPs, userAgent, objectRef, responseStatus, timestamps, annotations such as
// authorization.k8s.io/decision and the admission plugins that ran). Each request produces a
// RequestReceived event once its user is known and a ResponseComplete event when it is answered
// (watches: ResponseStarted when the stream opens). Mirrors k8s.io/apiserver/pkg/audit and the
// log backend (--audit-log-path).
// Simplifies: one level for every request (Metadata, or None to keep only the trace), no policy
// rules, no batching or rotation.

import { createWriteStream, type WriteStream } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import type { Status } from '../../api/meta.js'
import type { UserInfo } from '../auth.js'
import type { RequestInfo } from './requestinfo.js'

export type AuditLevel = 'None' | 'Metadata'
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic'

export interface AuditOptions {
  /** JSON-lines file the events are appended to (upstream --audit-log-path). */
  path: string
  level?: AuditLevel
}

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

function auditUser(u: UserInfo): AuditUser {
  const out: AuditUser = { username: u.name, groups: [...u.groups] }
  if (u.uid) out.uid = u.uid
  if (u.extra && Object.keys(u.extra).length) out.extra = u.extra
  return out
}

function micros(d: Date): string {
  return d.toISOString().replace('Z', '000Z')
}

/** One request's audit record: filled in as the request goes through the pipeline. */
export class AuditRecord {
  private user: UserInfo | undefined
  private impersonated: UserInfo | undefined
  private readonly annotations: Record<string, string> = {}
  private readonly received = new Date()
  private receivedWritten = false
  private objectName = ''
  private objectNamespace = ''
  private completed = false

  constructor(
    private readonly log: AuditLog,
    readonly auditID: string,
    private readonly req: IncomingMessage,
    private readonly info: RequestInfo,
    private readonly requestURI: string,
  ) {}

  annotate(key: string, value: string): void {
    this.annotations[key] = value
  }

  /** Authentication is done: write RequestReceived with the user. */
  authenticated(user: UserInfo): void {
    this.user = user
    this.writeReceived()
  }

  /** The object a create names in its body (upstream completes objectRef from the decoded object). */
  object(namespace: string | undefined, name: string): void {
    this.objectName = name
    if (namespace) this.objectNamespace = namespace
  }

  impersonating(user: UserInfo): void {
    this.impersonated = user
  }

  /** A stream (watch) has started answering. */
  started(code: number): void {
    this.writeReceived()
    this.log.write(this.event('ResponseStarted', { metadata: {}, code }))
  }

  /** The answer is complete; `status` is the Status of a failure. */
  complete(code: number, status?: Status): void {
    if (this.completed) return
    this.completed = true
    this.writeReceived()
    const responseStatus: AuditEvent['responseStatus'] = status
      ? { metadata: {}, status: status.status, message: status.message, reason: status.reason, code }
      : { metadata: {}, code }
    this.log.write(this.event('ResponseComplete', responseStatus))
  }

  private writeReceived(): void {
    if (this.receivedWritten) return
    this.receivedWritten = true
    this.log.write(this.event('RequestReceived'))
  }

  private event(stage: AuditStage, responseStatus?: AuditEvent['responseStatus']): AuditEvent {
    const anonymous: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] }
    const e: AuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: this.log.level,
      auditID: this.auditID,
      stage,
      requestURI: this.requestURI,
      verb: this.info.isResourceRequest ? this.info.verb : (this.req.method ?? 'GET').toLowerCase(),
      user: auditUser(this.user ?? anonymous),
      sourceIPs: [this.req.socket.remoteAddress ?? ''],
      requestReceivedTimestamp: micros(this.received),
      stageTimestamp: micros(new Date()),
    }
    if (this.impersonated) e.impersonatedUser = auditUser(this.impersonated)
    const ua = this.req.headers['user-agent']
    if (ua) e.userAgent = String(ua)
    if (this.info.isResourceRequest) {
      const ref: NonNullable<AuditEvent['objectRef']> = { resource: this.info.resource }
      const ns = this.info.namespace || this.objectNamespace
      const name = this.info.name || this.objectName
      if (ns) ref.namespace = ns
      if (name) ref.name = name
      ref.apiGroup = this.info.apiGroup || undefined
      ref.apiVersion = this.info.apiVersion
      if (this.info.subresource) ref.subresource = this.info.subresource
      e.objectRef = ref
    }
    if (responseStatus) e.responseStatus = responseStatus
    if (Object.keys(this.annotations).length) e.annotations = { ...this.annotations }
    return e
  }
}

/** Where audit events go: a JSON-lines file, or nowhere (level None / no path). */
export class AuditLog {
  readonly level: AuditLevel
  private readonly stream: WriteStream | undefined

  constructor(opts?: AuditOptions) {
    this.level = opts?.level ?? 'Metadata'
    this.stream = opts?.path && this.level !== 'None' ? createWriteStream(opts.path, { flags: 'a', mode: 0o600 }) : undefined
  }

  get enabled(): boolean {
    return this.stream !== undefined
  }

  begin(auditID: string, req: IncomingMessage, info: RequestInfo, requestURI: string): AuditRecord {
    return new AuditRecord(this, auditID, req, info, requestURI)
  }

  write(e: AuditEvent): void {
    if (this.stream && !this.stream.writableEnded) this.stream.write(`${JSON.stringify(e)}\n`)
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    const s = this.stream
    if (!s) return
    await new Promise<void>((resolve) => s.end(() => resolve()))
  }
}
