// Raw HTTPS / HTTP calls for transport-level scenarios (TLS identity, foreign certificates,
// plain HTTP), where a Kubernetes client library would hide what happens on the wire.

import http from 'node:http'
import https from 'node:https'
import tls from 'node:tls'
import { X509Certificate } from 'node:crypto'
import type { StatusError } from './kube.js'
import { createCertificateAuthority } from '../orchestrator/pki/pki.js'

export type CallOutcome = { kind: 'response'; code: number; status?: StatusError } | { kind: 'transport-error'; message: string }

export interface CallCredentials {
  caPem?: string
  certPem?: string
  keyPem?: string
}

/** GETs a path; resolves with the HTTP answer or with the transport failure (never rejects). */
export function callApi(server: string, path: string, creds: CallCredentials, timeoutMs = 10_000): Promise<CallOutcome> {
  const url = new URL(path, server)
  const mod = url.protocol === 'https:' ? https : http
  return new Promise((resolve) => {
    const req = mod.request(
      {
        method: 'GET',
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        ca: creds.caPem,
        cert: creds.certPem,
        key: creds.keyPem,
        agent: false,
        timeout: timeoutMs,
        headers: { Accept: 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const code = res.statusCode ?? 0
          if (code < 400) return resolve({ kind: 'response', code })
          let status: StatusError = { code, reason: '', message: Buffer.concat(chunks).toString('utf8') }
          try {
            const body = JSON.parse(status.message) as Partial<StatusError> & { kind?: string }
            if (body.kind === 'Status') status = { code: body.code ?? code, reason: body.reason ?? '', message: body.message ?? '', details: body.details }
          } catch {
            // not a Status
          }
          resolve({ kind: 'response', code, status })
        })
        res.on('error', (e) => resolve({ kind: 'transport-error', message: e.message }))
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ kind: 'transport-error', message: `${e.code ?? ''} ${e.message}`.trim() }))
    req.end()
  })
}

/** The certificate the server presents, after verifying the chain against `caPem`. */
export function peerCertificate(server: string, caPem: string): Promise<X509Certificate> {
  const url = new URL(server)
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      { host: url.hostname, port: Number(url.port), ca: caPem, servername: /^[\d.]+$/.test(url.hostname) ? undefined : url.hostname },
      () => {
        const raw = socket.getPeerCertificate().raw
        socket.end()
        resolve(new X509Certificate(raw))
      },
    )
    socket.on('error', reject)
  })
}

/** Sends a raw body to a path sent as is, with the kubeconfig's credentials (malformed bodies, hostile paths). */
export async function rawRequest(
  kc: import('@kubernetes/client-node').KubeConfig,
  method: string,
  path: string,
  body: string,
  contentType = 'application/json',
): Promise<CallOutcome & { auditId?: string }> {
  const cluster = kc.getCurrentCluster()
  if (!cluster) throw new Error('the kubeconfig names no cluster')
  // only the server comes from a URL: the path goes out exactly as given (new URL() would
  // resolve dot segments and re-escape, sending another request than the scenario wrote)
  const url = new URL(cluster.server)
  const opts: https.RequestOptions = {
    method,
    hostname: url.hostname,
    port: url.port,
    path,
    headers: { 'Content-Type': contentType, Accept: 'application/json', 'Content-Length': Buffer.byteLength(body) },
  }
  await kc.applyToHTTPSOptions(opts)
  return new Promise((resolve) => {
    const req = https.request(opts, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const code = res.statusCode ?? 0
        const auditId = typeof res.headers['audit-id'] === 'string' ? res.headers['audit-id'] : undefined
        const text = Buffer.concat(chunks).toString('utf8')
        if (code < 400) return resolve({ kind: 'response', code, auditId })
        let status: StatusError = { code, reason: '', message: text, auditId }
        try {
          const b = JSON.parse(text) as Partial<StatusError> & { kind?: string }
          if (b.kind === 'Status') status = { code: b.code ?? code, reason: b.reason ?? '', message: b.message ?? '', details: b.details, auditId }
        } catch {
          // not a Status: the step reports the raw text
        }
        resolve({ kind: 'response', code, status, auditId })
      })
    })
    req.on('error', (e) => resolve({ kind: 'transport-error', message: e.message }))
    req.end(body)
  })
}

/** A client certificate signed by a CA of its own, which no cluster trusts. */
export async function foreignClientCertificate(user: string, groups: string[]): Promise<{ certPem: string; keyPem: string }> {
  const other = await createCertificateAuthority('not-the-cluster-ca')
  return other.issue({ commonName: user, organizations: groups, usage: 'client' })
}
