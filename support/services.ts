// How a scenario reaches a Service or an Ingress by name, as a client inside a cluster would:
// cluster DNS names (`<svc>.<ns>.svc.cluster.local`, `<svc>.<ns>.svc`, `<svc>.<ns>`, or `<svc>` in
// the scenario's namespace) resolve to the Service's ClusterIP, read through the API; an
// Ingress's address is what its controller published in status.loadBalancer. Works on any
// target whose addresses the test machine can reach (the built-in cluster's are on loopback).
// Requests go out one connection each, so a proxy that balances connections is seen to.

import http from 'node:http'
import { CoreV1Api, type KubeConfig, type KubernetesObject, type V1Endpoints } from '@kubernetes/client-node'
import { read } from './kube.js'

export interface ServiceName {
  name: string
  namespace: string
}

/** Splits a DNS-style Service name; undefined when it is not one. */
export function parseServiceName(host: string, defaultNamespace: string): ServiceName | undefined {
  const parts = host.replace(/\.$/, '').split('.')
  if (parts.some((p) => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p))) return undefined
  if (parts.length === 1) return { name: parts[0]!, namespace: defaultNamespace }
  if (parts.length === 2 || (parts.length === 3 && parts[2] === 'svc') || (parts.length === 5 && parts.slice(2).join('.') === 'svc.cluster.local')) {
    return { name: parts[0]!, namespace: parts[1]! }
  }
  return undefined
}

export interface Address {
  ip: string
  port: number
}

interface ServiceSpec {
  clusterIP?: string
  ports?: { name?: string; port: number }[]
}

/** The ClusterIP and port of a Service (its only port, or the one named / numbered `port`). */
export async function serviceAddress(kc: KubeConfig, host: string, defaultNamespace: string, port?: string | number): Promise<Address> {
  const id = parseServiceName(host, defaultNamespace)
  if (!id) throw new Error(`"${host}" is not a Service name (<service>[.<namespace>[.svc[.cluster.local]]])`)
  const svc = (await read(kc, { kind: 'Service', ...id }, defaultNamespace)) as (KubernetesObject & { spec?: ServiceSpec }) | undefined
  if (!svc) throw new Error(`service "${id.name}" not found in namespace "${id.namespace}"`)
  const ip = svc.spec?.clusterIP
  if (!ip || ip === 'None') throw new Error(`service ${id.namespace}/${id.name} has no ClusterIP (${ip ?? 'none'})`)
  const ports = svc.spec?.ports ?? []
  const p = port === undefined ? (ports.length === 1 ? ports[0] : undefined) : ports.find((x) => x.name === port || x.port === Number(port))
  if (!p) throw new Error(`service ${id.namespace}/${id.name} has ${ports.length} ports (${ports.map((x) => x.name ?? x.port).join(', ')}); say which`)
  return { ip, port: p.port }
}

/** The address an Ingress's controller published (status.loadBalancer.ingress[0]); port 80 unless it names another. */
export async function ingressAddress(kc: KubeConfig, name: string, namespace: string): Promise<Address | undefined> {
  const ing = (await read(kc, { kind: 'Ingress', name, namespace }, namespace)) as
    (KubernetesObject & { status?: { loadBalancer?: { ingress?: { ip?: string; ports?: { port: number }[] }[] } } }) | undefined
  const lb = ing?.status?.loadBalancer?.ingress?.[0]
  if (!lb?.ip) return undefined
  return { ip: lb.ip, port: lb.ports?.[0]?.port ?? 80 }
}

/** One HTTP GET on a fresh connection (the service proxy balances connections): status and body, or the error code. */
export function httpGet(url: string, timeoutMs = 3_000): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const u = new URL(url)
    const req = http.get({ host: u.hostname, port: u.port || 80, path: u.pathname + u.search, agent: false, timeout: timeoutMs }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }))
    })
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })))
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }))
  })
}

/** An http:// URL whose host is a Service name, with the host replaced by the Service's ClusterIP and port. */
export async function serviceURL(kc: KubeConfig, url: string, defaultNamespace: string): Promise<string> {
  const u = new URL(url)
  if (parseServiceName(u.hostname, defaultNamespace) === undefined) return url
  const a = await serviceAddress(kc, u.hostname, defaultNamespace, u.port || undefined)
  return `http://${a.ip}:${a.port}${u.pathname}${u.search}`
}

/** Which pod answered, from the test app's page (`pod=<name> namespace=...`). */
export function answeringPod(body: string): string | undefined {
  return /^pod=(\S+)/.exec(body)?.[1]
}

export interface EndpointsView {
  /** Uids of the pods under `addresses`, sorted. */
  ready: string[]
  /** Uids of the pods under `notReadyAddresses`, sorted. */
  notReady: string[]
  portNames: string[]
}

/** The pod uids an Endpoints object lists, ready and not, and its port names. */
export function endpointsView(e: V1Endpoints | undefined): EndpointsView {
  const uids = (as: { targetRef?: { uid?: string } }[] | undefined) => (as ?? []).map((a) => a.targetRef?.uid ?? '?')
  const subsets = e?.subsets ?? []
  return {
    ready: subsets.flatMap((s) => uids(s.addresses)).sort(),
    notReady: subsets.flatMap((s) => uids(s.notReadyAddresses)).sort(),
    portNames: [...new Set(subsets.flatMap((s) => (s.ports ?? []).map((p) => p.name ?? '')))].sort(),
  }
}

/** The Endpoints of a Service as a view (empty when there are none yet). */
export async function endpointsOf(kc: KubeConfig, namespace: string, service: string): Promise<EndpointsView> {
  try {
    return endpointsView(await kc.makeApiClient(CoreV1Api).readNamespacedEndpoints({ name: service, namespace }))
  } catch (e) {
    if ((e as { code?: number }).code === 404) return endpointsView(undefined)
    throw e
  }
}
