// The aggregation layer: APIService objects (apiregistration.k8s.io/v1) name API groups that
// another server serves (metrics-server's metrics.k8s.io); the API server lists them in
// discovery and, after authenticating and authorizing a request as usual, proxies it to that
// server's endpoint with its front-proxy client certificate and the caller in X-Remote-User /
// X-Remote-Group. Every locally served group/version has a "Local" APIService, as upstream's
// autoregister controller creates. An availability check keeps each APIService's Available
// condition current (Passed, ServiceNotFound, MissingEndpoints, FailedDiscoveryCheck).
// Mirrors k8s.io/kube-aggregator (apiserver/handler_proxy.go, handler_apis.go,
// status/available_controller.go) with --enable-aggregator-routing (endpoints, not the
// ClusterIP). Simplifies: the availability check polls instead of watching Services and
// Endpoints; no groupPriority ordering beyond what discovery lists; HTTP/1.1 to the backend.

import https from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { ApiError } from '../../api/errors.js'
import { clone, nowTimestamp, type KObject, type StoredObject } from '../../api/meta.js'
import { lookupResource, servedGroups, storagePrefix } from '../../api/resources.js'
import type { StoreWatch } from '../../store/store.js'
import type { UserInfo } from '../auth.js'
import type { Registry } from '../registry/store.js'
import type { RequestContext } from '../registry/strategy.js'

export const APIREGISTRATION_GROUP = 'apiregistration.k8s.io'
const APISERVICES = () => lookupResource(APIREGISTRATION_GROUP, 'apiservices')!

export interface APIServiceSpec {
  group?: string
  version?: string
  service?: { namespace?: string; name?: string; port?: number }
  caBundle?: string
  insecureSkipTLSVerify?: boolean
  groupPriorityMinimum?: number
  versionPriority?: number
}

export interface APIServiceCondition {
  type: string
  status: 'True' | 'False' | 'Unknown'
  lastTransitionTime?: string
  reason?: string
  message?: string
}

export interface APIService extends KObject {
  spec?: APIServiceSpec
  status?: { conditions?: APIServiceCondition[] }
}

/** The APIService name of a group/version: `v1beta1.metrics.k8s.io`, `v1.` for the core group. */
export function apiServiceName(group: string, version: string): string {
  return `${version}.${group}`
}

/** What upstream's autoregister controller writes for groups the API server serves itself. */
export function localAPIServices(): APIService[] {
  // one per served group version; the preferred version has the highest versionPriority
  return servedGroups().flatMap(({ group, versions }, i) =>
    versions.map((version, j): APIService => ({
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: apiServiceName(group, version), labels: { 'kube-aggregator.kubernetes.io/automanaged': 'onstart' } },
      spec: { group, version, groupPriorityMinimum: group === '' ? 18000 : 17000 - i * 50, versionPriority: 15 * (versions.length - j) },
      status: {
        conditions: [
          { type: 'Available', status: 'True', lastTransitionTime: nowTimestamp(), reason: 'Local', message: 'Local APIServices are always available' },
        ],
      },
    })),
  )
}

export interface ProxyTarget {
  url: URL
  ca?: string
  insecure: boolean
}

/** The outcome of resolving an APIService to an endpoint: where to go, or why not. */
type Resolution = { ok: true; target: ProxyTarget } | { ok: false; reason: string; message: string }

export interface AggregatorOptions {
  /** The front-proxy client certificate (--proxy-client-cert-file / --proxy-client-key-file). */
  proxyClient?: { certPem: string; keyPem: string }
  /** How often the Available conditions are checked (0 turns the check off). */
  availabilityCheckMs?: number
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host', 'http2-settings'])

export class Aggregator {
  private readonly agents = new Map<string, https.Agent>()
  private timer?: NodeJS.Timeout
  private checking = false
  private checkAgain = false
  private watch?: StoreWatch
  private stopped = false

  constructor(
    private readonly registry: Registry,
    private readonly opts: AggregatorOptions,
    private readonly systemContext: () => RequestContext,
  ) {}

  /** The APIService of a group/version another server serves (undefined for local or unknown ones). */
  async remote(group: string, version: string): Promise<APIService | undefined> {
    if (!group) return undefined
    const svc = (await this.registry.getFrozen(APIREGISTRATION_GROUP, 'apiservices', '', apiServiceName(group, version))) as APIService | undefined
    return svc?.spec?.service ? svc : undefined
  }

  /** Remote groups for /apis, each with its versions (highest versionPriority first). */
  async remoteGroups(): Promise<{ group: string; versions: string[] }[]> {
    const all = (await this.registry.listFrozen(APIREGISTRATION_GROUP, 'apiservices', '')) as readonly APIService[]
    const groups = new Map<string, APIService[]>()
    for (const s of all) {
      if (!s.spec?.service || !s.spec.group || !s.spec.version) continue
      groups.set(s.spec.group, [...(groups.get(s.spec.group) ?? []), s])
    }
    return [...groups]
      .sort((a, b) => (b[1][0]!.spec?.groupPriorityMinimum ?? 0) - (a[1][0]!.spec?.groupPriorityMinimum ?? 0) || a[0].localeCompare(b[0]))
      .map(([group, svcs]) => ({
        group,
        versions: svcs.sort((a, b) => (b.spec?.versionPriority ?? 0) - (a.spec?.versionPriority ?? 0)).map((s) => s.spec!.version!),
      }))
  }

  /** Resolves an APIService's Service to one ready endpoint address (as --enable-aggregator-routing). */
  async resolve(svc: APIService): Promise<Resolution> {
    const ref = svc.spec?.service ?? {}
    const ns = ref.namespace ?? ''
    const name = ref.name ?? ''
    const port = ref.port ?? 443
    const service = (await this.registry.getFrozen('', 'services', ns, name)) as
      (KObject & { spec?: { ports?: { name?: string; port: number; targetPort?: number | string }[] } }) | undefined
    if (!service) return { ok: false, reason: 'ServiceNotFound', message: `service/${name} in "${ns}" is not present` }
    const sp = service.spec?.ports?.find((p) => p.port === port)
    if (!sp) return { ok: false, reason: 'ServicePortError', message: `service/${name} in "${ns}" is not listening on port ${port}` }
    const endpoints = (await this.registry.getFrozen('', 'endpoints', ns, name)) as
      (KObject & { subsets?: { addresses?: { ip: string }[]; ports?: { name?: string; port: number }[] }[] }) | undefined
    const portName = sp.name ?? ''
    for (const subset of endpoints?.subsets ?? []) {
      const ep = (subset.ports ?? []).find((p) => (p.name ?? '') === portName) ?? (subset.ports?.length === 1 && !portName ? subset.ports[0] : undefined)
      const ip = subset.addresses?.[0]?.ip
      if (ep && ip) {
        const ca = svc.spec?.caBundle ? Buffer.from(svc.spec.caBundle, 'base64').toString('utf8') : undefined
        return { ok: true, target: { url: new URL(`https://${ip}:${ep.port}`), ca, insecure: svc.spec?.insecureSkipTLSVerify === true } }
      }
    }
    return { ok: false, reason: 'MissingEndpoints', message: `endpoints for service/${name} in "${ns}" have no addresses with port name "${portName}"` }
  }

  /**
   * Proxies an authorized request to the APIService's server and streams the answer back.
   * Rejects with a 503 Status when the service has no endpoint or cannot be reached.
   */
  async proxy(req: IncomingMessage, res: ServerResponse, svc: APIService, user: UserInfo, pathAndQuery: string): Promise<void> {
    const r = await this.resolve(svc)
    if (!r.ok) throw new ApiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request')
    if (!this.opts.proxyClient)
      throw new ApiError(503, 'ServiceUnavailable', 'the API server has no front-proxy client certificate to reach aggregated APIs with')
    const headers: Record<string, string | string[]> = {}
    for (const [k, v] of Object.entries(req.headers)) {
      const key = k.toLowerCase()
      if (
        key.startsWith(':') ||
        HOP_BY_HOP.has(key) ||
        key === 'authorization' ||
        key.startsWith('x-remote-') ||
        key.startsWith('impersonate-') ||
        v === undefined
      )
        continue
      headers[key] = v
    }
    headers['x-remote-user'] = user.name
    if (user.groups.length) headers['x-remote-group'] = [...user.groups]
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? ''
    const target = r.target
    await new Promise<void>((resolve, reject) => {
      const upstream = https.request(
        { host: target.url.hostname, port: target.url.port, method: req.method, path: pathAndQuery, headers, agent: this.agent(target) },
        (answer) => {
          const out: Record<string, string | string[]> = {}
          for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) out[k] = v
          res.writeHead(answer.statusCode ?? 502, out)
          answer.pipe(res)
          answer.on('end', () => resolve())
          answer.on('error', reject)
        },
      )
      upstream.setTimeout(30_000, () => upstream.destroy(new Error('timed out after 30 s')))
      upstream.on('error', (e) => reject(new ApiError(503, 'ServiceUnavailable', `error trying to reach service: ${e.message}`)))
      req.pipe(upstream)
    })
  }

  private agent(t: ProxyTarget): https.Agent {
    const key = `${t.url.host}|${t.insecure}|${t.ca ?? ''}`
    let a = this.agents.get(key)
    if (!a) {
      a = new https.Agent({
        keepAlive: true,
        ca: t.ca,
        rejectUnauthorized: !t.insecure,
        cert: this.opts.proxyClient?.certPem,
        key: this.opts.proxyClient?.keyPem,
      })
      this.agents.set(key, a)
    }
    return a
  }

  // -------------------------------------------------------------------------------------------
  // Available condition (upstream's AvailableConditionController)

  start(): void {
    const every = this.opts.availabilityCheckMs ?? 5_000
    if (every <= 0) return
    void this.checkAll()
    this.timer = setInterval(() => void this.checkAll(), every)
    this.timer.unref()
    void this.watchAPIServices()
  }

  /** A new or changed APIService is checked at once, as upstream's controller reacts to its informer. */
  private async watchAPIServices(): Promise<void> {
    try {
      const rev = await this.registry.store.currentRevision()
      if (this.stopped) return
      this.watch = this.registry.store.watch(storagePrefix(APISERVICES()), rev + 1, {
        onEvents: () => void this.checkAll(),
        onError: () => undefined, // the periodic check still runs
      })
    } catch {
      // the store may be down: the periodic check still runs
    }
  }

  stop(): void {
    this.stopped = true
    this.watch?.cancel()
    clearInterval(this.timer)
    for (const a of this.agents.values()) a.destroy()
    this.agents.clear()
  }

  /** Checks every remote APIService once and writes its Available condition when it changed. */
  async checkAll(): Promise<void> {
    if (this.checking) {
      this.checkAgain = true
      return
    }
    this.checking = true
    this.checkAgain = false
    try {
      const all = (await this.registry.listFrozen(APIREGISTRATION_GROUP, 'apiservices', '')) as readonly APIService[]
      for (const svc of all) {
        if (!svc.spec?.service) continue
        const cond = await this.check(svc)
        await this.writeCondition(svc.metadata?.name ?? '', cond)
      }
    } catch {
      // the store may be down: the next round tries again
    } finally {
      this.checking = false
      if (this.checkAgain && !this.stopped) void this.checkAll()
    }
  }

  private async check(svc: APIService): Promise<Omit<APIServiceCondition, 'lastTransitionTime'>> {
    const r = await this.resolve(svc)
    if (!r.ok) return { type: 'Available', status: 'False', reason: r.reason, message: r.message }
    const path = `/apis/${svc.spec?.group}/${svc.spec?.version}`
    const url = `${r.target.url.origin}${path}`
    const code = await new Promise<number | string>((resolve) => {
      const q = https.get(
        {
          host: r.target.url.hostname,
          port: r.target.url.port,
          path,
          agent: this.agent(r.target),
          headers: { 'x-remote-user': 'system:kube-aggregator', 'x-remote-group': 'system:masters' },
        },
        (answer) => {
          answer.resume()
          answer.on('end', () => resolve(answer.statusCode ?? 0))
        },
      )
      q.setTimeout(5_000, () => q.destroy(new Error('Client.Timeout exceeded while awaiting headers')))
      q.on('error', (e) => resolve(e.message))
    })
    if (typeof code === 'number' && code >= 200 && code < 300) return { type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' }
    return {
      type: 'Available',
      status: 'False',
      reason: 'FailedDiscoveryCheck',
      message:
        typeof code === 'number'
          ? `failing or missing response from ${url}: bad status from ${url}: ${code}`
          : `failing or missing response from ${url}: ${code}`,
    }
  }

  private async writeCondition(name: string, cond: Omit<APIServiceCondition, 'lastTransitionTime'>): Promise<void> {
    const current = (await this.registry.getFrozen(APIREGISTRATION_GROUP, 'apiservices', '', name)) as APIService | undefined
    const old = current?.status?.conditions?.find((c) => c.type === 'Available')
    if (old && old.status === cond.status && old.reason === cond.reason && old.message === cond.message) return
    await this.registry.guaranteedUpdate(this.systemContext(), APISERVICES(), '', name, 'status', (o: StoredObject) => {
      const next = clone(o) as StoredObject & APIService
      const others = (next.status?.conditions ?? []).filter((c) => c.type !== 'Available')
      const keep = old && old.status === cond.status ? old.lastTransitionTime : nowTimestamp()
      next.status = { ...(next.status ?? {}), conditions: [...others, { ...cond, lastTransitionTime: keep }] }
      return next
    })
  }
}
