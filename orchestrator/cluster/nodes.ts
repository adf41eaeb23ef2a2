// The worker nodes of one reference cluster, as `kubeadm join` brings them up: a node
// configuration (capacity, labels, taints) per node, a serving certificate for its kubelet
// endpoint, one container runtime per node (simulated, or the Docker engine), and the kubelet
// with its own identity (system:node:<name>). It also holds the harness's node doors: stop and
// restart a kubelet, frozen heartbeats, an unreachable runtime, pressure, another kubelet
// version, the load of a simulated pod, and healNodeFaults() that undoes them all. Mirrors
// kubeadm join's kubelet-start phase and what a machine's faults do to a node; simplified:
// every node is an object in this process, so a "machine" fault is a switch
// (kubelet/faults.ts, runtime/faults.ts), and a node's certificate is issued directly by the
// cluster CA instead of through TLS bootstrap and a CSR. With `nodeProcesses` (`ock up`), each
// kubelet is an OS process instead (./kubeletprocs.ts): the doors signal it (SIGTERM stops it,
// SIGSTOP freezes its heartbeats) or send it a request (an unreachable runtime, pressure), and
// on Docker the node's containers belong to this process, which removes them when it stops.

import type { CertificateAuthority, KeyPair } from '../pki/pki.js'
import { Identities } from '../pki/pki.js'
import { ApiClient } from '../client/client.js'
import { Informer } from '../client/informer.js'
import { DEFAULT_CAPACITY, KUBELET_VERSION, type KubeletConfig } from '../kubelet/config.js'
import { NodeFaults, PRESSURE_CONDITIONS, type PressureCondition } from '../kubelet/faults.js'
import { Kubelet } from '../kubelet/kubelet.js'
import { KubeletServer } from '../kubelet/server.js'
import { resourceMetricsAuthorizer } from '../kubelet/stats.js'
import { currentProcess } from '../host/process.js'
import { FaultInjectingRuntime, type CreatedContainer } from '../runtime/faults.js'
import { installExitReaper } from '../runtime/docker/engine.js'
import type { ContainerRuntime } from '../runtime/runtime.js'
import { DockerRuntime } from '../runtime/docker/docker.js'
import { SimulatedRuntime, type PodUsage } from '../runtime/simulated/simulated.js'
import { randomBytes } from 'node:crypto'
import { KubeletProcesses } from './kubeletprocs.js'
import { nodeIP, type NetworkConfig } from './network.js'
import type { Topology } from './topology.js'

interface NodeHandle {
  config: KubeletConfig
  /** The node's runtime, behind a switch that can make it unreachable. */
  runtime: FaultInjectingRuntime
  /** Faults the kubelet reads: frozen heartbeats, pressure. */
  faults: NodeFaults
  /** The kubelet version the node was configured with (a version fault restarts it with another). */
  kubeletVersion?: string
  /** The serving certificate of the node's kubelet endpoint, for its node IP. */
  serving: KeyPair
  /** The endpoint's port once first started (a restarted kubelet comes back on it). */
  port?: number
  kubelet?: Kubelet
  /** With kubelet processes: the kubelet's client certificate (written to the node's files). */
  client?: KeyPair
  /** With kubelet processes on Docker: the node's run id, the same for every kubelet process of the node. */
  runId?: string
}

/** The worker nodes of a cluster and their doors. */
export class WorkerNodes {
  private readonly nodeHandles = new Map<string, NodeHandle>()
  /** The kubelet processes, when the topology asks for them (`ock up`). */
  readonly processes: KubeletProcesses | undefined
  /** Names this cluster's Docker run ids, so two clusters' nodes never share containers. */
  private readonly clusterId = randomBytes(4).toString('hex')

  constructor(
    private readonly topology: Topology,
    private readonly network: NetworkConfig,
    private readonly ca: CertificateAuthority,
    /** An API client of the cluster's address that authenticates as `identity`. */
    private readonly client: (identity: { commonName: string; organizations: readonly string[] }, userAgent: string) => Promise<ApiClient>,
    /** The cluster's address (kubelet processes are given it). */
    private readonly url: () => string = () => '',
  ) {
    const p = topology.nodeProcesses
    this.processes = p ? new KubeletProcesses(p.dir, p.command) : undefined
  }

  /** Names of the worker nodes, in order. */
  get nodeNames(): string[] {
    return [...this.nodeHandles.keys()]
  }

  private kubeletConfig(name: string, index: number): KubeletConfig {
    const base = this.topology.node ?? {}
    const own = this.topology.nodeOverrides?.[name] ?? {}
    return {
      nodeName: name,
      nodeIP: nodeIP(this.network, index),
      capacity: {
        cpu: own.cpu ?? base.cpu ?? DEFAULT_CAPACITY.cpu,
        memory: own.memory ?? base.memory ?? DEFAULT_CAPACITY.memory,
        pods: own.pods ?? base.pods ?? DEFAULT_CAPACITY.pods,
        ephemeralStorage: DEFAULT_CAPACITY.ephemeralStorage,
      },
      labels: { ...(base.labels ?? {}), ...(own.labels ?? {}) },
      taints: [...(base.taints ?? []), ...(own.taints ?? [])],
      timings: this.topology.timings?.kubelet,
    }
  }

  async addNode(name: string, index: number): Promise<void> {
    const config = this.kubeletConfig(name, index)
    const serving = await this.ca.issue({
      commonName: `system:node:${name}`,
      organizations: ['system:nodes'],
      ipAddresses: [config.nodeIP],
      dnsNames: [name],
      usage: 'server',
    })
    // one runtime per node, as one containerd per machine: a docker node's containers carry its
    // name; behind a switch that can make it unreachable (the fault door). With kubelet
    // processes, the node's run id is stable, so a restarted kubelet finds its containers, and
    // this process owns them (the handle's runtime only removes them when the cluster stops)
    const runId = this.processes && this.topology.runtime === 'docker' ? `ock-${this.clusterId}-${name}` : undefined
    if (runId) installExitReaper()
    const runtime: ContainerRuntime = this.topology.runtime === 'docker' ? new DockerRuntime({ nodeName: name, runId }) : new SimulatedRuntime()
    const handle: NodeHandle = {
      config,
      runtime: new FaultInjectingRuntime(runtime),
      faults: new NodeFaults(),
      kubeletVersion: config.kubeletVersion,
      serving,
      runId,
    }
    if (this.processes) handle.client = await this.ca.issue({ ...Identities.kubelet(name), usage: 'client' })
    this.nodeHandles.set(name, handle)
    await this.startKubelet(name)
  }

  /** Fault door: stops the kubelet of a node (its containers keep running, as on a real node). */
  async stopKubelet(name: string): Promise<void> {
    const h = this.handle(name)
    if (this.processes) return this.processes.stop(name)
    const k = h.kubelet
    h.kubelet = undefined
    await k?.stop()
  }

  /** Starts (again) the kubelet of a node, with its runtime and configuration. */
  async startKubelet(name: string): Promise<void> {
    const h = this.handle(name)
    if (this.processes) return this.startKubeletProcess(name, h, this.processes)
    if (h.kubelet) return
    const client = await this.client(Identities.kubelet(name), `kubelet/${h.config.kubeletVersion ?? KUBELET_VERSION} (linux/amd64) ${name}`)
    const server = new KubeletServer({
      host: h.config.nodeIP,
      port: h.port ?? 0,
      caPem: this.ca.certPem,
      serving: h.serving,
      authorize: resourceMetricsAuthorizer([Identities.metricsServer.commonName]),
    })
    const kubelet = new Kubelet(h.config, { client, runtime: h.runtime, server, faults: h.faults })
    h.kubelet = kubelet
    await kubelet.start()
    h.port = server.port
  }

  private async startKubeletProcess(name: string, h: NodeHandle, processes: KubeletProcesses): Promise<void> {
    const port = await processes.start({
      kubelet: h.config,
      server: this.url(),
      caPem: this.ca.certPem,
      client: h.client!,
      serving: h.serving,
      port: h.port ?? 0,
      userAgent: `kubelet/${h.config.kubeletVersion ?? KUBELET_VERSION} (linux/amd64) ${name}`,
      metricsReaders: [Identities.metricsServer.commonName],
      runtime: this.topology.runtime ?? 'sim',
      docker: h.runId ? { runId: h.runId, owner: currentProcess() } : undefined,
      // pressure and an unreachable runtime are the machine's: they outlive its kubelet
      machine: { pressure: PRESSURE_CONDITIONS.filter((c) => h.faults.underPressure(c)), runtimeReachable: h.runtime.isReachable },
    })
    if (port !== undefined) h.port = port
  }

  /** Whether the node's kubelet runs (in this process, or as its own). */
  private kubeletRuns(name: string, h: NodeHandle): boolean {
    return this.processes ? this.processes.isRunning(name) : Boolean(h.kubelet)
  }

  /**
   * Load door of the simulated runtime: from now on the pod `namespace/name` uses `usage`
   * (shared by its running containers) on whichever node runs it; undefined ends the load.
   * Nodes on real containers take load from requests instead and are left alone.
   */
  setPodUsage(namespace: string, name: string, usage: PodUsage | undefined): void {
    for (const h of this.nodeHandles.values()) if (h.runtime.inner instanceof SimulatedRuntime) h.runtime.inner.setPodUsage(namespace, name, usage)
  }

  async restartKubelet(name: string): Promise<void> {
    await this.stopKubelet(name)
    await this.startKubelet(name)
  }

  /** Fault door: the kubelet keeps running its pods but its Lease and node status stop (true) or resume (false). */
  freezeHeartbeats(name: string, frozen: boolean): void {
    this.handle(name).faults.freezeHeartbeats(frozen)
    // a kubelet process freezes whole, as a stopped machine's would
    this.processes?.signal(name, frozen ? 'SIGSTOP' : 'SIGCONT')
  }

  /** Runtime door: the containers the node's runtime was asked to create, oldest first. */
  containersCreatedOn(name: string): CreatedContainer[] {
    if (this.processes) throw new Error(`the runtime door is not available when kubelets run as processes (${name})`)
    return this.handle(name).runtime.created()
  }

  /** Fault door: the node's container runtime stops answering (false) or answers again (true). */
  setRuntimeReachable(name: string, reachable: boolean): void {
    this.handle(name).runtime.setReachable(reachable)
    this.processes?.send(name, { type: 'runtimeReachable', reachable })
  }

  /** Fault door: the node is (or is no longer) under memory, disk or PID pressure. */
  setPressure(name: string, condition: PressureCondition, on: boolean): void {
    this.handle(name).faults.setPressure(condition, on)
    this.processes?.send(name, { type: 'pressure', condition, on })
  }

  /**
   * Fault door: the node's kubelet restarts as another version (an up- or downgrade), or as
   * its own again with undefined.
   */
  async setKubeletVersion(name: string, version: string | undefined): Promise<void> {
    const h = this.handle(name)
    const want = version ?? h.kubeletVersion
    if (h.config.kubeletVersion === want) return
    h.config = { ...h.config, kubeletVersion: want }
    if (!this.kubeletRuns(name, h)) return
    await this.restartKubelet(name)
  }

  /** Undoes every node fault: runtimes answer, heartbeats flow, no pressure, own versions, kubelets running. */
  async healNodeFaults(): Promise<void> {
    for (const [name, h] of this.nodeHandles) {
      h.runtime.setReachable(true)
      h.faults.clear()
      if (this.processes) {
        this.processes.signal(name, 'SIGCONT')
        this.processes.send(name, { type: 'runtimeReachable', reachable: true })
        for (const c of PRESSURE_CONDITIONS) this.processes.send(name, { type: 'pressure', condition: c, on: false })
      }
      if (h.config.kubeletVersion !== h.kubeletVersion) {
        h.config = { ...h.config, kubeletVersion: h.kubeletVersion }
        if (this.kubeletRuns(name, h)) await this.stopKubelet(name)
      }
      if (!this.kubeletRuns(name, h)) await this.startKubelet(name)
    }
  }

  private handle(name: string): NodeHandle {
    const h = this.nodeHandles.get(name)
    if (!h) throw new Error(`no node named ${name} in this cluster (nodes: ${this.nodeNames.join(', ') || 'none'})`)
    return h
  }

  /** Resolves once every named node reports Ready=True (through a watch, as an admin). */
  async waitForReadyNodes(names: string[], timeoutMs: number, server: string, admin: KeyPair): Promise<void> {
    const client = new ApiClient({ server, caPem: this.ca.certPem, certPem: admin.certPem, keyPem: admin.keyPem, userAgent: 'ock-cluster' })
    const informer = new Informer(client, { group: '', version: 'v1', resource: 'nodes' })
    const pending = new Set(names)
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`nodes not Ready after ${timeoutMs} ms: ${[...pending].join(', ')}`)), timeoutMs)
        const check = (n: { metadata?: { name?: string }; status?: unknown }): void => {
          const conditions = (n.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []
          if (conditions.some((c) => c.type === 'Ready' && c.status === 'True')) pending.delete(n.metadata?.name ?? '')
          if (!pending.size) {
            clearTimeout(timer)
            resolve()
          }
        }
        informer.on({ add: check, update: (_o, n) => check(n) })
        void informer.start()
      })
    } finally {
      informer.stop()
      client.close()
    }
  }

  /** Stops every kubelet (their containers keep running). */
  async stopKubelets(): Promise<void> {
    if (this.processes) return this.processes.stopAll()
    await Promise.allSettled(
      [...this.nodeHandles.keys()].map((n) => this.stopKubelet(n).catch((e: unknown) => console.error(`stopping the kubelet of ${n} failed:`, e))),
    )
  }

  /** Closes every node's runtime connection (after the kubelets and the control plane's components stopped). */
  async closeRuntimes(): Promise<void> {
    await Promise.allSettled([...this.nodeHandles.values()].map((h) => h.runtime.close()))
  }
}
