// How the API server reaches a node's kubelet, for pods/log, exec, attach and portforward: over HTTPS to the
// node's InternalIP and the port it reports in status.daemonEndpoints.kubeletEndpoint, checking
// the kubelet's serving certificate against the cluster CA and presenting the API server's own
// client certificate (kube-apiserver-kubelet-client, in system:masters).
// Mirrors kube-apiserver's --kubelet-client-certificate / --kubelet-client-key /
// --kubelet-certificate-authority and pkg/kubelet/client (GetConnectionInfo).
// Simplifies: the InternalIP is the only address type tried.

import https from 'node:https'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { ApiError } from '../../api/errors.js'

export interface KubeletClientOptions {
  /** The CA that signed the kubelets' serving certificates. */
  caPem: string
  /** The API server's client certificate for kubelets. */
  certPem: string
  keyPem: string
}

interface NodeLike {
  metadata?: { name?: string }
  status?: { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } }
}

/** Where a node's kubelet listens (upstream GetConnectionInfo). */
export function kubeletAddress(node: NodeLike): { host: string; port: number } {
  const name = node.metadata?.name ?? ''
  const host = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port
  if (!host) throw new ApiError(500, 'InternalError', `Internal error occurred: no preferred addresses found; known addresses: [] (node "${name}")`)
  if (!port)
    throw new ApiError(500, 'InternalError', `Internal error occurred: node "${name}" reports no kubelet port (status.daemonEndpoints.kubeletEndpoint.Port)`)
  return { host, port }
}

export class KubeletClient {
  private readonly agent: https.Agent

  constructor(private readonly opts: KubeletClientOptions) {
    this.agent = new https.Agent({ keepAlive: true, ca: opts.caPem, cert: opts.certPem, key: opts.keyPem, maxSockets: 64 })
  }

  /** Sends a request to a node's kubelet; resolves with the response (any status) to stream or read. */
  request(node: NodeLike, method: string, path: string, signal?: AbortSignal): Promise<IncomingMessage> {
    const { host, port } = kubeletAddress(node)
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host, port, method, path, agent: this.agent, ca: this.opts.caPem, cert: this.opts.certPem, key: this.opts.keyPem, signal },
        resolve,
      )
      req.on('error', (e) => reject(new ApiError(500, 'InternalError', `Internal error occurred: error dialing backend: ${e.message}`)))
      req.end()
    })
  }

  /**
   * Sends an upgrade request (WebSocket or SPDY) to a node's kubelet on a connection of its own.
   * Resolves with the kubelet's 101 answer and the upgraded socket (and any bytes already read
   * after the answer), or with its refusal (`socket` undefined) to read and report.
   */
  upgrade(
    node: NodeLike,
    method: string,
    path: string,
    headers: Record<string, string | string[]>,
  ): Promise<{ response: IncomingMessage; socket?: Duplex; head?: Buffer }> {
    const { host, port } = kubeletAddress(node)
    return new Promise((resolve, reject) => {
      const req = https.request({ host, port, method, path, headers, agent: false, ca: this.opts.caPem, cert: this.opts.certPem, key: this.opts.keyPem })
      req.on('upgrade', (response, socket, head) => resolve({ response, socket, head }))
      req.on('response', (response) => resolve({ response }))
      req.on('error', (e) => reject(new ApiError(500, 'InternalError', `Internal error occurred: error dialing backend: ${e.message}`)))
      req.end()
    })
  }

  close(): void {
    this.agent.destroy()
  }
}

/** Reads a whole (small) kubelet answer. */
export async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of res) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * A kubelet's non-2xx answer as the Status the API server returns (upstream
 * GenericHttpResponseChecker): 400 BadRequest and 404 NotFound with the kubelet's text, 500
 * InternalError, anything else with its code.
 */
export function kubeletError(code: number, body: string): ApiError {
  const text = body.trim()
  switch (code) {
    case 400:
      return new ApiError(400, 'BadRequest', text)
    case 404:
      return new ApiError(404, 'NotFound', text || 'the server could not find the requested resource')
    case 403:
      return new ApiError(403, 'Forbidden', text)
    case 500:
      return new ApiError(500, 'InternalError', `Internal error occurred: ${text}`)
    default:
      return new ApiError(
        code >= 400 && code < 600 ? code : 500,
        code === 503 ? 'ServiceUnavailable' : 'InternalError',
        text || `the server responded with the status code ${code} but did not return more information`,
      )
  }
}
