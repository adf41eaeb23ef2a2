// Who a step acts as. The admin ("I") uses the session's kubeconfig; other identities are
// users (alice, system:node:node-1, with groups) or service accounts ("the service account
// \"ci:jenkins\""). A user gets a client certificate of the cluster CA where the target can
// issue one (built-in), and otherwise acts through the admin's impersonation rights (what
// `kubectl --as alice --as-group dev` does), so the same scenario runs on any cluster. A service
// account gets a token from the TokenRequest API, as `kubectl create token` does.
// Each identity's kubeconfig is written beside the session's, for kubectl.

import https from 'node:https'
import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { CoreV1Api, KubeConfig, type KubernetesObject } from '@kubernetes/client-node'
import { stringify } from 'yaml'
import { kindRef } from './kinds.js'
import { createNamespace, toStatus, type StatusError } from './kube.js'
import type { Session } from './targets/target.js'

export type Identity = { kind: 'user'; name: string } | { kind: 'serviceaccount'; namespace: string; name: string }

/** What a step needs to act as someone: a kubeconfig (object and file) and extra headers. */
export interface Actor {
  label: string
  kc: KubeConfig
  file: string
  headers: Record<string, string>
}

/** Parses `alice` or `the service account "ci:jenkins"` (namespace defaults to the scenario's). */
export function parseIdentity(text: string, defaultNamespace: string): Identity {
  const sa = /^the service account "([^"]+)"$/.exec(text)
  if (!sa) return { kind: 'user', name: text }
  const [ns, name] = sa[1]!.includes(':') ? (sa[1]!.split(':') as [string, string]) : [defaultNamespace, sa[1]!]
  return { kind: 'serviceaccount', namespace: ns, name }
}

export function usernameOf(id: Identity): string {
  return id.kind === 'user' ? id.name : `system:serviceaccount:${id.namespace}:${id.name}`
}

const b64 = (s: string): string => Buffer.from(s).toString('base64')

function safeFileName(s: string): string {
  return s.replace(/[^a-zA-Z0-9_.-]/g, '_')
}

/** Builds (and writes) the kubeconfig for an identity. */
export async function actorFor(session: Session, id: Identity, groups: string[]): Promise<Actor> {
  const admin = session.kubeconfig
  const cluster = admin.getCurrentCluster()!
  const clusterEntry = { name: 'ock', cluster: { server: cluster.server, 'certificate-authority-data': b64(session.caPem) } }
  let user: Record<string, unknown>
  const headers: Record<string, string> = {}
  const label = usernameOf(id)
  if (id.kind === 'serviceaccount') {
    user = { token: await serviceAccountToken(admin, id.namespace, id.name) }
  } else if (session.credentialsFor) {
    const creds = await session.credentialsFor(id.name, groups)
    user = { 'client-certificate-data': b64(creds.certPem), 'client-key-data': b64(creds.keyPem) }
  } else {
    // act through the admin's right to impersonate, as `kubectl --as` does
    const adminUser = admin.getCurrentUser()!
    user = {}
    if (adminUser.certData) user['client-certificate-data'] = adminUser.certData
    if (adminUser.keyData) user['client-key-data'] = adminUser.keyData
    if (adminUser.certFile) user['client-certificate'] = adminUser.certFile
    if (adminUser.keyFile) user['client-key'] = adminUser.keyFile
    if (adminUser.token) user.token = adminUser.token
    user.as = id.name
    if (groups.length) user['as-groups'] = groups
    headers['Impersonate-User'] = id.name
    if (groups.length) headers['Impersonate-Group'] = groups.join(',')
  }
  const yaml = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [clusterEntry],
    users: [{ name: label, user }],
    contexts: [{ name: label, context: { cluster: 'ock', user: label, namespace: session.namespace } }],
    'current-context': label,
  })
  const file = join(dirname(session.kubeconfigFile), `kubeconfig-${safeFileName(label)}`)
  await writeFile(file, yaml, { mode: 0o600 })
  const kc = new KubeConfig()
  kc.loadFromString(yaml)
  return { label, kc, file, headers }
}

/** A token for a service account through the TokenRequest API (`kubectl create token`). */
export async function serviceAccountToken(admin: KubeConfig, namespace: string, name: string): Promise<string> {
  const core = admin.makeApiClient(CoreV1Api)
  const tr = await core.createNamespacedServiceAccountToken({ name, namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } })
  const token = tr.status?.token
  if (!token) throw new Error(`the TokenRequest for ${namespace}/${name} returned no token`)
  return token
}

/** Makes the namespace (if needed) and the service account, as the admin. */
export async function ensureServiceAccount(admin: KubeConfig, namespace: string, name: string): Promise<void> {
  const core = admin.makeApiClient(CoreV1Api)
  try {
    await core.readNamespace({ name: namespace })
  } catch {
    await createNamespace(admin, namespace)
  }
  try {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } })
  } catch (e) {
    if (toStatus(e).code !== 409) throw e
  }
}

export interface HttpAnswer {
  code: number
  body: unknown
  status?: StatusError
}

/** The REST path of an object's collection (POST) or of the object itself. */
export function objectPath(o: KubernetesObject, namespace: string, withName = false): string {
  const k = kindRef(o.kind ?? '')
  const base = k.apiVersion.includes('/') ? `/apis/${k.apiVersion}` : `/api/${k.apiVersion}`
  const ns = k.namespaced ? `/namespaces/${o.metadata?.namespace ?? namespace}` : ''
  return `${base}${ns}/${k.plural}${withName ? `/${o.metadata?.name ?? ''}` : ''}`
}

/** Sends one request as the actor; resolves with the answer (a Status for failures). */
export async function requestAs(actor: Actor, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<HttpAnswer> {
  const server = actor.kc.getCurrentCluster()!.server
  const url = new URL(path, server)
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  const opts: https.RequestOptions = {
    method,
    hostname: url.hostname,
    port: url.port,
    path: url.pathname + url.search,
    headers: {
      Accept: 'application/json',
      ...actor.headers,
      ...(text !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) } : {}),
    },
  }
  await actor.kc.applyToHTTPSOptions(opts)
  opts.headers = { ...opts.headers, ...actor.headers }
  return new Promise((resolve, reject) => {
    const req = https.request(opts, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const code = res.statusCode ?? 0
        const raw = Buffer.concat(chunks).toString('utf8')
        let parsed: unknown = raw
        try {
          parsed = JSON.parse(raw)
        } catch {
          // not JSON
        }
        const answer: HttpAnswer = { code, body: parsed }
        if (code >= 400) {
          const s = parsed as Partial<StatusError> & { kind?: string }
          const auditId = typeof res.headers['audit-id'] === 'string' ? res.headers['audit-id'] : undefined
          answer.status =
            s && s.kind === 'Status'
              ? { code: s.code ?? code, reason: s.reason ?? '', message: s.message ?? '', details: s.details, auditId }
              : { code, reason: '', message: raw, auditId }
        }
        resolve(answer)
      })
    })
    req.on('error', reject)
    req.end(text)
  })
}

/**
 * The same token with the same claims, signed by a key the cluster never saw (a forgery a
 * server that only decodes tokens would accept).
 */
export async function resignedToken(token: string): Promise<string> {
  const { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } = await import('jose')
  const header = decodeProtectedHeader(token)
  const alg = header.alg ?? 'ES256'
  const { privateKey } = await generateKeyPair(alg)
  return new SignJWT(decodeJwt(token)).setProtectedHeader({ ...header, alg }).sign(privateKey)
}
