// The members of a cluster's etcd as etcd itself reports them to a client from outside, as
// `etcdctl member list` and `etcdctl endpoint status` would: each member's name, whether it
// answers, whether it has a leader and whether it is the leader. The cluster target's
// control-plane door reads them from its configuration's `etcd` key, so the etcd steps that only
// read the members' states ("the etcd cluster has exactly one leader") work on any cluster whose
// etcd the kit may reach; killing and restarting members is a fault provider's (./faults/).

import { noop } from 'cockatiel'
import { Etcd3, type IMember } from 'etcd3'
import type { ControlPlaneDoor, EtcdMemberState } from './target.js'

/** How etcd is reached: TLS files as PEM (see EtcdDoorOptions in ./storedoor.ts). */
export type EtcdCredentials = { ca?: Buffer; cert?: Buffer; key?: Buffer } | undefined

/** How long one member may take to answer before it counts as not answering. */
const STATUS_TIMEOUT_MS = 1000

/**
 * The kit watches etcd clusters that scenarios damage on purpose: etcd3's default per-member
 * circuit breaker (open for 5 s after three failures) would refuse every call for a while after
 * a quorum loss or a killed member, even once the cluster is back, and fail the next scenario's
 * first read. Each call instead goes to a member, and on a recoverable error is tried again on
 * another (etcd3's global retry, three attempts).
 */
export const OBSERVER_FAULT_HANDLING = { host: () => noop }

function client(hosts: string[], tls: EtcdCredentials): Etcd3 {
  return new Etcd3({
    hosts,
    faultHandling: OBSERVER_FAULT_HANDLING,
    ...(tls ? { credentials: { rootCertificate: tls.ca as Buffer, privateKey: tls.key, certChain: tls.cert } } : {}),
  })
}

export interface EtcdMembersReader {
  /** Every member of the cluster with its state now (a member that does not answer: not running, no leader). */
  members(): Promise<EtcdMemberState[]>
  /** Waits until exactly one member reports itself leader; its name. */
  waitForLeader(timeoutMs: number): Promise<string>
  close(): void
}

export function etcdMembersReader(endpoints: string[], tls: EtcdCredentials): EtcdMembersReader {
  const all = client(endpoints, tls)
  /** The members as last listed: a member that was killed stays a member. */
  let known: IMember[] = []
  const list = async (): Promise<IMember[]> => {
    try {
      known = (await all.cluster.memberList({}, { deadline: Date.now() + STATUS_TIMEOUT_MS })).members
    } catch (e) {
      if (!known.length) throw new Error(`cannot list etcd's members at ${endpoints.join(', ')}: ${e instanceof Error ? e.message : String(e)}`)
    }
    return known
  }
  const state = async (m: IMember): Promise<EtcdMemberState> => {
    const clientUrl = m.clientURLs[0] ?? ''
    const one = client([clientUrl], tls)
    try {
      const st = await one.maintenance.status({ deadline: Date.now() + STATUS_TIMEOUT_MS })
      return { name: m.name, clientUrl, running: true, healthy: st.leader !== '0', leader: st.leader === st.header.member_id }
    } catch {
      return { name: m.name, clientUrl, running: false, healthy: false, leader: false }
    } finally {
      one.close()
    }
  }
  const members = async (): Promise<EtcdMemberState[]> => Promise.all((await list()).map(state))
  return {
    members,
    waitForLeader: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const leaders = (await members()).filter((m) => m.leader).map((m) => m.name)
        if (leaders.length === 1) return leaders[0]!
        if (Date.now() > deadline)
          throw new Error(`etcd had no single leader within ${timeoutMs} ms (members reporting themselves leader: ${leaders.join(', ') || 'none'})`)
        await new Promise((r) => setTimeout(r, 100)) // polling etcd, not a test wait
      }
    },
    close: () => all.close(),
  }
}

/** A fault provider's control-plane door, with the members' states read from etcd (no provider reports them). */
export function withEtcdMembers(door: ControlPlaneDoor, reader: Pick<EtcdMembersReader, 'members' | 'waitForLeader'>): ControlPlaneDoor {
  return { ...door, etcdMembers: () => reader.members(), waitForEtcdLeader: (ms) => reader.waitForLeader(ms) }
}
