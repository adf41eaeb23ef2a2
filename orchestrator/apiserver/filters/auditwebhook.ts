// The audit webhook backend: audit.k8s.io/v1 events POSTed as an EventList to a receiver named by
// a kubeconfig file, as kube-apiserver's --audit-webhook-config-file. Mirrors
// k8s.io/apiserver/plugin/pkg/audit/webhook and pkg/util/webhook (GenericWebhook): the file is
// read once at start and a bad one is an error then ("initializing audit webhook: ..."), never a
// failure later; the server URL, the CA that signs the receiver's certificate
// (certificate-authority, -data, or insecure-skip-tls-verify), and the API server's credentials
// (client-certificate/-key and their -data, token, tokenFile); paths relative to the file; a
// 30 s request timeout; every error retried (the audit webhook's retryOnError) with
// DefaultRetryBackoffWithInitialDelay: 5 attempts, the wait from --audit-webhook-initial-backoff
// (10 s) times 1.5 each time with 20% jitter; then the batch is dropped with
// audit.HandlePluginError's log line. Batching (--audit-webhook-mode=batch) is ./auditbuffered.ts.
// Simplifies: without current-context the first cluster and the first user are used (client-go
// refuses such a file); no exec or auth-provider users, no proxy-url, no egress selector.

import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import { dirname, resolve } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { createSecureContext } from 'node:tls'
import { parse as parseYaml } from 'yaml'
import { pluginErrorLine, type AuditEvent } from './auditevent.js'

/** What the webhook config file says, read and checked. */
export interface AuditWebhookConfig {
  /** The file it was read from. */
  file: string
  /** clusters[].cluster.server: where the EventLists are POSTed (its path included). */
  url: URL
  /** The CA that signs the receiver's serving certificate (PEM); none: the system's roots. */
  caPem?: string
  insecureSkipTLSVerify?: boolean
  /** The API server's client certificate for the receiver. */
  certPem?: string
  keyPem?: string
  /** A bearer token the API server sends. */
  token?: string
}

/** A webhook config file that cannot be used: the API server does not start. */
export class AuditWebhookConfigError extends Error {
  constructor(message: string) {
    super(`initializing audit webhook: ${message}`)
    this.name = 'AuditWebhookConfigError'
  }
}

const ERRNO: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'is a directory' }

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? ''
    throw Object.assign(new Error(`open ${path}: ${ERRNO[code] ?? (e as Error).message}`), { code })
  }
}

type Entry = Record<string, unknown>

function named(list: unknown, name: string | undefined, what: string): { name: string; body: Entry } | undefined {
  if (list !== undefined && !Array.isArray(list)) throw new AuditWebhookConfigError(`invalid configuration: ${what}s must be a list`)
  const items = (list ?? []) as Entry[]
  const item = name === undefined ? items[0] : items.find((i) => i?.name === name)
  if (!item) return undefined
  const body = item[what]
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body)))
    throw new AuditWebhookConfigError(`invalid configuration: ${what} "${String(item.name)}" must be a mapping`)
  return { name: String(item.name ?? ''), body: (body ?? {}) as Entry }
}

/** A PEM from `<key>-data` (base64) or the file `<key>` (relative to the config file). */
function pem(entry: Entry, key: string, dir: string, owner: string): string | undefined {
  const data = entry[`${key}-data`]
  if (typeof data === 'string' && data) return Buffer.from(data, 'base64').toString('utf8')
  const path = entry[key]
  if (typeof path !== 'string' || !path) return undefined
  const file = resolve(dir, path)
  try {
    return readText(file)
  } catch (e) {
    throw new AuditWebhookConfigError(`invalid configuration: unable to read ${key} ${file} for ${owner} due to ${(e as Error).message}`)
  }
}

/**
 * Reads and checks a kube-apiserver audit webhook config file (a kubeconfig). Throws
 * AuditWebhookConfigError, worded as kube-apiserver's, for anything that would make sending fail
 * for certain: an unreadable or malformed file, no server, a server that is not an http(s) URL, an
 * unreadable or malformed CA, a client certificate without its key or not matching it.
 */
export function loadAuditWebhookConfig(file: string): AuditWebhookConfig {
  let text: string
  try {
    text = readText(file)
  } catch (e) {
    throw new AuditWebhookConfigError((e as Error).message)
  }
  let doc: unknown
  try {
    doc = parseYaml(text)
  } catch (e) {
    throw new AuditWebhookConfigError(`error loading config file "${file}": ${(e as Error).message.split('\n')[0]}`)
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new AuditWebhookConfigError(`error loading config file "${file}": not a kubeconfig (expected a YAML mapping with clusters and users)`)
  const config = doc as Entry
  const dir = dirname(resolve(file))
  const current = typeof config['current-context'] === 'string' && config['current-context'] ? config['current-context'] : undefined
  let clusterName: string | undefined
  let userName: string | undefined
  if (current) {
    const context = named(config.contexts, current, 'context')
    if (!context) throw new AuditWebhookConfigError(`invalid configuration: context was not found for specified context: ${current}`)
    clusterName = typeof context.body.cluster === 'string' ? context.body.cluster : ''
    userName = typeof context.body.user === 'string' ? context.body.user : undefined
  }
  const cluster = named(config.clusters, clusterName, 'cluster')
  if (!cluster) {
    throw new AuditWebhookConfigError(
      clusterName
        ? `invalid configuration: cluster "${clusterName}" of context "${current}" was not found`
        : 'invalid configuration: no configuration has been provided (no cluster with a server)',
    )
  }
  const server = cluster.body.server
  if (typeof server !== 'string' || !server) throw new AuditWebhookConfigError(`invalid configuration: no server found for cluster "${cluster.name}"`)
  let url: URL
  try {
    url = new URL(server)
  } catch {
    throw new AuditWebhookConfigError(`invalid configuration: server "${server}" of cluster "${cluster.name}" is not a URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new AuditWebhookConfigError(`invalid configuration: server "${server}" of cluster "${cluster.name}" must be an https:// (or http://) URL`)
  const out: AuditWebhookConfig = { file, url }
  if (cluster.body['insecure-skip-tls-verify'] === true) out.insecureSkipTLSVerify = true
  const caPem = pem(cluster.body, 'certificate-authority', dir, cluster.name)
  if (caPem !== undefined) {
    try {
      new X509Certificate(caPem)
    } catch {
      throw new AuditWebhookConfigError(`invalid configuration: the certificate-authority of cluster "${cluster.name}" is not a PEM certificate`)
    }
    out.caPem = caPem
  }
  const user = named(config.users, userName, 'user')
  if (userName && !user) throw new AuditWebhookConfigError(`invalid configuration: user "${userName}" of context "${current}" was not found`)
  if (user) Object.assign(out, credentials(user.name, user.body, dir))
  return out
}

function credentials(name: string, user: Entry, dir: string): Pick<AuditWebhookConfig, 'certPem' | 'keyPem' | 'token'> {
  const out: Pick<AuditWebhookConfig, 'certPem' | 'keyPem' | 'token'> = {}
  const certPem = pem(user, 'client-certificate', dir, name)
  const keyPem = pem(user, 'client-key', dir, name)
  if (certPem && !keyPem)
    throw new AuditWebhookConfigError(
      `invalid configuration: client-key-data or client-key must be specified for ${name} to use the clientCert authentication method`,
    )
  if (keyPem && !certPem)
    throw new AuditWebhookConfigError(
      `invalid configuration: client-cert-data or client-cert must be specified for ${name} to use the clientCert authentication method`,
    )
  if (certPem && keyPem) {
    try {
      createSecureContext({ cert: certPem, key: keyPem })
    } catch (e) {
      throw new AuditWebhookConfigError(`invalid configuration: the client certificate and key of user "${name}" cannot be used: ${(e as Error).message}`)
    }
    Object.assign(out, { certPem, keyPem })
  }
  if (typeof user.token === 'string' && user.token) out.token = user.token
  else if (typeof user.tokenFile === 'string' && user.tokenFile) {
    const file = resolve(dir, user.tokenFile)
    try {
      out.token = readText(file).trim()
    } catch (e) {
      throw new AuditWebhookConfigError(`invalid configuration: unable to read tokenFile ${file} for ${name} due to ${(e as Error).message}`)
    }
  }
  return out
}

export interface WebhookSendOptions {
  /** The first wait before a retry (--audit-webhook-initial-backoff; upstream 10 s). */
  initialBackoffMs?: number
  /** Time allowed for one POST, answer included (upstream's webhook client: 30 s). */
  requestTimeoutMs?: number
  /** Where a dropped batch is reported (default: standard error). */
  log?: (line: string) => void
}

/** DefaultRetryBackoffWithInitialDelay: 5 attempts, the wait times 1.5 each time, 20% jitter. */
export const RETRY_BACKOFF = { steps: 5, factor: 1.5, jitter: 0.2 } as const

/** Sends batches of events to one receiver; a batch is retried, then dropped (logged), never thrown. */
export class WebhookBackend {
  private readonly agent: http.Agent
  private readonly initialBackoffMs: number
  private readonly requestTimeoutMs: number
  private readonly log: (line: string) => void

  constructor(
    readonly config: AuditWebhookConfig,
    opts: WebhookSendOptions = {},
  ) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 10_000
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000
    this.log = opts.log ?? ((line) => console.error(line))
    this.agent =
      config.url.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            ca: config.caPem,
            cert: config.certPem,
            key: config.keyPem,
            rejectUnauthorized: !config.insecureSkipTLSVerify,
          })
        : new http.Agent({ keepAlive: true })
  }

  /**
   * POSTs the events as one EventList, retrying every failure with back-off; true when the
   * receiver took them (2xx), false when they were dropped (after the last attempt, or when
   * `signal` aborts: the API server is stopping). Never rejects.
   */
  async processEvents(events: readonly AuditEvent[], signal?: AbortSignal): Promise<boolean> {
    const body = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: events })
    let wait = this.initialBackoffMs
    let lastError = ''
    for (let attempt = 1; attempt <= RETRY_BACKOFF.steps; attempt++) {
      if (signal?.aborted) break
      try {
        await this.post(body, signal)
        return true
      } catch (e) {
        lastError = (e as Error).message
      }
      if (attempt === RETRY_BACKOFF.steps) break
      const jittered = wait * (1 + Math.random() * RETRY_BACKOFF.jitter)
      wait *= RETRY_BACKOFF.factor
      try {
        await delay(jittered, undefined, { signal, ref: false })
      } catch {
        break
      }
    }
    if (signal?.aborted) lastError = `${lastError ? `${lastError}; ` : ''}not retried: the API server is shutting down`
    this.log(pluginErrorLine('webhook', lastError, events))
    return false
  }

  /** Closes idle connections to the receiver. */
  close(): void {
    this.agent.destroy()
  }

  private post(body: string, signal?: AbortSignal): Promise<void> {
    const url = this.config.url
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      Accept: 'application/json, */*',
      'Content-Length': Buffer.byteLength(body),
      'User-Agent': 'kube-apiserver (ock) audit-webhook',
    }
    if (this.config.token) headers.Authorization = `Bearer ${this.config.token}`
    const request = url.protocol === 'https:' ? https.request : http.request
    return new Promise<void>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers, agent: this.agent, signal, timeout: this.requestTimeoutMs }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', (e) => reject(new Error(`Post "${url.href}": ${e.message}`)))
        res.on('end', () => {
          const code = res.statusCode ?? 0
          if (code >= 200 && code < 300) return resolve()
          const text = Buffer.concat(chunks).toString('utf8').trim().slice(0, 200)
          reject(new Error(`the audit webhook answered ${code} ${res.statusMessage ?? ''}${text ? `: ${text}` : ''}`.replace(/ +:/, ':')))
        })
      })
      req.on('timeout', () => req.destroy(new Error(`context deadline exceeded (Client.Timeout ${this.requestTimeoutMs} ms exceeded)`)))
      req.on('error', (e) => reject(new Error(`Post "${url.href}": ${e.message}`)))
      req.end(body)
    })
  }
}
