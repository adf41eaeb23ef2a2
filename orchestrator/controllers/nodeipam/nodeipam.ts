// The node IPAM controller: gives every Node a pod CIDR (spec.podCIDR and spec.podCIDRs) cut
// from the cluster CIDR, the lowest free one first, and takes it back when the Node goes away.
// Kubelets hand out pod IPs from their node's range. Mirrors kube-controller-manager's range
// allocator (--allocate-node-cidrs, --cluster-cidr, --node-cidr-mask-size; event
// CIDRNotAvailable "Node ... status is now: CIDRNotAvailable" when the cluster CIDR is full).
// Simplifies: IPv4 only; one range per node.

import { ApiError } from '../../api/errors.js'
import { formatCidr, parseCidr, subnet, subnetCount, subnetIndex, type Cidr } from '../../api/cidr.js'
import { lookupResource } from '../../api/resources.js'
import type { Node } from '../../api/types.js'
import { refFor, type ReadWriter } from '../../client/client.js'
import type { EventRecorder } from '../../client/events.js'
import type { Informer } from '../../client/informer.js'
import { Controller, type ReconcileResult, type Reconciler } from '../controller.js'
import type { ControllerContext } from '../controller.js'

const NODES = lookupResource('', 'nodes')!

export class NodeIpamController implements Reconciler {
  readonly name = 'node-ipam-controller'
  private readonly client: ReadWriter
  private readonly recorder: EventRecorder
  private readonly informer: Informer<Node>
  private readonly controller: Controller
  private readonly cluster: Cidr
  private readonly maskSize: number
  /** Subnet index -> node name. */
  private readonly used = new Map<number, string>()
  private readonly byNode = new Map<string, number>()

  constructor(ctx: ControllerContext) {
    this.client = ctx.client
    this.recorder = ctx.recorder('cidrAllocator')
    this.cluster = parseCidr(ctx.config.clusterCIDR ?? '127.64.0.0/10')
    this.maskSize = ctx.config.nodeCIDRMaskSize ?? 24
    subnetCount(this.cluster, this.maskSize) // throws early for a mask that does not fit
    this.informer = ctx.informers.informer<Node>(NODES)
    // one worker: allocation decisions must not race each other
    this.controller = new Controller(this, { workers: 1 })
    this.informer.on({
      add: (n) => this.observe(n),
      update: (_o, n) => this.observe(n),
      delete: (n) => this.release(n.metadata?.name ?? ''),
    })
  }

  async start(): Promise<void> {
    this.controller.start()
  }

  async stop(): Promise<void> {
    await this.controller.stop()
  }

  private observe(n: Node): void {
    const name = n.metadata?.name ?? ''
    const cidr = n.spec?.podCIDR
    if (cidr) {
      // remember allocations made before (by us earlier, or set by hand)
      try {
        const idx = subnetIndex(this.cluster, parseCidr(cidr))
        if (idx >= 0 && !this.used.has(idx)) {
          this.used.set(idx, name)
          this.byNode.set(name, idx)
        }
      } catch {
        // not ours to manage
      }
      return
    }
    this.controller.enqueue(name)
  }

  private release(name: string): void {
    const idx = this.byNode.get(name)
    if (idx === undefined) return
    this.byNode.delete(name)
    if (this.used.get(idx) === name) this.used.delete(idx)
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const node = this.informer.get(name)
    if (!node || node.spec?.podCIDR) return
    let idx = this.byNode.get(name)
    if (idx === undefined) {
      const total = subnetCount(this.cluster, this.maskSize)
      for (let i = 0; i < total; i++) {
        if (!this.used.has(i)) {
          idx = i
          break
        }
      }
      if (idx === undefined) {
        this.recorder.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`)
        return { requeueAfterMs: 30_000 }
      }
      this.used.set(idx, name)
      this.byNode.set(name, idx)
    }
    const cidr = formatCidr(subnet(this.cluster, this.maskSize, idx))
    try {
      await this.client.patch(refFor(NODES, undefined, name), { spec: { podCIDR: cidr, podCIDRs: [cidr] } })
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return this.release(name)
      throw e
    }
  }
}
