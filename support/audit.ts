// Reading an API server's audit log (audit.k8s.io/v1 events, one JSON line each), as an operator
// reads /var/log/kubernetes/audit on a master: in an HA control plane every master's API server
// writes its own file, so which file an event is in says which API server handled the request.
// Or the same events as a webhook received them (support/auditwebhook.ts), from any API server.
// A cluster the kit shares with others (the cluster target) has one long log: AuditLogTail reads
// it from where it stood when a scenario began, so each scenario sees only its own time.

import { open, readFile, stat } from 'node:fs/promises'

export interface AuditEvent {
  auditID: string
  stage: string
  verb: string
  requestURI: string
  user: { username: string; groups?: string[] }
  /** The identity the request acted as, when the caller impersonated one (`kubectl --as`). */
  impersonatedUser?: { username: string; groups?: string[] }
  userAgent?: string
  objectRef?: { resource?: string; name?: string; namespace?: string; subresource?: string; apiGroup?: string }
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

/** Who asked: the impersonated identity when the caller impersonated one, else the authenticated user. */
export function actingUser(e: Pick<AuditEvent, 'user' | 'impersonatedUser'>): string {
  return e.impersonatedUser?.username ?? e.user?.username ?? ''
}

/**
 * An audit log file read from a byte offset on: the events an API server appended after the
 * tail was made (AuditLogTail.from) or the whole file (offset 0). A file now shorter than the
 * offset was rotated (kube-apiserver --audit-log-maxsize): it is read from its start. A line the
 * API server is still writing (no newline yet) is left for the next read.
 */
export class AuditLogTail implements AuditEventSource {
  constructor(
    readonly file: string,
    readonly offset = 0,
  ) {}

  /** A tail from the file's current end: only events written from now on. */
  static async from(file: string): Promise<AuditLogTail> {
    return new AuditLogTail(file, await fileSize(file))
  }

  async readAuditLog(): Promise<AuditEvent[]> {
    const size = await fileSize(this.file)
    const start = size < this.offset ? 0 : this.offset
    if (size <= start) return []
    const fh = await open(this.file, 'r')
    let text: string
    try {
      const buf = Buffer.alloc(size - start)
      const { bytesRead } = await fh.read(buf, 0, buf.length, start)
      text = buf.subarray(0, bytesRead).toString('utf8')
    } finally {
      await fh.close()
    }
    const complete = text.slice(0, text.lastIndexOf('\n') + 1)
    return complete
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEvent)
  }
}

/**
 * The audit logs of several API servers (each master's kube-apiserver writes its own), read as
 * one: every file's events, in the order of their stage timestamps (a stable sort, so the stages
 * of one request, which one server wrote in order, keep that order even within a microsecond).
 */
export class AuditLogTails implements AuditEventSource {
  constructor(readonly tails: readonly AuditLogTail[]) {}

  /** Tails from each file's current end. */
  static async from(files: readonly string[]): Promise<AuditLogTails> {
    return new AuditLogTails(await Promise.all(files.map((f) => AuditLogTail.from(f))))
  }

  async readAuditLog(): Promise<AuditEvent[]> {
    const each = await Promise.all(this.tails.map((t) => t.readAuditLog()))
    if (each.length === 1) return each[0]!
    return each.flat().sort((a, b) => (a.stageTimestamp < b.stageTimestamp ? -1 : a.stageTimestamp > b.stageTimestamp ? 1 : 0))
  }
}

/** A file's size in bytes; 0 for a file not written yet. */
async function fileSize(file: string): Promise<number> {
  return stat(file).then(
    (s) => s.size,
    () => 0,
  )
}

export const WRITE_VERBS: readonly string[] = ['create', 'update', 'patch', 'delete', 'deletecollection']

/** A one-line description of an event, for failure messages. */
export function describeAuditEvent(e: AuditEvent): string {
  const ref = e.objectRef
  const what = ref ? [ref.namespace, ref.resource, ref.name].filter(Boolean).join('/') + (ref.subresource ? `/${ref.subresource}` : '') : e.requestURI
  return `${e.requestReceivedTimestamp} ${actingUser(e)} ${e.verb} ${what} -> ${e.responseStatus?.code ?? '?'}`
}
