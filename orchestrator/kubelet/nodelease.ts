// The node's heartbeat Lease: kube-node-lease/<node> (coordination.k8s.io/v1), held by the node
// (holderIdentity = node name, owned by its Node so it goes with it), renewed every
// renewInterval = 0.25 x leaseDurationSeconds (10 s of 40 s upstream). A failed renewal is
// retried with exponential back-off from 200 ms, doubled up to 7 s, until it succeeds.
// Mirrors k8s.io/component-helpers/apimachinery/lease/controller.go as the kubelet runs it
// (nodeLeaseDurationSeconds, nodeLeaseRenewIntervalFraction).
// Simplifies: no jitter on the renew interval; the owner reference is set when the Lease is
// created (or on the first renewal after the Node appears).

import { ApiError } from '../api/errors.js'
import type { KObject } from '../api/meta.js'
import { lookupResource } from '../api/resources.js'
import { refFor, type ReadWriter } from '../client/client.js'
import { microTime } from '../client/leaderelection.js'

export const NODE_LEASE_NAMESPACE = 'kube-node-lease'
/** Upstream nodeLeaseRenewIntervalFraction. */
export const RENEW_INTERVAL_FRACTION = 0.25
const RETRY_INITIAL_MS = 200
const RETRY_MAX_MS = 7_000

const LEASES = lookupResource('coordination.k8s.io', 'leases')!

type Lease = KObject & { spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string } }

export interface NodeLeaseOptions {
  client: ReadWriter
  nodeName: string
  /** How long the Lease is valid (leaseDurationSeconds; fractions of a second round up). */
  durationMs: number
  /** The Node's uid, once known (for the owner reference). */
  nodeUid: () => string | undefined
  /** While true, nothing is renewed (the heartbeat is frozen). */
  paused?: () => boolean
  log?: (msg: string) => void
}

export class NodeLeaseController {
  readonly renewIntervalMs: number
  private latest?: Lease
  private timer?: NodeJS.Timeout
  private stopped = true
  private retryMs = 0
  private syncing = false

  constructor(private readonly o: NodeLeaseOptions) {
    this.renewIntervalMs = Math.max(10, Math.round(o.durationMs * RENEW_INTERVAL_FRACTION))
  }

  get durationSeconds(): number {
    return Math.max(1, Math.ceil(this.o.durationMs / 1000))
  }

  start(): void {
    this.stopped = false
    this.schedule(0)
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
  }

  /** Renews now (after a freeze ends), instead of at the next interval. */
  kick(): void {
    if (!this.stopped) this.schedule(0)
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.sync(), ms)
    this.timer.unref()
  }

  private async sync(): Promise<void> {
    if (this.stopped || this.syncing) return
    if (this.o.paused?.()) return this.schedule(this.renewIntervalMs)
    this.syncing = true
    try {
      this.latest = this.latest ? await this.renew(this.latest) : await this.ensure()
      this.retryMs = 0
      this.schedule(this.renewIntervalMs)
    } catch (e) {
      if (this.stopped) return
      if (e instanceof ApiError && e.code === 409) this.latest = undefined
      this.retryMs = this.retryMs ? Math.min(this.retryMs * 2, RETRY_MAX_MS) : RETRY_INITIAL_MS
      this.o.log?.(`renewing the node lease of ${this.o.nodeName} failed (retrying in ${this.retryMs} ms): ${e instanceof Error ? e.message : String(e)}`)
      this.schedule(this.retryMs)
    } finally {
      this.syncing = false
    }
  }

  /** Gets the Lease, or creates it. */
  private async ensure(): Promise<Lease> {
    const ref = refFor(LEASES, NODE_LEASE_NAMESPACE, this.o.nodeName)
    try {
      const existing = await this.o.client.get<Lease>(ref)
      return await this.renew(existing)
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e
    }
    return this.o.client.create<Lease>(refFor(LEASES, NODE_LEASE_NAMESPACE), this.desired())
  }

  private async renew(lease: Lease): Promise<Lease> {
    const next = this.desired(lease)
    return this.o.client.update<Lease>(refFor(LEASES, NODE_LEASE_NAMESPACE, this.o.nodeName), next)
  }

  /** The Lease as this node holds it: holder, duration, renewTime now, owned by the Node. */
  private desired(base?: Lease): Lease {
    const uid = this.o.nodeUid()
    const metadata: Lease['metadata'] = { ...(base?.metadata ?? {}), name: this.o.nodeName, namespace: NODE_LEASE_NAMESPACE }
    if (uid && !metadata.ownerReferences?.some((r) => r.uid === uid)) {
      metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: this.o.nodeName, uid }]
    }
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata,
      spec: { ...(base?.spec ?? {}), holderIdentity: this.o.nodeName, leaseDurationSeconds: this.durationSeconds, renewTime: microTime() },
    }
  }
}
