// The view of Services that the service proxy and the ingress controller keep: Services and
// their Endpoints from informers (list + watch through the API server), reduced to "which ready
// addresses serve port P of Service S", plus a name -> ClusterIP lookup (<svc>.<ns>.svc, as
// cluster DNS answers). Like kube-proxy's ServiceChangeTracker/EndpointsChangeTracker, it keeps
// the last state it saw while the API server is unreachable, so traffic keeps flowing.
// Simplifies: Endpoints only (no EndpointSlices); TCP only; no topology or traffic policies.

import type { KObject } from '../api/meta.js'
import type { ResourceRef } from '../client/client.js'
import { Informer, type ListerWatcher } from '../client/informer.js'

export interface Backend {
  ip: string
  port: number
  /** The pod behind the address, when the Endpoints say. */
  pod?: string
}

/** One TCP port of one Service with a ClusterIP. */
export interface ServicePortView {
  namespace: string
  name: string
  clusterIP: string
  port: number
  portName: string
  backends: Backend[]
}

interface ServicePort {
  name?: string
  port: number
  protocol?: string
  targetPort?: number | string
}

interface ServiceSpec {
  type?: string
  clusterIP?: string
  ports?: ServicePort[]
}

interface EndpointAddress {
  ip: string
  targetRef?: { kind?: string; name?: string }
}

interface EndpointSubset {
  addresses?: EndpointAddress[]
  notReadyAddresses?: EndpointAddress[]
  ports?: { name?: string; port: number; protocol?: string }[]
}

export const SERVICES: ResourceRef = { group: '', version: 'v1', resource: 'services' }
export const ENDPOINTS: ResourceRef = { group: '', version: 'v1', resource: 'endpoints' }

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`
}

/** Ready addresses of the Endpoints port that serves `servicePort` (matched by port name, as the endpoints controller names them). */
export function readyBackends(endpoints: KObject | undefined, servicePort: ServicePort): Backend[] {
  const subsets = ((endpoints as { subsets?: EndpointSubset[] } | undefined)?.subsets ?? []) as EndpointSubset[]
  const want = servicePort.name ?? ''
  const out: Backend[] = []
  for (const subset of subsets) {
    const port = (subset.ports ?? []).find((p) => (p.name ?? '') === want && (p.protocol ?? 'TCP') === (servicePort.protocol ?? 'TCP'))
    if (!port) continue
    for (const a of subset.addresses ?? []) {
      const b: Backend = { ip: a.ip, port: port.port }
      if (a.targetRef?.kind === 'Pod' && a.targetRef.name) b.pod = a.targetRef.name
      out.push(b)
    }
  }
  return out
}

export class ServiceTable {
  private readonly services: Informer
  private readonly endpoints: Informer
  private readonly listeners: (() => void)[] = []

  constructor(client: ListerWatcher) {
    const backoffMs = { initial: 200, max: 2_000 }
    this.services = new Informer(client, SERVICES, { backoffMs })
    this.endpoints = new Informer(client, ENDPOINTS, { backoffMs })
    const changed = { add: () => this.emit(), update: () => this.emit(), delete: () => this.emit() }
    this.services.on(changed)
    this.endpoints.on(changed)
  }

  async start(): Promise<void> {
    await Promise.all([this.services.start(), this.endpoints.start()])
    this.emit()
  }

  stop(): void {
    this.services.stop()
    this.endpoints.stop()
  }

  /** Called after every change of a Service or Endpoints. */
  onChange(fn: () => void): void {
    this.listeners.push(fn)
  }

  private emit(): void {
    for (const fn of this.listeners) {
      try {
        fn()
      } catch (e) {
        console.error('service table listener failed:', e)
      }
    }
  }

  service(namespace: string, name: string): KObject | undefined {
    return this.services.get(key(namespace, name))
  }

  /** Every TCP port of every Service that has a ClusterIP, with its ready backends. */
  ports(): ServicePortView[] {
    const out: ServicePortView[] = []
    for (const svc of this.services.list()) {
      const spec = (svc.spec ?? {}) as ServiceSpec
      const ip = spec.clusterIP
      if (!ip || ip === 'None' || spec.type === 'ExternalName') continue
      const namespace = svc.metadata?.namespace ?? ''
      const name = svc.metadata?.name ?? ''
      const eps = this.endpoints.get(key(namespace, name))
      for (const p of spec.ports ?? []) {
        if ((p.protocol ?? 'TCP') !== 'TCP') continue
        out.push({ namespace, name, clusterIP: ip, port: p.port, portName: p.name ?? '', backends: readyBackends(eps, p) })
      }
    }
    return out
  }

  /** Ready backends of a Service port given by number or name (as an Ingress backend names it). */
  backends(namespace: string, name: string, port: number | string | undefined): Backend[] {
    const svc = this.service(namespace, name)
    if (!svc) return []
    const ports = ((svc.spec ?? {}) as ServiceSpec).ports ?? []
    const p =
      port === undefined ? (ports.length === 1 ? ports[0] : undefined) : ports.find((x) => (typeof port === 'number' ? x.port === port : x.name === port))
    if (!p) return []
    return readyBackends(this.endpoints.get(key(namespace, name)), p)
  }

  /**
   * The ClusterIP of a Service named as cluster DNS would: `<svc>.<ns>`, `<svc>.<ns>.svc`,
   * `<svc>.<ns>.svc.cluster.local` (or `<svc>` within `defaultNamespace`).
   */
  lookup(host: string, defaultNamespace?: string): string | undefined {
    const parts = host.replace(/\.$/, '').split('.')
    let svc: string | undefined
    let ns: string | undefined
    if (parts.length === 1) [svc, ns] = [parts[0], defaultNamespace]
    else if (parts.length === 2 || (parts.length === 3 && parts[2] === 'svc') || (parts.length === 5 && parts.slice(2).join('.') === 'svc.cluster.local'))
      [svc, ns] = [parts[0], parts[1]]
    if (!svc || !ns) return undefined
    const ip = ((this.service(ns, svc)?.spec ?? {}) as ServiceSpec).clusterIP
    return ip && ip !== 'None' ? ip : undefined
  }

  get synced(): boolean {
    return this.services.hasSynced && this.endpoints.hasSynced
  }
}
