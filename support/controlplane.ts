// What control-plane scenarios do: write probes through the API (recording every write the API
// acknowledged, so a later step can check none was lost), read Leases, send requests in a row
// through the cluster's address, and reach the built-in cluster's fault door (etcd members,
// API servers, controller managers). Write latency is measured through the API of clusters
// that differ only in their number of etcd members.

import { CoordinationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { Etcd3 } from 'etcd3'
import { randomUUID } from 'node:crypto'
import { readAuditLog } from './audit.js'
import { freshConnections } from './connections.js'
import { eventually } from './eventually.js'
import { create, read, toStatus, type StatusError } from './kube.js'
import type { ControlPlaneDoor, Session } from './targets/target.js'

export function door(s: Session): ControlPlaneDoor {
  if (!s.controlPlane) throw new Error('this target has no fault door (the scenario needs the @faults tag and the built-in target)')
  return s.controlPlane
}

/** A write the API acknowledged: the object's name and the resourceVersion it was given. */
export interface AcknowledgedWrite {
  name: string
  resourceVersion: number
}

export type WriteOutcome = { ok: true; write: AcknowledgedWrite } | { ok: false; status: StatusError }

const ledgers = new WeakMap<object, { next: number; acknowledged: AcknowledgedWrite[] }>()

function ledger(owner: object): { next: number; acknowledged: AcknowledgedWrite[] } {
  let l = ledgers.get(owner)
  if (!l) ledgers.set(owner, (l = { next: 1, acknowledged: [] }))
  return l
}

/**
 * Creates a fresh ConfigMap `write-<n>`; records it if the API acknowledged it. A connection the
 * cluster's address closed before any answer (a load balancer shuts an API server's sessions
 * when it marks it down, as HAProxy's on-marked-down shutdown-sessions) is not a refusal: the
 * write is sent once more, as `write-<n+1>`, on a new connection, as a client reconnects. A
 * refusal (a Status) is never retried, and only acknowledged writes are recorded.
 */
export async function writeProbe(owner: object, kc: KubeConfig, namespace: string): Promise<WriteOutcome> {
  const l = ledger(owner)
  const attempt = async (config: KubeConfig): Promise<WriteOutcome> => {
    const name = `write-${l.next++}`
    try {
      const o = await create(config, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace },
        data: { written: new Date().toISOString() },
      } as never)
      const write = { name, resourceVersion: Number(o.metadata?.resourceVersion) }
      l.acknowledged.push(write)
      return { ok: true, write }
    } catch (e) {
      return { ok: false, status: toStatus(e) }
    }
  }
  try {
    return await attempt(kc)
  } catch (e) {
    if (!connectionClosedUnanswered(e)) throw e
    return attempt(freshConnections(kc))
  }
}

/** A request whose connection ended before any answer came (undici: fetch failed, caused by the socket closing). */
function connectionClosedUnanswered(e: unknown): boolean {
  const cause = e instanceof Error ? (e as { cause?: unknown }).cause : undefined
  return (
    e instanceof TypeError &&
    e.message === 'fetch failed' &&
    cause instanceof Error &&
    /other side closed|ECONNRESET|socket hang up/i.test(`${cause.message} ${(cause as { code?: string }).code ?? ''}`)
  )
}

export function acknowledgedWrites(owner: object): AcknowledgedWrite[] {
  return [...ledger(owner).acknowledged]
}

/** The acknowledged writes that cannot be read back (missing, or with an older resourceVersion). */
export async function lostWrites(owner: object, kc: KubeConfig, namespace: string): Promise<string[]> {
  const lost: string[] = []
  for (const w of acknowledgedWrites(owner)) {
    const o = await read(kc, { kind: 'ConfigMap', name: w.name }, namespace)
    if (!o) lost.push(`${w.name} (acknowledged at ${w.resourceVersion}) is missing`)
    else if (Number(o.metadata?.resourceVersion) < w.resourceVersion)
      lost.push(`${w.name} is at ${o.metadata?.resourceVersion}, older than the acknowledged ${w.resourceVersion}`)
  }
  return lost
}

/** The holder of a coordination.k8s.io Lease, as any client reads it. */
export async function leaseHolder(kc: KubeConfig, namespace: string, name: string): Promise<string | undefined> {
  const lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace, name })
  return lease.spec?.holderIdentity || undefined
}

/**
 * Sends `n` list requests one after the other, up to the first failure; returns the failure. `labelSelector` marks
 * them (it selects nothing) so they can be found in the audit log. Each request opens its own
 * connection, as `n` separate clients would: a load balancer spreads connections, not requests.
 * As in writeProbe, a connection the cluster's address closed before any answer (the load
 * balancer shutting the sessions of an API server it just marked down) is not a failure: the
 * request is sent once more, on a new connection, as a client reconnects; a second one is.
 */
export async function requestsInARow(kc: KubeConfig, n: number, labelSelector?: string): Promise<string[]> {
  const own = new KubeConfig()
  own.loadFromString(kc.exportConfig())
  const api = freshConnections(own).makeApiClient(CoreV1Api)
  const failures: string[] = []
  for (let i = 0; i < n; i++) {
    try {
      await api.listNamespace({ limit: 1, labelSelector }).catch((e: unknown) => {
        if (!connectionClosedUnanswered(e)) throw e
        return api.listNamespace({ limit: 1, labelSelector })
      })
    } catch (e) {
      failures.push(`request ${i + 1}: ${e instanceof Error ? e.message : String(e)}`)
      break // no longer in a row: the rest would only add their timeouts
    }
  }
  return failures
}

/** The same credentials, talking to one API server directly instead of the cluster's address. */
export function kubeconfigFor(kc: KubeConfig, server: string): KubeConfig {
  const out = new KubeConfig()
  out.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, server })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  })
  return out
}

/** An etcd cluster as one member describes it (etcdctl member list --endpoints <url>). */
export interface EtcdMemberList {
  endpoint: string
  clusterId: string
  members: { name: string; clientUrls: string[] }[]
}

/** Asks etcd itself, member by member, which cluster it belongs to and who its members are. */
export async function etcdMemberLists(endpoints: string[]): Promise<EtcdMemberList[]> {
  return Promise.all(
    endpoints.map(async (endpoint) => {
      const client = new Etcd3({ hosts: [endpoint], dialTimeout: 3_000 })
      try {
        const r = await client.cluster.memberList({}, { deadline: Date.now() + 5_000 })
        return { endpoint, clusterId: r.header.cluster_id, members: r.members.map((m) => ({ name: m.name, clientUrls: [...m.clientURLs] })) }
      } finally {
        client.close()
      }
    }),
  )
}

/** Write latency through one cluster's API, in ms: p50/p90 as the client saw it, p50 as the API server's audit log times it. */
export interface ApiWriteLatency {
  etcdMembers: number
  writes: number
  clientP50: number
  clientP90: number
  /** From RequestReceived to ResponseComplete in the audit log: the API server's own work and the store's, without the client's TLS handshake. */
  serverP50: number
  serverP90: number
}

/** A cluster to measure: the admin kubeconfig, a namespace to write in, the API server's audit log. */
export interface LatencySubject {
  etcdMembers: number
  kubeconfig: KubeConfig
  namespace: string
  auditLogFile: string
}

const quantile = (xs: number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 100) / 100
}

const auditMs = (ts: string): number => Date.parse(ts.replace(/(\.\d{3})\d*Z$/, '$1Z'))

/**
 * Times `writes` ConfigMap creates through each cluster's API, one at a time and interleaved:
 * one write to each cluster per round, in an order that rotates every round, so the load of a
 * shared machine falls on every cluster alike.
 */
export async function measureApiWriteLatency(clusters: LatencySubject[], writes: number): Promise<ApiWriteLatency[]> {
  const client = clusters.map(() => [] as number[])
  const value = 'v'.repeat(256)
  const run = `latency-${randomUUID().slice(0, 8)}`
  const write = async (i: number, name: string): Promise<number> => {
    const c = clusters[i]!
    const t0 = performance.now()
    await create(c.kubeconfig, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: c.namespace }, data: { value } } as never)
    return performance.now() - t0
  }
  // warm up connections, caches and each etcd leader
  for (let i = 0; i < clusters.length; i++) for (let w = 0; w < 5; w++) await write(i, `${run}-warmup-${w}`)
  for (let r = 0; r < writes; r++) {
    for (let k = 0; k < clusters.length; k++) {
      const i = (r + k) % clusters.length
      client[i]!.push(await write(i, `${run}-${r}`))
    }
  }
  const measured = new RegExp(`^${run}-\\d+$`)
  return Promise.all(
    clusters.map(async (c, i) => {
      // the audit log is written as requests complete; wait for the last lines to land
      const server = await eventually(
        async () =>
          (await readAuditLog(c.auditLogFile)).filter((e) => e.stage === 'ResponseComplete' && e.verb === 'create' && measured.test(e.objectRef?.name ?? '')),
        (events) => events.length === writes,
        5_000,
        { describe: `the audit log of the ${c.etcdMembers}-member cluster to record its ${writes} writes` },
      )
      const took = server.map((e) => auditMs(e.stageTimestamp) - auditMs(e.requestReceivedTimestamp))
      return {
        etcdMembers: c.etcdMembers,
        writes,
        clientP50: quantile(client[i]!, 0.5),
        clientP90: quantile(client[i]!, 0.9),
        serverP50: quantile(took, 0.5),
        serverP90: quantile(took, 0.9),
      }
    }),
  )
}

export function latencyTable(rows: ApiWriteLatency[]): string {
  const lines = ['| etcd members | writes | API server p50 ms | API server p90 ms | client p50 ms | client p90 ms |', '|---:|---:|---:|---:|---:|---:|']
  for (const r of rows)
    lines.push(
      `| ${r.etcdMembers} | ${r.writes} | ${r.serverP50.toFixed(1)} | ${r.serverP90.toFixed(1)} | ${r.clientP50.toFixed(1)} | ${r.clientP90.toFixed(1)} |`,
    )
  return lines.join('\n')
}

/**
 * Every master down, as when the control-plane machines lose power together: every scheduler
 * and controller manager crashes (their Leases are left to expire), then every API server stops,
 * then, with stacked etcd, the etcd members on those machines die. In that order nothing waits on
 * a request that can no longer finish. Worker nodes, the service proxy and the ingress keep
 * running on what they last saw.
 */
export async function stopEveryMaster(d: ControlPlaneDoor): Promise<string[]> {
  const shape = d.shape()
  const names = shape.masters.map((m) => m.name)
  await Promise.all(names.flatMap((m) => [d.crashScheduler(m), d.crashControllerManager(m)]))
  await Promise.all(names.map((m) => d.killApiServer(m)))
  await Promise.all(names.flatMap((m) => stackedMembers(shape, m)).map((member) => d.killEtcdMember(member)))
  return names
}

/** The masters come back in boot order: etcd members, API servers, then the components that need them. */
export async function startMasters(d: ControlPlaneDoor, names: readonly string[], timeoutMs = 30_000): Promise<void> {
  const shape = d.shape()
  const members = names.flatMap((m) => stackedMembers(shape, m))
  for (const member of members) await d.restartEtcdMember(member)
  if (members.length) await d.waitForEtcdLeader(timeoutMs)
  for (const m of names) await d.restartApiServer(m)
  for (const m of names) {
    await d.startControllerManager(m)
    await d.startScheduler(m)
  }
}

/** The etcd members that run on a master's machine (stacked topology only). */
function stackedMembers(shape: ReturnType<ControlPlaneDoor['shape']>, master: string): string[] {
  if (shape.etcdTopology !== 'stacked') return []
  const endpoints = shape.masters.find((m) => m.name === master)?.etcdEndpoints ?? []
  return shape.etcdMembers.filter((e) => endpoints.includes(e.clientUrl)).map((e) => e.name)
}
