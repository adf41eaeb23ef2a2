// The endpoints controller: for every Service with a selector it keeps an Endpoints object of
// the same name listing the pods the selector matches, by pod IP: ready pods under `addresses`,
// pods that are not Ready under `notReadyAddresses` (every pod is "ready" when the Service sets
// publishNotReadyAddresses), each with the Service's ports (the endpoint port keeps the Service
// port's name, which the service proxy matches on, and the targetPort resolved by number or by
// the name of a container port). Pods without an IP, finished pods and pods being deleted are
// left out. It follows Services, pods (labels, IPs, readiness) and its own Endpoints, and
// deletes the Endpoints of a deleted Service.
// Mirrors pkg/controller/endpoint/endpoints_controller.go (syncService, addEndpointSubset,
// podutil.FindPort, endpoints.RepackSubsets). Events: FailedToUpdateEndpoint (component
// endpoint-controller). Simplifies: no EndpointSlices, no last-change-trigger-time annotation,
// no 1000-address truncation.

import { ApiError } from '../../api/errors.js'
import { objectKey } from '../../api/meta.js'
import { isPodReady, isPodTerminal } from '../../api/pods.js'
import { lookupResource } from '../../api/resources.js'
import { fromLabelSelector } from '../../api/selectors.js'
import type { EndpointAddress, EndpointSubset, Endpoints, Pod, Service, ServicePort } from '../../api/types.js'
import { refFor, type ReadWriter } from '../../client/client.js'
import type { EventRecorder } from '../../client/events.js'
import { byNamespace, type Informer } from '../../client/informer.js'
import { Controller, type Reconciler } from '../controller.js'
import type { ControllerContext } from '../controller.js'

const PODS = lookupResource('', 'pods')!
const SERVICES = lookupResource('', 'services')!
const ENDPOINTS = lookupResource('', 'endpoints')!

/** Upstream podutil.FindPort: the container port a Service port's targetPort names, for one pod. */
export function findPort(pod: Pod, sp: Pick<ServicePort, 'port' | 'targetPort' | 'protocol'>): number | undefined {
  const target = sp.targetPort ?? sp.port
  if (typeof target === 'number') return target
  if (/^\d+$/.test(target)) return Number(target)
  const protocol = sp.protocol ?? 'TCP'
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort
  }
  return undefined
}

/** Upstream ShouldPodBeInEndpoints: not finished, has an IP, not being deleted (unless unready addresses are published). */
export function podInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false
  return true
}

interface Port {
  name?: string
  port: number
  protocol?: 'TCP' | 'UDP' | 'SCTP'
}

function portKey(p: Port): string {
  return `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}`
}

/**
 * The subsets of a Service's Endpoints for the pods its selector matches (already filtered by
 * selector and namespace): one subset per distinct set of ports, addresses and ports sorted,
 * as upstream's RepackSubsets leaves them. Undefined for a Service without a selector (its
 * Endpoints are someone else's).
 */
export function desiredSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] | undefined {
  if (!svc.spec?.selector) return undefined
  const publishNotReady = svc.spec.publishNotReadyAddresses === true
  const headless = svc.spec.clusterIP === 'None'
  // address (by ip) -> ports it serves, ready or not
  const entries = new Map<string, { address: EndpointAddress; ready: boolean; ports: Map<string, Port> }>()
  for (const pod of pods) {
    if (!podInEndpoints(pod, publishNotReady)) continue
    const ip = pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip ?? ''
    const address: EndpointAddress = { ip, targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid } }
    // a pod whose subdomain names this Service is addressable by its hostname (StatefulSets)
    if (pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace)
      address.hostname = pod.spec.hostname
    if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName
    const ports = new Map<string, Port>()
    for (const sp of svc.spec.ports ?? []) {
      const port = findPort(pod, sp)
      if (port === undefined) continue // no suitable port on this pod
      const p: Port = { port, protocol: sp.protocol ?? 'TCP' }
      if (sp.name) p.name = sp.name
      ports.set(portKey(p), p)
    }
    // a pod none of whose ports resolve is left out, unless a headless Service has no ports
    if (!ports.size && !(headless && !(svc.spec.ports ?? []).length)) continue
    entries.set(`${ip}/${pod.metadata?.uid}`, { address, ready: publishNotReady || isPodReady(pod), ports })
  }
  const byPorts = new Map<string, EndpointSubset & { addresses: EndpointAddress[]; notReadyAddresses: EndpointAddress[] }>()
  for (const e of entries.values()) {
    const ports = [...e.ports.values()].sort((a, b) => portKey(a).localeCompare(portKey(b)))
    const key = ports.map(portKey).join(',')
    let subset = byPorts.get(key)
    if (!subset) {
      subset = { addresses: [], notReadyAddresses: [] }
      if (ports.length) subset.ports = ports
      byPorts.set(key, subset)
    }
    ;(e.ready ? subset.addresses : subset.notReadyAddresses).push(e.address)
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress): number => compareIPs(a.ip, b.ip) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '')
  const subsets: EndpointSubset[] = []
  for (const s of byPorts.values()) {
    const out: EndpointSubset = {}
    if (s.addresses.length) out.addresses = s.addresses.sort(byIp)
    if (s.notReadyAddresses.length) out.notReadyAddresses = s.notReadyAddresses.sort(byIp)
    if (s.ports) out.ports = s.ports
    subsets.push(out)
  }
  const first = (s: EndpointSubset): string => (s.addresses ?? s.notReadyAddresses ?? [])[0]?.ip ?? ''
  return subsets.sort((a, b) => compareIPs(first(a), first(b)))
}

function compareIPs(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0)
  return a.localeCompare(b)
}

/** JSON with sorted keys and without empty arrays, to compare what the API returns with what is wanted. */
export function canonical(v: unknown): string {
  return (
    JSON.stringify(v, (_k, x: unknown) => {
      if (Array.isArray(x)) return x.length ? x : undefined
      if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      return x
    }) ?? ''
  )
}

/** The labels an Endpoints object carries: the Service's, plus the headless marker. */
export function endpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) }
  if (svc.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = ''
  return labels
}

export class EndpointsController implements Reconciler {
  readonly name = 'endpoint-controller'
  private readonly client: ReadWriter
  private readonly recorder: EventRecorder
  private readonly services: Informer<Service>
  private readonly pods: Informer<Pod>
  private readonly endpoints: Informer<Endpoints>
  private readonly controller: Controller

  constructor(ctx: ControllerContext) {
    this.client = ctx.client
    this.recorder = ctx.recorder('endpoint-controller')
    this.services = ctx.informers.informer<Service>(SERVICES)
    this.pods = ctx.informers.informer<Pod>(PODS)
    this.endpoints = ctx.informers.informer<Endpoints>(ENDPOINTS)
    this.services.addIndexer('namespace', byNamespace)
    this.pods.addIndexer('namespace', byNamespace)
    this.controller = new Controller(this, { workers: ctx.config.concurrentEndpointSyncs ?? 5 })
    const enqueue = (o: { metadata?: { namespace?: string; name?: string } }): void => this.controller.enqueue(objectKey(o))
    this.services.on({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue })
    // someone changed or removed an Endpoints object this controller keeps: put it back
    this.endpoints.on({ update: (_o, n) => enqueue(n), delete: enqueue })
    this.pods.on({
      add: (p) => this.podChanged(p),
      update: (old, p) => {
        this.podChanged(p)
        if (JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(p.metadata?.labels ?? {})) this.podChanged(old)
      },
      delete: (p) => this.podChanged(p),
    })
  }

  async start(): Promise<void> {
    this.controller.start()
  }

  async stop(): Promise<void> {
    await this.controller.stop()
  }

  /** Services in the pod's namespace whose selector matches it. */
  private podChanged(p: Pod): void {
    for (const svc of this.services.byIndex('namespace', p.metadata?.namespace ?? '')) {
      const sel = svc.spec?.selector
      if (!sel || !Object.keys(sel).length) continue
      if (fromLabelSelector({ matchLabels: sel }).matches(p.metadata?.labels)) this.controller.enqueue(objectKey(svc))
    }
  }

  async reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string]
    const svc = this.services.get(key)
    const ref = refFor(ENDPOINTS, namespace, name)
    if (!svc) {
      // the Service is gone: so are its Endpoints
      try {
        if (this.endpoints.get(key)) await this.client.delete(ref)
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e
      }
      return
    }
    if (svc.spec?.type === 'ExternalName') return
    const selector = svc.spec?.selector
    if (!selector) return
    const matches = fromLabelSelector({ matchLabels: selector })
    const pods = this.pods.byIndex('namespace', namespace).filter((p) => matches.matches(p.metadata?.labels))
    const subsets = desiredSubsets(svc, pods) ?? []
    const labels = endpointsLabels(svc)
    const current = this.endpoints.get(key)
    if (current && canonical(current.subsets ?? []) === canonical(subsets) && canonical(current.metadata?.labels ?? {}) === canonical(labels)) return
    const body: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, subsets }
    try {
      if (current) await this.client.update(ref, { ...body, metadata: { ...current.metadata, labels } })
      else await this.client.create(refFor(ENDPOINTS, namespace), body)
    } catch (e) {
      if (e instanceof ApiError && (e.code === 409 || e.code === 404)) throw e // the cache is behind: retry once it caught up
      this.recorder.event(
        svc,
        'Warning',
        'FailedToUpdateEndpoint',
        `Failed to update endpoint ${namespace}/${name}: ${e instanceof Error ? e.message : String(e)}`,
      )
      throw e
    }
  }
}
