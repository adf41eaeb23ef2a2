// One connection pool per KubeConfig, as every Kubernetes client keeps (client-go's transport
// cache, kubectl's one HTTP/2 connection): @kubernetes/client-node 2.0 builds a new undici Agent
// for every request (KubeConfig.applySecurityAuthentication -> createDispatcher, uncached), so
// each call of a step paid a TLS handshake and a fresh TLS context (the CA, certificate and key
// parsed again), and left its idle connection behind. A profile of the ci run put a fifth of the
// workers' CPU in TLS. This keeps the Agent per KubeConfig and per TLS identity (server, CA,
// client certificate and key), so a scenario's requests reuse keep-alive connections.
// What a scenario means by "separate clients" (requests spread by a load balancer over API
// servers) it asks for with a connection of its own: freshConnections().

import type { KubeConfig } from '@kubernetes/client-node'
import { KubeConfig as KubeConfigClass } from '@kubernetes/client-node'

type CreateDispatcher = (cluster: unknown, agentOptions: Record<string, unknown>) => unknown
interface Patched {
  createDispatcher: CreateDispatcher
}

const pools = new WeakMap<KubeConfig, Map<string, unknown>>()
/** KubeConfigs whose every request opens a connection of its own. */
const unpooled = new WeakSet<KubeConfig>()

const proto = KubeConfigClass.prototype as unknown as Patched
const original = proto.createDispatcher
if (typeof original !== 'function') {
  throw new Error('@kubernetes/client-node changed: KubeConfig.createDispatcher is gone; support/connections.ts needs updating')
}
proto.createDispatcher = function (this: KubeConfig, cluster, agentOptions) {
  if (unpooled.has(this)) return original.call(this, cluster, agentOptions)
  const key = identityKey(cluster, agentOptions)
  let pool = pools.get(this)
  if (!pool) pools.set(this, (pool = new Map()))
  if (!pool.has(key)) pool.set(key, original.call(this, cluster, agentOptions))
  return pool.get(key)
}

/** What decides which connection a request may share: where it goes and who it is. */
function identityKey(cluster: unknown, o: Record<string, unknown>): string {
  const c = (cluster ?? {}) as { server?: string; tlsServerName?: string; proxyUrl?: string; skipTLSVerify?: boolean }
  const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v))
  return [c.server, c.tlsServerName, c.proxyUrl, c.skipTLSVerify, o.ca, o.cert, o.key, o.pfx, o.passphrase, o.rejectUnauthorized, o.servername]
    .map(text)
    .join('\u0000')
}

/** From now on every request of this KubeConfig opens its own connection (as that many separate clients would). */
export function freshConnections(kc: KubeConfig): KubeConfig {
  unpooled.add(kc)
  return kc
}
