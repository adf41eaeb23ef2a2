// The scheduler's cache: every node with the pods bound to it, plus pods the scheduler has
// "assumed" onto a node before the binding is confirmed, so the next pod already sees the
// resources taken. A bound pod seen through the watch confirms the assumption; a failed bind
// forgets it. Pods bound to a node the cache does not know yet are kept on a placeholder, so
// the node's accounting is right when it appears. Mirrors pkg/scheduler/backend/cache.
// Simplifies: no expiry of assumed pods whose binding was never observed; the cache is read
// directly by the (synchronous) scheduling cycle instead of through a copied snapshot.

import type { Node, Pod } from '../api/types.js'
import type { Handle } from './framework/interface.js'
import { NodeInfo, PodInfo } from './framework/nodeinfo.js'

export class SchedulerCache implements Handle {
  private readonly infos = new Map<string, NodeInfo>()
  /** Node names in the order the scheduler walks them. */
  private order: NodeInfo[] = []
  private readonly hasNode = new Set<string>()
  private readonly podNode = new Map<string, string>()
  private readonly assumed = new Set<string>()
  private readonly withAffinity = new Set<NodeInfo>()
  private readonly withAntiAffinity = new Set<NodeInfo>()

  nodeInfos(): readonly NodeInfo[] {
    return this.order
  }

  nodesWithAffinityPods(): readonly NodeInfo[] {
    return [...this.withAffinity].filter((n) => this.hasNode.has(n.name))
  }

  nodesWithRequiredAntiAffinityPods(): readonly NodeInfo[] {
    return [...this.withAntiAffinity].filter((n) => this.hasNode.has(n.name))
  }

  get nodeCount(): number {
    return this.order.length
  }

  node(name: string): NodeInfo | undefined {
    return this.hasNode.has(name) ? this.infos.get(name) : undefined
  }

  isAssumed(uid: string): boolean {
    return this.assumed.has(uid)
  }

  // -------------------------------------------------------------------------------------------
  // nodes

  addNode(node: Node): void {
    const name = node.metadata?.name ?? ''
    const info = this.infos.get(name)
    if (info) info.setNode(node)
    else this.infos.set(name, new NodeInfo(node))
    if (!this.hasNode.has(name)) {
      this.hasNode.add(name)
      this.order.push(this.infos.get(name)!)
    }
  }

  updateNode(node: Node): void {
    this.addNode(node)
  }

  removeNode(name: string): void {
    const info = this.infos.get(name)
    if (!info) return
    this.hasNode.delete(name)
    this.order = this.order.filter((n) => n !== info)
    // pods still bound to it keep a placeholder until they go too
    if (!info.pods.size) {
      this.infos.delete(name)
      this.withAffinity.delete(info)
      this.withAntiAffinity.delete(info)
    }
  }

  // -------------------------------------------------------------------------------------------
  // pods

  private infoFor(nodeName: string): NodeInfo {
    let info = this.infos.get(nodeName)
    if (!info) {
      info = new NodeInfo({ apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName } })
      this.infos.set(nodeName, info)
    }
    return info
  }

  private place(pi: PodInfo, nodeName: string): void {
    const info = this.infoFor(nodeName)
    info.addPod(pi)
    this.podNode.set(pi.uid, nodeName)
    if (info.podsWithAffinity.size) this.withAffinity.add(info)
    if (info.podsWithRequiredAntiAffinity.size) this.withAntiAffinity.add(info)
  }

  private unplace(uid: string): void {
    const nodeName = this.podNode.get(uid)
    if (nodeName === undefined) return
    this.podNode.delete(uid)
    const info = this.infos.get(nodeName)
    if (!info) return
    info.removePod(uid)
    if (!info.podsWithAffinity.size) this.withAffinity.delete(info)
    if (!info.podsWithRequiredAntiAffinity.size) this.withAntiAffinity.delete(info)
    if (!this.hasNode.has(nodeName) && !info.pods.size) this.infos.delete(nodeName)
  }

  /** Takes the pod's resources on `nodeName` before the binding is confirmed. */
  assumePod(pi: PodInfo, nodeName: string): void {
    this.unplace(pi.uid)
    this.place(pi, nodeName)
    this.assumed.add(pi.uid)
  }

  /** The binding failed: give the resources back. */
  forgetPod(uid: string): void {
    if (!this.assumed.delete(uid)) return
    this.unplace(uid)
  }

  /** A bound pod observed through the watch (confirms an assumed one). */
  addPod(pod: Pod): void {
    const nodeName = pod.spec?.nodeName
    if (!nodeName) return
    const uid = pod.metadata?.uid ?? ''
    if (this.assumed.delete(uid) && this.podNode.get(uid) === nodeName) {
      // the binding we assumed, confirmed: keep what was parsed, hold the API's object
      const info = this.infos.get(nodeName)
      const pi = info?.pods.get(uid)
      if (pi) {
        ;(pi as { pod: Pod }).pod = pod
        return
      }
    }
    const pi = new PodInfo(pod)
    this.unplace(pi.uid)
    this.place(pi, nodeName)
  }

  updatePod(pod: Pod): void {
    this.addPod(pod)
  }

  removePod(pod: Pod): void {
    const uid = pod.metadata?.uid ?? ''
    this.assumed.delete(uid)
    this.unplace(uid)
  }
}
