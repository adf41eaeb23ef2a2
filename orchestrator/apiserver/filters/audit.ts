// The audit trail: each request's audit.k8s.io/v1 events (auditID, stage, level, requestURI, verb,
// user, impersonatedUser, sourceIPs, userAgent, objectRef, responseStatus, timestamps, annotations
// such as authorization.k8s.io/decision and the admission plugins that ran), built once here and
// handed to every backend that is on: the log backend (--audit-log-path, one JSON line per
// event) and the webhook backend (--audit-webhook-config-file: ./auditwebhook.ts, in batches by
// ./auditbuffered.ts), both at once if both are configured, as upstream allows. Each request
// produces a RequestReceived event once its user is known and a ResponseComplete event when it
// is answered (watches: ResponseStarted when the stream opens). Mirrors k8s.io/apiserver/pkg/audit
// and its log backend; the webhook mirrors plugin/pkg/audit/webhook and buffered.
// Simplifies: one level for every request (Metadata, or None to keep only the trace), no policy
// rules; the log file is written event by event (no batching or rotation); the webhook runs in
// batch mode only (no blocking modes, no truncation).

import { createWriteStream, type WriteStream } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import type { Status } from '../../api/meta.js'
import type { UserInfo } from '../auth.js'
import type { AuditEvent, AuditLevel, AuditStage, AuditUser } from './auditevent.js'
import { BufferedBackend, batchOptionErrors, type AuditBatchOptions } from './auditbuffered.js'
import { AuditWebhookConfigError, loadAuditWebhookConfig, WebhookBackend, type AuditWebhookConfig } from './auditwebhook.js'
import type { RequestInfo } from './requestinfo.js'

export type { AuditEvent, AuditLevel, AuditStage, AuditUser } from './auditevent.js'

/** The webhook backend: kube-apiserver's --audit-webhook-* flags. */
export interface AuditWebhookOptions extends AuditBatchOptions {
  /** A kubeconfig naming the receiver (--audit-webhook-config-file); read, and checked, when the API server is made. */
  configFile: string
  /** --audit-webhook-mode: batch (the default) is the only mode built. */
  mode?: 'batch'
  /** First wait before a failed batch is sent again (--audit-webhook-initial-backoff, 10 s). */
  initialBackoffMs?: number
  /** Time allowed for one POST to the receiver (30 s). */
  requestTimeoutMs?: number
  /** Where dropped events are reported (default: standard error). */
  log?: (line: string) => void
}

export interface AuditOptions {
  /** JSON-lines file the events are appended to (upstream --audit-log-path). */
  path?: string
  /** The webhook the events are also sent to (upstream --audit-webhook-config-file and friends). */
  webhook?: AuditWebhookOptions
  level?: AuditLevel
}

/**
 * Checks the audit options as kube-apiserver does at start: the webhook's config file (read
 * now), its mode and batch options. Throws AuditWebhookConfigError, so a bad configuration stops
 * the API server from starting instead of failing later. Returns the webhook's configuration.
 */
export function validateAuditOptions(opts: AuditOptions | undefined): AuditWebhookConfig | undefined {
  const w = opts?.webhook
  if (!w) return undefined
  if (w.mode !== undefined && w.mode !== 'batch')
    throw new AuditWebhookConfigError(`--audit-webhook-mode "${String(w.mode)}" is not built in OCK: use batch (the default)`)
  const errors = batchOptionErrors('webhook', w)
  if (w.initialBackoffMs !== undefined && !(w.initialBackoffMs >= 0))
    errors.push(`invalid audit webhook initial backoff ${w.initialBackoffMs}ms, must not be negative`)
  if (errors.length) throw new AuditWebhookConfigError(errors.join('; '))
  return loadAuditWebhookConfig(w.configFile)
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

/** Where audit events go: a JSON-lines file, a webhook, both, or nowhere (level None / neither). */
export class AuditLog {
  readonly level: AuditLevel
  private readonly stream: WriteStream | undefined
  private readonly webhook: { sender: WebhookBackend; buffer: BufferedBackend } | undefined
  /** Requests begun and not yet complete, and who waits for them to be (close). */
  private open = 0
  private drained: (() => void) | undefined

  /** Throws AuditWebhookConfigError for a webhook configuration that cannot work (validateAuditOptions). */
  constructor(opts?: AuditOptions) {
    this.level = opts?.level ?? 'Metadata'
    const on = this.level !== 'None'
    const config = on ? validateAuditOptions(opts) : undefined
    this.stream = opts?.path && on ? createWriteStream(opts.path, { flags: 'a', mode: 0o600 }) : undefined
    if (config && opts?.webhook) {
      const sender = new WebhookBackend(config, opts.webhook)
      this.webhook = { sender, buffer: new BufferedBackend(sender, opts.webhook, opts.webhook.log) }
    }
  }

  get enabled(): boolean {
    return this.stream !== undefined || this.webhook !== undefined
  }

  /** The backends that are on ("log", "webhook", "log,webhook"), or "trace" when none is. */
  get backends(): string {
    return [this.stream && 'log', this.webhook && 'webhook'].filter(Boolean).join(',') || 'trace'
  }

  begin(auditID: string, req: IncomingMessage, info: RequestInfo, requestURI: string): AuditRecord {
    this.open++
    return new AuditRecord(this, auditID, req, info, requestURI)
  }

  /** Hands the event to every backend; never waits for one and never throws. */
  write(e: AuditEvent): void {
    if (this.stream && !this.stream.writableEnded) this.stream.write(`${JSON.stringify(e)}\n`)
    this.webhook?.buffer.processEvents(e)
    if (e.stage === 'ResponseComplete' && --this.open <= 0) this.drained?.()
  }

  /**
   * Waits (up to `drainMs`) for the requests still being answered to complete (a stopping API
   * server's watches close after their connections are cut), then flushes and closes the file
   * and sends what the webhook still buffers (see BufferedBackend.shutdown).
   */
  async close(drainMs = 1_000): Promise<void> {
    if (this.open > 0 && this.enabled) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, drainMs)
        this.drained = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
    const s = this.stream
    const file = s ? new Promise<void>((resolve) => s.end(() => resolve())) : undefined
    if (this.webhook) {
      await this.webhook.buffer.shutdown()
      this.webhook.sender.close()
    }
    await file
  }
}
