// The kubelet: the node agent. It registers its Node (or finds it again after a restart),
// keeps the node's status current, watches only the pods bound to its node
// (fieldSelector spec.nodeName=<node>), and runs them through the ContainerRuntime interface
// only: per-pod workers sync one pod at a time (pull, create, start, restart with back-off,
// stop on deletion), a PLEG-style relist notices containers that changed by themselves, and
// the status of every pod it runs is reported through pods/status. Graceful deletion ends
// with the kubelet's own DELETE (gracePeriodSeconds=0) once the containers are stopped.
// Heartbeats are the node Lease (./nodelease.ts) and the node status; both stop while the
// fault door freezes them (./faults.ts), and a container runtime that does not answer makes
// the node NotReady instead of stopping the kubelet.
// Every action is an API request as system:node:<node>, or an Event it records.
// Mirrors pkg/kubelet (kubelet.go, pod_workers.go, pleg/generic.go, status/status_manager.go,
// kubelet_node_status.go). Its parts: probes (./prober.ts: their results decide container
// readiness and which containers are killed and restarted), the image manager (./images.ts),
// the status manager (./status-manager.ts), the PLEG (./pleg.ts), the environment
// (./environment.ts), node status (./node-status.ts, ./nodelease.ts). Simplifies: no volumes,
// init containers or eviction yet.
// Over 400 lines: the pod worker's sync loop (create, start, kill, restart with back-off) reads as
// one piece, as upstream's SyncPod; images, status, PLEG, probes and node status are files of their
// own.

import { ApiError } from '../api/errors.js'
import { nowTimestamp } from '../api/meta.js'
import { isPodTerminal } from '../api/pods.js'
import { milliCpu, parseQuantity } from '../api/quantity.js'
import { lookupResource } from '../api/resources.js'
import type { Node, Pod } from '../api/types.js'
import { refFor, type ApiClient } from '../client/client.js'
import { ApiEventRecorder, type EventRecorder } from '../client/events.js'
import { Informer } from '../client/informer.js'
import type { Runnable } from '../client/runnable.js'
import { WorkQueue } from '../client/workqueue.js'
import { ContainerNotFoundError, RuntimeUnavailableError, type ContainerConfig, type ContainerRuntime, type ContainerStatus } from '../runtime/runtime.js'
import { computePodActions, type StartAction } from './actions.js'
import { BackOff } from './backoff.js'
import { DEFAULT_KUBELET_TIMINGS, type KubeletConfig, type KubeletTimings } from './config.js'
import { NodeFaults } from './faults.js'
import { PodIPAM } from './ipam.js'
import { NodeLeaseController } from './nodelease.js'
import { initialNode, nodeConditions, nodeLabels, nodeStatus, sameConditions, type NodeSignals, type Readiness } from './node-status.js'
import { mountDebuggingHandlers, type PodSource } from './debugging.js'
import { containerEnvironment } from './environment.js'
import { ImageManager, type Waiting } from './images.js'
import { GenericPleg } from './pleg.js'
import { ProbeManager } from './prober-manager.js'
import type { KubeletServer } from './server.js'
import { mountResourceMetrics } from './stats.js'
import { mountStreamingHandlers } from './streaming/handlers.js'
import { StatusManager } from './status-manager.js'

const PODS = lookupResource('', 'pods')!
const NODES = lookupResource('', 'nodes')!

interface PodEntry {
  pod: Pod
  /** The API server no longer has it (a DELETED event arrived). */
  gone: boolean
}

export interface KubeletDeps {
  /** A client authenticated as system:node:<nodeName>. */
  client: ApiClient
  runtime: ContainerRuntime
  recorder?: EventRecorder
  /** The node's HTTPS endpoint (logs, exec, metrics); started and stopped with the kubelet. */
  server?: KubeletServer
  /** Injected node faults (frozen heartbeats, pressure); a healthy node when absent. */
  faults?: NodeFaults
}

export class Kubelet implements Runnable {
  readonly name: string
  readonly nodeName: string
  private readonly timings: KubeletTimings
  private readonly client: ApiClient
  private readonly runtime: ContainerRuntime
  private readonly recorder: EventRecorder
  /** The node's HTTPS endpoint, for features that mount routes on it. */
  readonly server: KubeletServer | undefined
  private readonly podInformer: Informer<Pod>
  private readonly nodeInformer: Informer<Node>
  private readonly faults: NodeFaults
  private readonly lease: NodeLeaseController
  private unsubscribeFaults?: () => void
  private readonly queue = new WorkQueue({ baseMs: 200, maxMs: 10_000 })
  private readonly pods = new Map<string, PodEntry>()
  private readonly waiting = new Map<string, Waiting>()
  private readonly restarts: BackOff
  private readonly pulls: BackOff
  private readonly prober: ProbeManager
  private readonly images: ImageManager
  private readonly status: StatusManager
  private readonly pleg: GenericPleg
  private ipam?: PodIPAM
  private runtimeVersion = ''
  private scheme = ''
  private nodeReady?: boolean
  private lastNodeReport = 0
  private readonly timers: NodeJS.Timeout[] = []
  private readonly workers: Promise<void>[] = []
  private endpointPort?: number
  private stopped = false

  constructor(
    readonly config: KubeletConfig,
    deps: KubeletDeps,
  ) {
    this.nodeName = config.nodeName
    this.name = `kubelet ${config.nodeName}`
    this.timings = { ...DEFAULT_KUBELET_TIMINGS, ...(config.timings ?? {}) }
    this.client = deps.client
    this.runtime = deps.runtime
    this.server = deps.server
    this.recorder = deps.recorder ?? new ApiEventRecorder(deps.client, { component: 'kubelet', host: config.nodeName })
    this.restarts = new BackOff(this.timings.backOffInitialMs, this.timings.backOffMaxMs)
    this.pulls = new BackOff(this.timings.backOffInitialMs, this.timings.backOffMaxMs)
    this.prober = new ProbeManager({
      runtime: this.runtime,
      unhealthy: (pod, container, message) => this.recorder.event(pod, 'Warning', 'Unhealthy', message, { fieldPath: `spec.containers{${container}}` }),
      changed: (uid) => this.queue.add(uid),
    })
    this.faults = deps.faults ?? new NodeFaults()
    this.lease = new NodeLeaseController({
      client: deps.client,
      nodeName: config.nodeName,
      durationMs: this.timings.nodeLeaseDurationMs,
      nodeUid: () => this.nodeInformer.get(this.nodeName)?.metadata?.uid,
      paused: () => this.faults.heartbeatsFrozen,
      log: (m) => {
        if (!this.stopped) console.error(`${this.name}: ${m}`)
      },
    })
    this.podInformer = new Informer<Pod>(deps.client, refFor(PODS), { fieldSelector: `spec.nodeName=${config.nodeName}` })
    this.nodeInformer = new Informer<Node>(deps.client, refFor(NODES), { fieldSelector: `metadata.name=${config.nodeName}` })
    this.podInformer.on({
      add: (p) => this.observePod(p),
      update: (_old, p) => this.observePod(p),
      delete: (p) => {
        const uid = p.metadata?.uid ?? ''
        const e = this.pods.get(uid)
        if (e) e.gone = true
        else this.pods.set(uid, { pod: p, gone: true })
        this.queue.add(uid)
      },
    })
    this.nodeInformer.on({ add: (n) => this.observeNode(n), update: (_o, n) => this.observeNode(n) })
    this.images = new ImageManager({
      runtime: this.runtime,
      recorder: this.recorder,
      backOff: this.pulls,
      requeueAfter: (uid, ms) => this.queue.addAfter(uid, ms),
    })
    this.status = new StatusManager({
      client: this.client,
      runtime: this.runtime,
      hostIP: config.nodeIP,
      scheme: () => this.scheme,
      livePod: (uid) => {
        const e = this.pods.get(uid)
        return !e || e.gone || e.pod.metadata?.deletionTimestamp ? undefined : e.pod
      },
      waiting: (uid) => this.waiting.get(uid),
      podIP: (uid) => this.ipam?.ipOf(uid),
      ready: (uid, name, id) => this.prober.ready(uid, name, id),
      started: (uid, name, id) => this.prober.started(uid, name, id),
      resync: (uid) => this.queue.add(uid),
    })
    this.pleg = new GenericPleg({ runtime: this.runtime, ready: () => !this.stopped && this.podInformer.hasSynced, changed: (uid) => this.queue.add(uid) })
    // pods/log and pods/exec reach the runtime through the node's endpoint
    if (deps.server) {
      const source: PodSource = {
        pod: (namespace, name) => [...this.pods.values()].find((e) => !e.gone && e.pod.metadata?.namespace === namespace && e.pod.metadata?.name === name)?.pod,
        status: (pod) => this.status.lastStatus(pod.metadata?.uid ?? '') ?? pod.status,
      }
      mountDebuggingHandlers(deps.server, source, this.runtime)
      // exec -i/-t, attach and port-forward: upgraded connections the API server proxies
      mountStreamingHandlers(deps.server, source, this.runtime)
    }
    // what the node and its containers use, for metrics-server
    if (deps.server) mountResourceMetrics(deps.server, { nodeName: config.nodeName, runtime: deps.runtime, podOf: (uid) => this.pods.get(uid)?.pod })
  }

  async start(): Promise<void> {
    // a runtime that does not answer makes the node NotReady; the kubelet still starts
    await this.learnRuntimeVersion()
    if (this.server) this.endpointPort = await this.server.start()
    await this.registerNode()
    await this.nodeInformer.start()
    await this.podInformer.start()
    this.lease.start()
    for (let i = 0; i < (this.config.workers ?? 4); i++) this.workers.push(this.worker())
    await this.updateNodeStatus(true)
    this.every(this.timings.relistPeriodMs, () => this.pleg.relist())
    this.every(this.timings.syncFrequencyMs, () => {
      for (const uid of this.pods.keys()) this.queue.add(uid)
    })
    this.every(this.timings.nodeStatusUpdateFrequencyMs, () => this.updateNodeStatus(false))
    this.every(this.timings.statusSyncPeriodMs, () => this.status.reconcile())
    let frozen = this.faults.heartbeatsFrozen
    this.unsubscribeFaults = this.faults.onChange(() => {
      // heartbeats that come back are sent at once, as a kubelet that reconnects does
      if (frozen && !this.faults.heartbeatsFrozen) {
        this.lease.kick()
        void this.updateNodeStatus(true)
      }
      frozen = this.faults.heartbeatsFrozen
    })
  }

  private async learnRuntimeVersion(): Promise<void> {
    if (this.runtimeVersion) return
    try {
      this.runtimeVersion = await this.runtime.version()
      this.scheme = this.runtimeVersion.split('://')[0] ?? this.runtime.name
    } catch {
      this.scheme ||= this.runtime.name
    }
  }

  /** Stops the agent. Containers keep running in the runtime, as when a real kubelet stops. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    for (const t of this.timers) clearInterval(t)
    this.lease.stop()
    this.unsubscribeFaults?.()
    this.podInformer.stop()
    this.nodeInformer.stop()
    this.queue.shutDown()
    this.prober.stop()
    await Promise.allSettled(this.workers)
    if (this.recorder instanceof ApiEventRecorder) await this.recorder.stop()
    await this.server?.stop()
    this.client.close()
  }

  // -------------------------------------------------------------------------------------------
  // registration and node status

  private async registerNode(): Promise<void> {
    const node = initialNode(this.statusConfig, this.runtimeVersion, this.readiness(Boolean(this.runtimeVersion)), nowTimestamp(), this.signals())
    for (let delay = 100; ; delay = Math.min(delay * 2, 7_000)) {
      if (this.stopped) throw new Error(`${this.name} stopped before it could register`)
      try {
        const created = await this.client.create<Node>(refFor(NODES), node)
        this.recorder.event(created, 'Normal', 'Starting', 'Starting kubelet.')
        return
      } catch (e) {
        if (e instanceof ApiError && e.reason === 'AlreadyExists') {
          // a restarted kubelet finds its Node again: keep it, bring the default labels back
          const existing = await this.client.get<Node>(refFor(NODES, undefined, this.nodeName))
          const want = nodeLabels(this.config)
          const have = existing.metadata?.labels ?? {}
          if (Object.entries(want).some(([k, v]) => have[k] !== v)) {
            await this.client.patch(refFor(NODES, undefined, this.nodeName), { metadata: { labels: want } })
          }
          this.recorder.event(existing, 'Normal', 'Starting', 'Starting kubelet.')
          return
        }
        if (e instanceof ApiError && e.code < 500 && e.code !== 429) throw e
        await new Promise((r) => setTimeout(r, delay))
      }
    }
  }

  /** The configuration as the node reports it (with the endpoint's actual port). */
  private get statusConfig(): KubeletConfig {
    return this.endpointPort === undefined ? this.config : { ...this.config, port: this.endpointPort }
  }

  private readiness(runtimeReady: boolean, runtimeMessage?: string): Readiness {
    if (!runtimeReady) return { ready: false, message: `container runtime is down: ${runtimeMessage ?? 'no answer'}` }
    if (!this.ipam) {
      return {
        ready: false,
        message: `container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:no pod CIDR has been assigned to node ${this.nodeName} yet`,
      }
    }
    return { ready: true }
  }

  /** What the conditions besides Ready say: injected pressure, the pod network. */
  private signals(): NodeSignals {
    return { pressure: (c) => this.faults.underPressure(c), podCIDR: this.ipam?.podCIDR }
  }

  private async updateNodeStatus(force: boolean): Promise<void> {
    if (this.stopped || this.faults.heartbeatsFrozen) return
    const rt = await this.runtime.status().catch((e: unknown) => ({ ready: false, message: e instanceof Error ? e.message : String(e) }))
    if (rt.ready) await this.learnRuntimeVersion()
    const readiness = this.readiness(rt.ready, rt.message)
    const node = this.nodeInformer.get(this.nodeName)
    const now = nowTimestamp()
    const conditions = nodeConditions(node?.status?.conditions, readiness, now, this.signals())
    const due = force || !sameConditions(node?.status?.conditions, conditions) || Date.now() - this.lastNodeReport >= this.timings.nodeStatusReportFrequencyMs
    if (!due || this.faults.heartbeatsFrozen) return
    try {
      // a strategic merge patch (conditions merge by type), so conditions other components
      // add to the node survive, as upstream's PatchNodeStatus
      const written = await this.client.patch<Node>(
        refFor(NODES, undefined, this.nodeName, 'status'),
        { status: nodeStatus(this.statusConfig, this.runtimeVersion, conditions) },
        'application/strategic-merge-patch+json',
      )
      this.lastNodeReport = Date.now()
      if (this.nodeReady !== readiness.ready) {
        this.nodeReady = readiness.ready
        this.recorder.event(
          written,
          'Normal',
          readiness.ready ? 'NodeReady' : 'NodeNotReady',
          `Node ${this.nodeName} status is now: ${readiness.ready ? 'NodeReady' : 'NodeNotReady'}`,
        )
      }
    } catch (e) {
      if (!this.stopped) console.error(`${this.name}: updating node status failed:`, e instanceof Error ? e.message : e)
    }
  }

  private observeNode(n: Node): void {
    const cidr = n.spec?.podCIDR
    if (!cidr || this.ipam?.podCIDR === cidr) return
    this.ipam = new PodIPAM(cidr)
    // after a restart, the pods we run keep the addresses they have
    for (const [uid, e] of this.pods) if (e.pod.status?.podIP) this.ipam.reserve(uid, e.pod.status.podIP)
    void this.updateNodeStatus(true)
    for (const uid of this.pods.keys()) this.queue.add(uid)
  }

  // -------------------------------------------------------------------------------------------
  // pods

  private observePod(p: Pod): void {
    const uid = p.metadata?.uid ?? ''
    const e = this.pods.get(uid)
    if (e) e.pod = p
    else {
      this.pods.set(uid, { pod: p, gone: false })
      if (p.status?.podIP) this.ipam?.reserve(uid, p.status.podIP)
    }
    this.queue.add(uid)
  }

  private async worker(): Promise<void> {
    for (;;) {
      const uid = await this.queue.get()
      if (uid === undefined || this.stopped) return
      try {
        await this.syncPod(uid)
        this.queue.forget(uid)
      } catch (e) {
        if (this.stopped) return
        this.queue.addRateLimited(uid)
        // a conflict is retried quietly; a runtime that is down shows in the node's Ready condition
        if (!(e instanceof ApiError && e.code === 409) && !(e instanceof RuntimeUnavailableError))
          console.error(`${this.name}: syncing pod ${uid} failed:`, e instanceof Error ? e.message : e)
      } finally {
        this.queue.done(uid)
      }
    }
  }

  /** One step of bringing pod `uid` in line (level-based: safe to run again at any time). */
  private async syncPod(uid: string): Promise<void> {
    const containers = await this.runtime.listContainers({ podUid: uid })
    const entry = this.pods.get(uid)
    if (!entry) {
      // containers of a pod this node does not run (any more): clean them up
      await this.removeAll(containers, 0)
      return
    }
    const pod = entry.pod
    if (entry.gone || pod.metadata?.deletionTimestamp) return this.terminate(uid, entry, containers)
    if (isPodTerminal(pod)) return
    this.status.seen(uid)
    if (!this.ipam) return // the network is not ready: observeNode syncs every pod once it is
    const ip = this.ipam.allocate(uid)
    if (!ip) {
      this.recorder.event(
        pod,
        'Warning',
        'FailedCreatePodSandBox',
        `Failed to create pod sandbox: no IP addresses available in range set: ${this.ipam.podCIDR}`,
      )
      this.queue.addAfter(uid, 10_000)
      return
    }
    const actions = computePodActions(pod, containers, this.restarts, this.prober.unhealthy(uid))
    const waiting: Waiting = new Map()
    for (const k of actions.kill) {
      this.recorder.event(pod, 'Normal', 'Killing', k.message, { fieldPath: `spec.containers{${k.name}}` })
      await this.runtime.stopContainer(k.id, this.gracePeriod(pod, k.probe && probeOf(pod, k.name, k.probe))).catch(ignoreNotFound)
    }
    for (const id of actions.remove) await this.runtime.removeContainer(id).catch(ignoreNotFound)
    for (const w of actions.wait) {
      waiting.set(w.name, { reason: w.reason, message: w.message })
      const m = pod.metadata ?? {}
      this.recorder.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${w.name} in pod ${m.name}_${m.namespace}(${m.uid})`, {
        fieldPath: `spec.containers{${w.name}}`,
      })
      this.queue.addAfter(uid, w.retryAfterMs)
    }
    for (const s of actions.start) await this.startContainer(pod, s, ip, waiting)
    this.waiting.set(uid, waiting)
    const acted = actions.kill.length + actions.remove.length + actions.start.length > 0
    const now = acted ? await this.runtime.listContainers({ podUid: uid }) : containers
    // probes follow the containers as they are now (a new one is probed at once)
    this.prober.sync(pod, now, ip)
    await this.status.report(uid, pod, false, now).catch(ignoreGone)
  }

  private async startContainer(pod: Pod, action: StartAction, podIP: string, waiting: Waiting): Promise<void> {
    const c = action.container
    const uid = pod.metadata?.uid ?? ''
    const fieldPath = `spec.containers{${c.name}}`
    const image = c.image ?? ''
    if (action.restart) this.restarts.next(action.restart.key, action.restart.finishedAt)
    if (!(await this.images.ensureImage(pod, c, waiting))) return
    const config: ContainerConfig = {
      podUid: uid,
      podName: pod.metadata?.name ?? '',
      podNamespace: pod.metadata?.namespace ?? '',
      name: c.name,
      image,
      env: containerEnvironment(pod, c, podIP, this.config.nodeIP),
      podIP,
      attempt: action.attempt,
    }
    if (c.stdin) config.stdin = true
    if (c.stdinOnce) config.stdinOnce = true
    if (c.tty) config.tty = true
    if (c.command) config.command = [...c.command]
    if (c.args) config.args = [...c.args]
    if (c.ports?.length) config.ports = c.ports.map((p) => ({ containerPort: p.containerPort, protocol: p.protocol, name: p.name }))
    const limits = c.resources?.limits as Record<string, string> | undefined
    if (limits?.cpu || limits?.memory) {
      config.limits = {}
      if (limits.cpu) config.limits.cpuMillis = milliCpu(limits.cpu)
      if (limits.memory) config.limits.memoryBytes = parseQuantity(limits.memory)
    }
    let id: string
    try {
      id = await this.runtime.createContainer(config)
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e)
      waiting.set(c.name, { reason: 'CreateContainerError', message: msg })
      this.recorder.event(pod, 'Warning', 'Failed', `Error: ${msg}`, { fieldPath })
      this.queue.addRateLimited(uid)
      return
    }
    this.recorder.event(pod, 'Normal', 'Created', `Created container: ${c.name}`, { fieldPath })
    try {
      await this.runtime.startContainer(id)
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e)
      waiting.set(c.name, { reason: 'RunContainerError', message: msg })
      this.recorder.event(pod, 'Warning', 'Failed', `Error: ${msg}`, { fieldPath })
      this.queue.addRateLimited(uid)
      return
    }
    this.recorder.event(pod, 'Normal', 'Started', `Started container ${c.name}`, { fieldPath })
  }

  /** The grace period of a kill: a probe's own terminationGracePeriodSeconds, the deletion's, or the pod's. */
  private gracePeriod(pod: Pod, probe?: { terminationGracePeriodSeconds?: number }): number {
    return probe?.terminationGracePeriodSeconds ?? pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30
  }

  /** Stops a deleted pod's containers, reports its final status and completes the deletion. */
  private async terminate(uid: string, entry: PodEntry, containers: ContainerStatus[]): Promise<void> {
    const pod = entry.pod
    const grace = this.gracePeriod(pod)
    await Promise.all(
      containers
        .filter((c) => c.state === 'running' || c.state === 'created')
        .map(async (c) => {
          this.recorder.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, { fieldPath: `spec.containers{${c.name}}` })
          await this.runtime.stopContainer(c.id, grace).catch(ignoreNotFound)
        }),
    )
    if (!entry.gone && containers.length) {
      this.waiting.delete(uid)
      await this.status.report(uid, pod, true).catch(ignoreGone)
    }
    this.prober.removePod(uid)
    await this.removeAll(await this.runtime.listContainers({ podUid: uid }), grace)
    this.ipam?.release(uid)
    if (!entry.gone) {
      try {
        await this.client.delete(refFor(PODS, pod.metadata?.namespace, pod.metadata?.name), { gracePeriodSeconds: 0, preconditions: { uid } })
      } catch (e) {
        ignoreGone(e)
      }
      return
    }
    this.forget(uid)
  }

  private async removeAll(containers: readonly ContainerStatus[], grace: number): Promise<void> {
    for (const c of containers) {
      if (c.state === 'running') await this.runtime.stopContainer(c.id, grace).catch(ignoreNotFound)
      await this.runtime.removeContainer(c.id).catch(ignoreNotFound)
    }
  }

  private forget(uid: string): void {
    this.prober.removePod(uid)
    this.pods.delete(uid)
    this.waiting.delete(uid)
    this.status.forgetPod(uid)
    this.restarts.forgetPrefix(`${uid}/`)
    this.images.forgetPod(uid)
  }

  private every(ms: number, fn: () => unknown): void {
    const t = setInterval(() => {
      if (!this.stopped) void fn()
    }, ms)
    t.unref()
    this.timers.push(t)
  }
}

/** A container's probe of one type, as the spec declares it. */
function probeOf(pod: Pod, container: string, type: 'liveness' | 'readiness' | 'startup'): { terminationGracePeriodSeconds?: number } | undefined {
  const c = pod.spec?.containers?.find((x) => x.name === container)
  return (type === 'liveness' ? c?.livenessProbe : type === 'startup' ? c?.startupProbe : c?.readinessProbe) as
    { terminationGracePeriodSeconds?: number } | undefined
}

function ignoreNotFound(e: unknown): void {
  if (!(e instanceof ContainerNotFoundError)) throw e
}

function ignoreGone(e: unknown): void {
  if (e instanceof ApiError && (e.code === 404 || e.code === 409)) return
  throw e
}
