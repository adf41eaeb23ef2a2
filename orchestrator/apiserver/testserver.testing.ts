// For unit tests only: an API server on a fresh CA and memory store, on a free loopback port,
// with clients for any identity of that CA, and the assertion most API tests need (a promise
// rejected with a given Status code and reason). Not used by the orchestrator itself.

import assert from 'node:assert/strict'
import { ApiError } from '../api/errors.js'
import { ApiClient } from '../client/client.js'
import { createCertificateAuthority, Identities, type CertificateAuthority } from '../pki/pki.js'
import { MemoryStore } from '../store/memory.js'
import { ApiServer, type ApiServerOptions } from './server.js'

export interface TestApiServer {
  server: ApiServer
  store: MemoryStore
  ca: CertificateAuthority
  /** A client with the admin identity (system:masters). */
  admin: ApiClient
  /** A client authenticated by a certificate for `commonName` in `organizations` (groups). */
  clientFor(identity: { commonName: string; organizations?: readonly string[] }): Promise<ApiClient>
  /** Closes every client it made and stops the server. */
  stop(): Promise<void>
}

export async function startTestApiServer(opts: Partial<Omit<ApiServerOptions, 'store' | 'caPem' | 'serving'>> = {}): Promise<TestApiServer> {
  const ca = await createCertificateAuthority()
  const serving = await ca.issue({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' })
  const store = new MemoryStore()
  const server = new ApiServer({ ...opts, store, caPem: ca.certPem, serving })
  await server.start()
  const clients: ApiClient[] = []
  const clientFor = async (identity: { commonName: string; organizations?: readonly string[] }): Promise<ApiClient> => {
    const cert = await ca.issue({ ...identity, usage: 'client' })
    const c = new ApiClient({ server: server.url, caPem: ca.certPem, certPem: cert.certPem, keyPem: cert.keyPem })
    clients.push(c)
    return c
  }
  const admin = await clientFor(Identities.admin)
  return {
    server,
    store,
    ca,
    admin,
    clientFor,
    stop: async () => {
      for (const c of clients) c.close()
      await server.stop()
    },
  }
}

/** Asserts that `p` rejects with an ApiError of this code and reason, and returns it. */
export async function rejects(p: Promise<unknown>, code: number, reason: string): Promise<ApiError> {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`)
    assert.equal(e.code, code, e.message)
    assert.equal(e.reason, reason, e.message)
    return e
  }
  assert.fail(`expected ${code} ${reason}`)
}
