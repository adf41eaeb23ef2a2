// metrics-server: the cluster's resource metrics pipeline. Every metric resolution (15 s by
// default) it scrapes every node's kubelet (/metrics/resource, with its own identity,
// system:serviceaccount:kube-system:metrics-server) and keeps the last two readings; it serves
// metrics.k8s.io/v1beta1 (NodeMetrics, PodMetrics: get and list, label selectors, Tables for
// `kubectl get`) on its own HTTPS endpoint, which the API server's aggregation layer proxies
// to, so `kubectl top` and the HPA controller read it through the API server as upstream.
// Requests are authenticated as the aggregator forwards them: a client certificate of the
// cluster CA whose name is an allowed front proxy (front-proxy-client), the user in
// X-Remote-User / X-Remote-Group.
// Mirrors sigs.k8s.io/metrics-server (pkg/server, pkg/scraper, pkg/storage, pkg/api).
// Simplifies: authorization is the API server's (no delegated SubjectAccessReview here); the
// front proxy's certificate comes from the cluster CA (no separate requestheader CA).

import https from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { ApiError, encodeStatus, methodNotSupported, notFound, unauthorized } from '../api/errors.js'
import { goJsonLine } from '../api/json.js'
import {
  formatMemory,
  formatNanoCores,
  goDuration,
  METRICS_API_VERSION,
  METRICS_GROUP,
  METRICS_VERSION,
  type NodeMetrics,
  type PodMetrics,
} from '../api/metrics.js'
import { nowTimestamp, type Status } from '../api/meta.js'
import { parseQuantity } from '../api/quantity.js'
import { lookupResource } from '../api/resources.js'
import { parseFieldSelector, parseLabelSelector, type Selector } from '../api/selectors.js'
import type { Node, Pod } from '../api/types.js'
import { refFor, type ApiClient } from '../client/client.js'
import { byNamespace, Informer } from '../client/informer.js'
import type { Runnable } from '../client/runnable.js'
import { KubeletScraper, type NodeBatch } from './scrape.js'
import { MetricsStorage } from './storage.js'

const NODES = lookupResource('', 'nodes')!
const PODS = lookupResource('', 'pods')!

/** metrics-server's --metric-resolution default. */
export const DEFAULT_METRIC_RESOLUTION_MS = 15_000

export interface MetricsServerOptions {
  /** Loopback address to listen on; port 0 picks a free one. */
  host: string
  port?: number
  caPem: string
  /** Serving certificate (for `host`). */
  serving: { certPem: string; keyPem: string }
  /** The client certificate metrics-server shows kubelets. */
  kubeletClient: { certPem: string; keyPem: string }
  /** How often every kubelet is scraped (--metric-resolution). */
  resolutionMs?: number
  /** Client certificate names allowed to forward requests with X-Remote-* headers (--requestheader-allowed-names). */
  allowedProxyNames?: string[]
}

export class MetricsServer implements Runnable {
  readonly name = 'metrics-server'
  private readonly server: https.Server
  private readonly nodes: Informer<Node>
  private readonly pods: Informer<Pod>
  private readonly storage = new MetricsStorage()
  private readonly scraper: KubeletScraper
  private readonly resolutionMs: number
  private timer?: NodeJS.Timeout
  private scraping?: Promise<void>
  private scrapedOnce = false
  private address?: AddressInfo
  private stopped = false

  constructor(
    private readonly client: ApiClient,
    private readonly opts: MetricsServerOptions,
  ) {
    this.resolutionMs = opts.resolutionMs ?? DEFAULT_METRIC_RESOLUTION_MS
    this.scraper = new KubeletScraper({ caPem: opts.caPem, ...opts.kubeletClient, timeoutMs: Math.max(500, Math.floor(this.resolutionMs * 0.9)) })
    this.nodes = new Informer<Node>(client, refFor(NODES))
    this.pods = new Informer<Pod>(client, refFor(PODS))
    this.pods.addIndexer('namespace', byNamespace)
    this.server = https.createServer(
      { key: opts.serving.keyPem, cert: opts.serving.certPem, ca: opts.caPem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
      (req, res) => void this.handle(req, res),
    )
    this.server.on('tlsClientError', () => {
      /* a refused handshake: the caller sees the connection fail */
    })
  }

  /** Where the API is served (https://host:port), once started. */
  get url(): string {
    if (!this.address) throw new Error('metrics-server is not started')
    return `https://${this.address.address}:${this.address.port}`
  }

  get port(): number {
    if (!this.address) throw new Error('metrics-server is not started')
    return this.address.port
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.opts.port ?? 0, this.opts.host, () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    this.address = this.server.address() as AddressInfo
    await Promise.all([this.nodes.start(), this.pods.start()])
    // the first scrape at once, then one per resolution (upstream's ticker)
    this.tick()
    this.timer = setInterval(() => this.tick(), this.resolutionMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    clearInterval(this.timer)
    this.nodes.stop()
    this.pods.stop()
    await this.scraping?.catch(() => undefined)
    this.scraper.close()
    if (this.server.listening) {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
      this.server.closeAllConnections()
      await closed
    }
    this.client.close()
  }

  // -------------------------------------------------------------------------------------------
  // scraping

  private tick(): void {
    if (this.stopped || this.scraping) return // a slow scrape is not stacked on
    this.scraping = this.scrapeAll().finally(() => (this.scraping = undefined))
  }

  private async scrapeAll(): Promise<void> {
    const batches = new Map<string, NodeBatch>()
    await Promise.all(
      this.nodes.list().map(async (n) => {
        const name = n.metadata?.name ?? ''
        const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address
        const port = n.status?.daemonEndpoints?.kubeletEndpoint?.Port
        if (!ip || !port) return
        try {
          batches.set(name, await this.scraper.scrape(ip, port))
        } catch (e) {
          if (!this.stopped) console.error(`metrics-server: failed to scrape node "${name}": ${e instanceof Error ? e.message : String(e)}`)
        }
      }),
    )
    if (this.stopped) return
    this.storage.store(batches)
    this.scrapedOnce = true
  }

  // -------------------------------------------------------------------------------------------
  // the API

  private authenticate(req: IncomingMessage): { user: string; groups: string[] } {
    const socket = req.socket as TLSSocket
    const cert = socket.getPeerCertificate()
    const cn = cert?.subject?.CN
    const name = Array.isArray(cn) ? cn[0] : cn
    const allowed = this.opts.allowedProxyNames ?? ['front-proxy-client']
    const user = req.headersDistinct['x-remote-user']?.[0]
    if (!socket.authorized || !name || !allowed.includes(name) || !user) throw unauthorized()
    return { user, groups: req.headersDistinct['x-remote-group'] ?? [] }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://metrics-server')
    const path = url.pathname.replace(/\/+$/, '') || '/'
    try {
      if (path === '/healthz' || path === '/livez') return this.text(res, 200, 'ok')
      if (path === '/readyz')
        return this.scrapedOnce ? this.text(res, 200, 'ok') : this.text(res, 500, '[-]metric-storage-ready failed: not metrics to serve\nreadyz check failed')
      this.authenticate(req)
      if (req.method !== 'GET' && req.method !== 'HEAD')
        throw methodNotSupported({ group: METRICS_GROUP, resource: path.split('/').pop() ?? '' }, req.method ?? '')
      const body = this.answer(path, url.searchParams, req.headers.accept)
      this.json(res, 200, body.doc, body.contentType)
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', e instanceof Error ? e.message : String(e))
      this.json(res, err.code, err.toStatus())
    }
  }

  private answer(path: string, q: URLSearchParams, accept: string | undefined): { doc: unknown; contentType?: string } {
    const base = `/apis/${METRICS_GROUP}/${METRICS_VERSION}`
    if (path === '/apis') return { doc: { kind: 'APIGroupList', apiVersion: 'v1', groups: [groupDoc()] } }
    if (path === `/apis/${METRICS_GROUP}`) return { doc: { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc() } }
    if (path === base) return { doc: resourceList() }
    if (!path.startsWith(`${base}/`)) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource')
    const parts = path
      .slice(base.length + 1)
      .split('/')
      .map(decodeURIComponent)
    if (q.get('watch') === 'true' || q.get('watch') === '1')
      throw methodNotSupported({ group: METRICS_GROUP, resource: parts.includes('nodes') ? 'nodes' : 'pods' }, 'watch')
    const table = wantsTable(accept)
    const labels = parseLabelSelector(q.get('labelSelector'))
    // nodes[/name]
    if (parts[0] === 'nodes' && parts.length <= 2) {
      if (parts[1]) {
        const m = this.nodeMetrics(parts[1])
        if (!m) throw notFound({ group: METRICS_GROUP, resource: 'nodemetrics' }, parts[1])
        return table ? tableOf('NodeMetrics', [m]) : { doc: m }
      }
      const items = this.nodes
        .list()
        .filter((n) => labels.matches(n.metadata?.labels))
        .map((n) => this.nodeMetrics(n.metadata?.name ?? ''))
        .filter((m): m is NodeMetrics => !!m)
        .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
      return table ? tableOf('NodeMetrics', items) : { doc: { kind: 'NodeMetricsList', apiVersion: METRICS_API_VERSION, metadata: {}, items } }
    }
    // pods, namespaces/<ns>/pods[/name]
    let namespace = ''
    let rest = parts
    if (parts[0] === 'namespaces' && parts.length >= 3) {
      namespace = parts[1]!
      rest = parts.slice(2)
    }
    if (rest[0] === 'pods' && rest.length <= 2 && !(rest[1] && !namespace)) {
      if (rest[1]) {
        const pod = this.pods.get(`${namespace}/${rest[1]}`)
        const m = pod && this.podMetrics(pod)
        if (!m) throw notFound({ group: METRICS_GROUP, resource: 'podmetrics' }, `${namespace}/${rest[1]}`)
        return table ? tableOf('PodMetrics', [m]) : { doc: m }
      }
      const fields = parseFieldSelector(q.get('fieldSelector'), 'Pod')
      const items = this.matchingPods(namespace, labels)
        .filter((p) => fields.matches(p))
        .map((p) => this.podMetrics(p))
        .filter((m): m is PodMetrics => !!m)
        .sort((a, b) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`))
      return table ? tableOf('PodMetrics', items) : { doc: { kind: 'PodMetricsList', apiVersion: METRICS_API_VERSION, metadata: {}, items } }
    }
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource')
  }

  private matchingPods(namespace: string, labels: Selector): Pod[] {
    const pods = namespace ? this.pods.byIndex('namespace', namespace) : this.pods.list()
    return pods.filter((p) => labels.matches(p.metadata?.labels))
  }

  private nodeMetrics(name: string): NodeMetrics | undefined {
    const u = this.storage.nodeUsage(name)
    const node = this.nodes.get(name)
    if (!u || !node) return undefined
    return {
      kind: 'NodeMetrics',
      apiVersion: METRICS_API_VERSION,
      metadata: { name, labels: { ...(node.metadata?.labels ?? {}) }, creationTimestamp: nowTimestamp() },
      timestamp: new Date(u.timestamp).toISOString(),
      window: goDuration(u.windowMs),
      usage: { cpu: formatNanoCores(u.cpuNanoCores), memory: formatMemory(u.memoryBytes) },
    }
  }

  private podMetrics(pod: Pod): PodMetrics | undefined {
    const ns = pod.metadata?.namespace ?? ''
    const name = pod.metadata?.name ?? ''
    const u = this.storage.podUsage(ns, name)
    if (!u) return undefined
    return {
      kind: 'PodMetrics',
      apiVersion: METRICS_API_VERSION,
      metadata: { name, namespace: ns, labels: { ...(pod.metadata?.labels ?? {}) }, creationTimestamp: nowTimestamp() },
      timestamp: new Date(u.timestamp).toISOString(),
      window: goDuration(u.windowMs),
      containers: u.containers.map(([c, usage]) => ({ name: c, usage: { cpu: formatNanoCores(usage.cpuNanoCores), memory: formatMemory(usage.memoryBytes) } })),
    }
  }

  /** As the API server's serializer writes JSON (json.Encoder: Go's escapes, a trailing newline; a Status in its field order). */
  private json(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
    const isStatus = (body as { kind?: unknown } | null)?.kind === 'Status'
    const text = isStatus ? `${encodeStatus(body as Status)}\n` : goJsonLine(JSON.stringify(body))
    res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' }).end(text)
  }

  private text(res: ServerResponse, code: number, text: string): void {
    res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) }).end(text)
  }
}

function groupDoc(): Record<string, unknown> {
  const gv = { groupVersion: METRICS_API_VERSION, version: METRICS_VERSION }
  return { name: METRICS_GROUP, versions: [gv], preferredVersion: gv }
}

function resourceList(): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: METRICS_API_VERSION,
    resources: [
      { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
      { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
    ],
  }
}

const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io'

function wantsTable(accept: string | undefined): boolean {
  return Boolean(accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept))
}

/** metrics-server's table convertor: Name, CPU, Memory, Window (a pod's usage is its containers' sum). */
function tableOf(kind: 'NodeMetrics' | 'PodMetrics', items: (NodeMetrics | PodMetrics)[]): { doc: unknown; contentType: string } {
  const col = (name: string, description: string, format?: string): Record<string, unknown> => ({
    name,
    type: 'string',
    format: format ?? '',
    description,
    priority: 0,
  })
  const rows = items.map((m) => {
    let cpu: string
    let memory: string
    if (kind === 'NodeMetrics') ({ cpu, memory } = (m as NodeMetrics).usage)
    else {
      const cs = (m as PodMetrics).containers
      cpu = formatNanoCores(cs.reduce((n, c) => n + nanoCores(c.usage.cpu), 0))
      memory = formatMemory(cs.reduce((n, c) => n + bytes(c.usage.memory), 0))
    }
    return {
      cells: [m.metadata?.name ?? '', cpu, memory, m.window],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: m.metadata },
    }
  })
  return {
    doc: {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: {},
      columnDefinitions: [
        col('Name', 'Name of the resource', 'name'),
        col('CPU', 'CPU usage'),
        col('Memory', 'Memory usage'),
        col('Window', 'Interval over which the usage was measured'),
      ],
      rows,
    },
    contentType: TABLE_CONTENT_TYPE,
  }
}

function nanoCores(q: string): number {
  return Math.round((parseQuantity(q) ?? 0) * 1e9)
}

function bytes(q: string): number {
  return parseQuantity(q) ?? 0
}
