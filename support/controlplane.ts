// What control-plane scenarios do: write probes through the API (recording every write the API
// acknowledged, so a later step can check none was lost), read Leases, send requests in a row
// through the cluster's address, and reach the built-in cluster's fault door (etcd members,
// API servers, controller managers). Latency of etcd itself is measured on fresh etcd clusters.

import { CoordinationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { Etcd3 } from 'etcd3'
import { EtcdCluster, measureWriteLatency, type WriteLatency } from '../orchestrator/cluster/etcd.js'
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

/** Creates a fresh ConfigMap `write-<n>`; records it if the API acknowledged it. */
export async function writeProbe(owner: object, kc: KubeConfig, namespace: string): Promise<WriteOutcome> {
  const l = ledger(owner)
  const name = `write-${l.next++}`
  try {
    const o = await create(kc, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { written: new Date().toISOString() } } as never)
    const write = { name, resourceVersion: Number(o.metadata?.resourceVersion) }
    l.acknowledged.push(write)
    return { ok: true, write }
  } catch (e) {
    return { ok: false, status: toStatus(e) }
  }
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
    else if (Number(o.metadata?.resourceVersion) < w.resourceVersion) lost.push(`${w.name} is at ${o.metadata?.resourceVersion}, older than the acknowledged ${w.resourceVersion}`)
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
 * them (it selects nothing) so they can be found in the audit log.
 */
export async function requestsInARow(kc: KubeConfig, n: number, labelSelector?: string): Promise<string[]> {
  const api = kc.makeApiClient(CoreV1Api)
  const failures: string[] = []
  for (let i = 0; i < n; i++) {
    try {
      await api.listNamespace({ limit: 1, labelSelector })
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

/** Median write latency of fresh etcd clusters of each size, measured one after the other on this machine. */
export async function measureEtcdWriteLatency(sizes: number[], writes: number): Promise<WriteLatency[]> {
  const out: WriteLatency[] = []
  for (const members of sizes) {
    const c = await EtcdCluster.start({ members })
    try {
      out.push(await measureWriteLatency(c, writes))
    } finally {
      await c.destroy()
    }
  }
  return out
}

export function latencyTable(rows: WriteLatency[]): string {
  const lines = ['| members | writes | p50 ms | p90 ms | p99 ms | mean ms |', '|---:|---:|---:|---:|---:|---:|']
  for (const r of rows) lines.push(`| ${r.members} | ${r.writes} | ${r.p50.toFixed(2)} | ${r.p90.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.mean.toFixed(2)} |`)
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
