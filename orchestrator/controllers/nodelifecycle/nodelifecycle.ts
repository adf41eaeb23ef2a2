// The node lifecycle controller: watches every node's heartbeats (its Lease in
// kube-node-lease and its status) and, every node-monitor-period, marks a node whose kubelet
// has been silent for node-monitor-grace-period as Ready=Unknown ("Kubelet stopped posting node
// status."); it keeps the Ready condition's NoExecute taint in line (unreachable for Unknown,
// not-ready for False, none once Ready), marks the pods of a node that stops being Ready as not
// ready, and taints nodes NoSchedule for their conditions and for spec.unschedulable
// (TaintNodesByCondition). It also runs the rejoin check upstream lacks: a kubelet outside the
// version skew policy gets the KubeletVersionSkew condition and a NoSchedule taint, so no pod
// lands on it until it is compatible. Pods are evicted by the taint eviction controller.
// Mirrors pkg/controller/nodelifecycle/node_lifecycle_controller.go (tryUpdateNodeHealth,
// processTaintBaseEviction, doNoScheduleTaintingPass, MarkPodsNotReady, its events from
// "node-controller"). Defaults: --node-monitor-period 5s, --node-monitor-grace-period 50s (the
// v1.32 default; this cluster reports v1.32), --node-startup-grace-period 1m.
// Simplifies: no zones and no eviction rate limits (--node-eviction-rate, disruption modes):
// an unhealthy node is tainted on the next monitor pass; a node that reports Ready again loses
// its NoExecute taint as soon as the controller sees it, not only on a monitor pass.

import { ApiError } from '../../api/errors.js'
import { nowTimestamp, type KObject } from '../../api/meta.js'
import { lookupResource } from '../../api/resources.js'
import type { Node, NodeCondition, Pod, Taint } from '../../api/types.js'
import { refFor, type Client } from '../../client/client.js'
import type { EventRecorder } from '../../client/events.js'
import type { Informer } from '../../client/informer.js'
import { Controller, type ReconcileResult, type Reconciler } from '../controller.js'
import type { ControllerContext } from '../controller.js'
import type { NodeLifecycleTimings } from '../config.js'
import {
  condition,
  CONDITION_KUBELET_VERSION_SKEW,
  noExecuteTaintFor,
  reconcileNoExecuteTaint,
  reconcileNoScheduleTaints,
  reconcileSkewTaint,
  taintValue,
  versionSkew,
} from './taints.js'

const NODES = lookupResource('', 'nodes')!
const PODS = lookupResource('', 'pods')!
const LEASES = lookupResource('coordination.k8s.io', 'leases')!
export const NODE_LEASE_NAMESPACE = 'kube-node-lease'

export type { NodeLifecycleTimings } from '../config.js'

export const DEFAULT_NODE_LIFECYCLE_TIMINGS: NodeLifecycleTimings = {
  nodeMonitorPeriodMs: 5_000,
  nodeMonitorGracePeriodMs: 50_000,
  nodeStartupGracePeriodMs: 60_000,
}

/** The conditions a silent kubelet can no longer vouch for (NetworkUnavailable is the network's). */
const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']
const UPDATE_RETRIES = 5

type Lease = KObject & { spec?: { renewTime?: string; holderIdentity?: string } }

interface NodeHealth {
  /** When (on this controller's clock) the node was last heard from. */
  probe: number
  /** The Ready condition's lastHeartbeatTime as last seen. */
  heartbeat?: string
  /** The Lease's renewTime as last seen. */
  renew?: string
}

export class NodeLifecycleController implements Reconciler {
  readonly name = 'node-lifecycle-controller'
  private readonly client: Client
  private readonly recorder: EventRecorder
  private readonly nodes: Informer<Node>
  private readonly leases: Informer<Lease>
  private readonly pods: Informer<Pod>
  private readonly queue: Controller
  private readonly timings: NodeLifecycleTimings
  private readonly health = new Map<string, NodeHealth>()
  private readonly known = new Set<string>()
  private apiServerVersion?: string
  private timer?: NodeJS.Timeout
  private monitoring?: Promise<void>
  private stopped = false

  constructor(ctx: ControllerContext) {
    this.client = ctx.client
    this.recorder = ctx.recorder('node-controller')
    this.timings = { ...DEFAULT_NODE_LIFECYCLE_TIMINGS, ...(ctx.config.nodeLifecycle ?? {}) }
    this.nodes = ctx.informers.informer<Node>(NODES)
    this.leases = ctx.informers.informer<Lease>(LEASES, { namespace: NODE_LEASE_NAMESPACE })
    this.pods = ctx.informers.informer<Pod>(PODS).addIndexer('nodeName', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []))
    this.queue = new Controller(this, { workers: 4 })
    this.nodes.on({
      add: (n) => this.queue.enqueue(n.metadata?.name ?? ''),
      update: (_o, n) => this.queue.enqueue(n.metadata?.name ?? ''),
    })
  }

  async start(): Promise<void> {
    this.stopped = false
    await this.learnApiServerVersion()
    this.queue.start()
    const tick = (): void => {
      if (this.stopped || this.monitoring) return
      this.monitoring = this.monitorNodeHealth()
        .catch((e: unknown) => console.error(`${this.name}: monitoring node health failed:`, e instanceof Error ? e.message : e))
        .finally(() => (this.monitoring = undefined))
    }
    this.timer = setInterval(tick, this.timings.nodeMonitorPeriodMs)
    this.timer.unref()
    tick()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    await this.queue.stop()
    await this.monitoring
  }

  /** The version kube-apiserver reports, for the version skew check. */
  private async learnApiServerVersion(): Promise<void> {
    if (this.apiServerVersion) return
    try {
      const v = await this.client.request<{ gitVersion?: string }>('GET', '/version')
      this.apiServerVersion = v.gitVersion
    } catch {
      // asked again on the next reconcile
    }
  }

  // -------------------------------------------------------------------------------------------
  // health monitoring (every node-monitor-period)

  private async monitorNodeHealth(): Promise<void> {
    const nodes = this.nodes.list()
    const names = new Set(nodes.map((n) => n.metadata?.name ?? ''))
    for (const n of nodes) {
      const name = n.metadata?.name ?? ''
      if (this.known.has(name)) continue
      this.known.add(name)
      this.recorder.event(n, 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`)
    }
    for (const name of [...this.known]) {
      if (names.has(name)) continue
      this.known.delete(name)
      this.health.delete(name)
      this.recorder.event(
        { apiVersion: 'v1', kind: 'Node', metadata: { name } },
        'Normal',
        'RemovingNode',
        `Node ${name} event: Removing Node ${name} from Controller`,
      )
    }
    await Promise.all(
      nodes.map((n) =>
        this.monitorNode(n).catch((e: unknown) => {
          if (!this.stopped) console.error(`${this.name}: node ${n.metadata?.name}:`, e instanceof Error ? e.message : e)
        }),
      ),
    )
  }

  private async monitorNode(node: Node): Promise<void> {
    const { observed, current, node: latest } = await this.tryUpdateNodeHealth(node)
    if (this.stopped) return
    // the NoExecute taint follows the Ready status as observed at the start of this pass, as
    // upstream's processTaintBaseEviction: a node marked Unknown now is tainted on the next pass
    await this.setNoExecuteTaint(latest, noExecuteTaintFor(observed))
    if (current !== 'True' && observed === 'True') {
      this.recorder.event(latest, 'Normal', 'NodeNotReady', `Node ${latest.metadata?.name} status is now: NodeNotReady`)
      await this.markPodsNotReady(latest.metadata?.name ?? '')
    }
  }

  /**
   * Upstream tryUpdateNodeHealth: a node last heard from (a new Ready heartbeat or a renewed
   * Lease) longer than the grace period ago gets its kubelet's conditions set to Unknown.
   * Returns the Ready status before and after.
   */
  private async tryUpdateNodeHealth(node: Node): Promise<{ observed: string; current: string; node: Node }> {
    const name = node.metadata?.name ?? ''
    const now = Date.now()
    const ready = condition(node, 'Ready')
    const grace = ready ? this.timings.nodeMonitorGracePeriodMs : this.timings.nodeStartupGracePeriodMs
    let h = this.health.get(name)
    if (!h) {
      h = { probe: ready ? now : Date.parse(node.metadata?.creationTimestamp ?? '') || now, heartbeat: ready?.lastHeartbeatTime }
      this.health.set(name, h)
    } else if (ready && ready.lastHeartbeatTime !== h.heartbeat) {
      h.heartbeat = ready.lastHeartbeatTime
      h.probe = now
    }
    const renew = this.leases.get(`${NODE_LEASE_NAMESPACE}/${name}`)?.spec?.renewTime
    if (renew && (!h.renew || Date.parse(renew) > Date.parse(h.renew))) {
      h.renew = renew
      h.probe = now
    }
    const observed = ready?.status ?? 'Unknown'
    if (now <= h.probe + grace) return { observed, current: observed, node }

    for (let attempt = 0; ; attempt++) {
      const stamp = nowTimestamp()
      const conditions = [...(node.status?.conditions ?? [])].map((c) => ({ ...c }))
      for (const type of KUBELET_CONDITIONS) {
        const c = conditions.find((x) => x.type === type)
        if (!c) {
          conditions.push({
            type,
            status: 'Unknown',
            reason: 'NodeStatusNeverUpdated',
            message: 'Kubelet never posted node status.',
            lastHeartbeatTime: node.metadata?.creationTimestamp,
            lastTransitionTime: stamp,
          })
        } else if (c.status !== 'Unknown') {
          Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: stamp })
        }
      }
      const next: NodeCondition | undefined = conditions.find((c) => c.type === 'Ready')
      if (ready && JSON.stringify(next) === JSON.stringify(ready)) return { observed, current: 'Unknown', node }
      try {
        const written = await this.client.update<Node>(refFor(NODES, undefined, name, 'status'), { ...node, status: { ...node.status, conditions } })
        h.heartbeat = condition(written, 'Ready')?.lastHeartbeatTime
        return { observed, current: 'Unknown', node: written }
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 409) || attempt >= UPDATE_RETRIES) throw e
        node = await this.client.get<Node>(refFor(NODES, undefined, name))
        // the kubelet may just have come back
        const fresh = condition(node, 'Ready')
        if (fresh?.lastHeartbeatTime !== h.heartbeat) return { observed, current: fresh?.status ?? 'Unknown', node }
      }
    }
  }

  /** Upstream MarkPodsNotReady: the Ready condition of the node's pods becomes False. */
  private async markPodsNotReady(nodeName: string): Promise<void> {
    for (const pod of this.pods.byIndex('nodeName', nodeName)) {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')
      if (!ready || ready.status === 'False') continue
      const conditions = (pod.status?.conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: nowTimestamp() } : c))
      try {
        await this.client.update(refFor(PODS, pod.metadata?.namespace, pod.metadata?.name, 'status'), { ...pod, status: { ...pod.status, conditions } })
        this.recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready')
      } catch (e) {
        if (e instanceof ApiError && (e.code === 404 || e.code === 409)) continue
        throw e
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // per-node reconcile (on every node change): NoSchedule taints, rejoin checks, reachability

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const node = this.nodes.get(name)
    if (!node) return
    await this.learnApiServerVersion()
    const skew = this.apiServerVersion ? versionSkew(node.status?.nodeInfo?.kubeletVersion, this.apiServerVersion) : undefined
    await this.setSkewCondition(node, skew)
    await this.mutateTaints(name, (n) => {
      const now = nowTimestamp()
      let taints: Taint[] | undefined = reconcileNoScheduleTaints(n, now)
      const withSkew = reconcileSkewTaint(taints ?? n.spec?.taints, skew ? taintValue(n.status?.nodeInfo?.kubeletVersion) : undefined, now)
      taints = withSkew ?? taints
      // a node that is Ready again loses its NoExecute taint at once
      if (condition(n, 'Ready')?.status === 'True') taints = reconcileNoExecuteTaint(taints ?? n.spec?.taints, undefined, now) ?? taints
      return taints
    })
    if (!this.apiServerVersion) return { requeueAfterMs: 1_000 }
  }

  /** The KubeletVersionSkew condition: present (True, with why) while the check fails, gone once it passes. */
  private async setSkewCondition(node: Node, skew: { reason: string; message: string } | undefined): Promise<void> {
    const have = condition(node, CONDITION_KUBELET_VERSION_SKEW)
    const ref = refFor(NODES, undefined, node.metadata?.name, 'status')
    if (!skew) {
      if (have)
        await this.client.patch(
          ref,
          { status: { conditions: [{ type: CONDITION_KUBELET_VERSION_SKEW, $patch: 'delete' }] } },
          'application/strategic-merge-patch+json',
        )
      return
    }
    if (have?.status === 'True' && have.reason === skew.reason && have.message === skew.message) return
    const now = nowTimestamp()
    const c: NodeCondition = {
      type: CONDITION_KUBELET_VERSION_SKEW,
      status: 'True',
      reason: skew.reason,
      message: skew.message,
      lastHeartbeatTime: now,
      lastTransitionTime: have?.status === 'True' ? (have.lastTransitionTime ?? now) : now,
    }
    await this.client.patch(ref, { status: { conditions: [c] } }, 'application/strategic-merge-patch+json')
    this.recorder.event(node, 'Warning', 'KubeletVersionSkew', skew.message)
  }

  private async setNoExecuteTaint(node: Node, want: Taint | undefined): Promise<void> {
    if (!reconcileNoExecuteTaint(node.spec?.taints, want, nowTimestamp())) return
    await this.mutateTaints(node.metadata?.name ?? '', (n) => {
      // act on what the node says now, not on what this pass started from
      const ready = condition(n, 'Ready')?.status
      if (want === undefined ? ready !== 'True' : noExecuteTaintFor(ready)?.key !== want.key) return undefined
      return reconcileNoExecuteTaint(n.spec?.taints, want, nowTimestamp())
    })
  }

  /** Reads the node, lets `fn` compute its new taints (undefined: no change) and writes them, retrying on conflicts. */
  private async mutateTaints(name: string, fn: (n: Node) => Taint[] | undefined): Promise<void> {
    let node = this.nodes.get(name)
    for (let attempt = 0; node; attempt++) {
      const taints = fn(node)
      if (!taints) return
      const spec = { ...node.spec }
      if (taints.length) spec.taints = taints
      else delete spec.taints
      try {
        await this.client.update(refFor(NODES, undefined, name), { ...node, spec })
        return
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) return
        if (!(e instanceof ApiError && e.code === 409) || attempt >= UPDATE_RETRIES) throw e
        node = await this.client.get<Node>(refFor(NODES, undefined, name)).catch(() => undefined)
      }
    }
  }
}
