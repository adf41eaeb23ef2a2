// The composition root: builds a whole reference cluster from a topology (PKI, store, API
// server, controller manager, scheduler and N kubelets node-1..node-N on the simulated
// runtime), hands out credentials and kubeconfigs, offers the fault doors (stop / start a
// kubelet), and tears everything down. It is the only place that knows concrete classes; every
// component it starts talks to the API server over HTTPS with its own certificate
// (system:kube-controller-manager, system:kube-scheduler, system:node:<name>).
// Mirrors what kubeadm init/join lay out, in one process.

import type { KeyPair, CertificateAuthority } from '../pki/pki.js'
import { createCertificateAuthority, Identities } from '../pki/pki.js'
import { MemoryStore } from '../store/memory.js'
import type { Store } from '../store/store.js'
import { ApiServer } from '../apiserver/server.js'
import type { TraceOptions } from '../apiserver/trace.js'
import type { Taint } from '../api/types.js'
import { ApiClient } from '../client/client.js'
import { Informer } from '../client/informer.js'
import type { Runnable } from '../client/runnable.js'
import { ControllerManager } from '../controllers/manager.js'
import { DEFAULT_CAPACITY, KUBELET_VERSION, type KubeletConfig, type KubeletTimings } from '../kubelet/config.js'
import { Kubelet } from '../kubelet/kubelet.js'
import type { ContainerRuntime } from '../runtime/runtime.js'
import { SimulatedRuntime } from '../runtime/simulated/simulated.js'
import type { QueueTimings } from '../scheduler/queue.js'
import { Scheduler } from '../scheduler/scheduler.js'
import { kubeconfigYaml } from './kubeconfig.js'
import { networkConfig, nodeIP, type NetworkConfig } from './network.js'

export type RuntimeKind = 'sim' | 'docker'
export type StoreKind = 'memory' | 'etcd'

/** What one worker node has and carries. */
export interface NodeSpec {
  /** Capacity, as quantities (`4`, `500m`; `8Gi`). */
  cpu?: string
  memory?: string
  /** maxPods (110 by default, as the kubelet's). */
  pods?: number
  labels?: Record<string, string>
  taints?: Taint[]
}

/** Durations of the reference cluster; upstream defaults where not given. */
export interface ClusterTimings {
  kubelet?: Partial<KubeletTimings>
  scheduler?: Partial<QueueTimings>
}

export interface Topology {
  /** Cluster name in kubeconfigs. */
  name?: string
  /** Worker nodes (kubelets), named node-1 .. node-N. */
  nodes?: number
  /** What every node has (defaults: 4 CPUs, 8Gi, 110 pods). */
  node?: NodeSpec
  /** Per-node differences, by node name; labels and taints add to the defaults. */
  nodeOverrides?: Record<string, NodeSpec>
  timings?: ClusterTimings
  network?: Partial<NetworkConfig>
  scheduler?: { percentageOfNodesToScore?: number }
  runtime?: RuntimeKind
  store?: StoreKind
  masters?: number
  trace?: TraceOptions
  /** Host the API server binds (a loopback address). */
  host?: string
  /** API server port; 0 picks a free one. */
  port?: number
  /** How long start() waits for every node to be Ready. */
  readyTimeoutMs?: number
}

/** Thrown for topologies this build cannot run yet, with a message a user can act on. */
export class UnsupportedTopologyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UnsupportedTopologyError'
  }
}

export interface Identity {
  commonName: string
  organizations: readonly string[]
}

export function validateTopology(t: Topology): void {
  if (t.runtime && t.runtime !== 'sim' && t.runtime !== 'docker') throw new UnsupportedTopologyError(`unknown runtime "${t.runtime}": use sim or docker`)
  if (t.store && t.store !== 'memory' && t.store !== 'etcd') throw new UnsupportedTopologyError(`unknown store "${t.store}": use memory or etcd`)
  if (t.runtime === 'docker') throw new UnsupportedTopologyError('--runtime docker is not built yet: the Docker runtime comes with the real-containers work; use --runtime sim')
  if (t.store === 'etcd') throw new UnsupportedTopologyError('--store etcd is not built yet: the etcd store comes with the etcd work; use --store memory')
  if ((t.masters ?? 1) !== 1) throw new UnsupportedTopologyError('--masters other than 1 is not built yet: highly available control planes come with the etcd work')
  if (t.nodes !== undefined && (!Number.isInteger(t.nodes) || t.nodes < 0)) throw new UnsupportedTopologyError(`--nodes must be a whole number >= 0, not ${t.nodes}`)
  try {
    networkConfig(t.network, t.nodes ?? 0)
  } catch (e) {
    throw new UnsupportedTopologyError(e instanceof Error ? e.message : String(e))
  }
}

interface NodeHandle {
  config: KubeletConfig
  runtime: ContainerRuntime
  kubelet?: Kubelet
}

export class Cluster {
  private readonly components: Runnable[] = []
  private readonly nodeHandles = new Map<string, NodeHandle>()
  private stopped = false

  private constructor(
    readonly topology: Topology,
    readonly ca: CertificateAuthority,
    readonly store: Store,
    readonly apiServer: ApiServer,
    private readonly adminCreds: KeyPair,
    readonly network: NetworkConfig,
  ) {}

  static async start(topology: Topology = {}): Promise<Cluster> {
    validateTopology(topology)
    const network = networkConfig(topology.network, topology.nodes ?? 0)
    const ca = await createCertificateAuthority()
    const host = topology.host ?? '127.0.0.1'
    const serving = await ca.issue({ commonName: 'kube-apiserver', dnsNames: ['localhost', 'kubernetes', 'kubernetes.default'], ipAddresses: [host, '127.0.0.1'], usage: 'server' })
    const store = new MemoryStore()
    const apiServer = new ApiServer({ name: 'apiserver-0', host, port: topology.port ?? 0, store, caPem: ca.certPem, serving, trace: topology.trace })
    await apiServer.start()
    const admin = await ca.issue({ ...Identities.admin, usage: 'client' })
    const cluster = new Cluster(topology, ca, store, apiServer, admin, network)
    try {
      const cm = new ControllerManager(await cluster.client(Identities.controllerManager, 'kube-controller-manager'), {
        clusterCIDR: network.clusterCIDR,
        nodeCIDRMaskSize: network.nodeCIDRMaskSize,
        allocateNodeCIDRs: true,
      })
      await cluster.run(cm)
      const scheduler = new Scheduler(await cluster.client(Identities.scheduler, 'kube-scheduler'), {
        timings: topology.timings?.scheduler,
        percentageOfNodesToScore: topology.scheduler?.percentageOfNodesToScore,
      })
      await cluster.run(scheduler)
      const names = Array.from({ length: topology.nodes ?? 0 }, (_, i) => `node-${i + 1}`)
      await Promise.all(names.map((name, i) => cluster.addNode(name, i + 1)))
      if (names.length) await cluster.waitForReadyNodes(names, topology.readyTimeoutMs ?? 30_000 + 100 * names.length)
    } catch (e) {
      await cluster.stop()
      throw e
    }
    return cluster
  }

  get url(): string {
    return this.apiServer.url
  }

  get name(): string {
    return this.topology.name ?? 'ock'
  }

  /** Names of the worker nodes, in order. */
  get nodeNames(): string[] {
    return [...this.nodeHandles.keys()]
  }

  /** Starts a component and stops it with the cluster. */
  async run(c: Runnable): Promise<void> {
    this.components.push(c)
    await c.start()
  }

  /** A client certificate of the cluster CA for any identity (CN user, O groups). */
  credentials(identity: Identity): Promise<KeyPair> {
    return this.ca.issue({ commonName: identity.commonName, organizations: identity.organizations, usage: 'client' })
  }

  /** An API client that authenticates as `identity`. */
  async client(identity: Identity, userAgent = identity.commonName): Promise<ApiClient> {
    const creds = await this.credentials(identity)
    return new ApiClient({ server: this.url, caPem: this.ca.certPem, certPem: creds.certPem, keyPem: creds.keyPem, userAgent })
  }

  // -------------------------------------------------------------------------------------------
  // worker nodes

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

  private async addNode(name: string, index: number): Promise<void> {
    const handle: NodeHandle = { config: this.kubeletConfig(name, index), runtime: new SimulatedRuntime() }
    this.nodeHandles.set(name, handle)
    await this.startKubelet(name)
  }

  /** Fault door: stops the kubelet of a node (its containers keep running, as on a real node). */
  async stopKubelet(name: string): Promise<void> {
    const h = this.handle(name)
    const k = h.kubelet
    h.kubelet = undefined
    await k?.stop()
  }

  /** Starts (again) the kubelet of a node, with its runtime and configuration. */
  async startKubelet(name: string): Promise<void> {
    const h = this.handle(name)
    if (h.kubelet) return
    const client = await this.client(Identities.kubelet(name), `kubelet/${KUBELET_VERSION} (linux/amd64) ${name}`)
    const kubelet = new Kubelet(h.config, { client, runtime: h.runtime })
    h.kubelet = kubelet
    await kubelet.start()
  }

  async restartKubelet(name: string): Promise<void> {
    await this.stopKubelet(name)
    await this.startKubelet(name)
  }

  private handle(name: string): NodeHandle {
    const h = this.nodeHandles.get(name)
    if (!h) throw new Error(`no node named ${name} in this cluster (nodes: ${this.nodeNames.join(', ') || 'none'})`)
    return h
  }

  /** Resolves once every named node reports Ready=True (through a watch, as an admin). */
  private async waitForReadyNodes(names: string[], timeoutMs: number): Promise<void> {
    const client = new ApiClient({ server: this.url, caPem: this.ca.certPem, certPem: this.adminCreds.certPem, keyPem: this.adminCreds.keyPem, userAgent: 'ock-cluster' })
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

  // -------------------------------------------------------------------------------------------

  /** The admin kubeconfig (system:masters), as kubeadm's admin.conf. */
  adminKubeconfig(namespace?: string): string {
    return kubeconfigYaml({
      clusterName: this.name,
      server: this.url,
      caPem: this.ca.certPem,
      userName: Identities.admin.commonName,
      certPem: this.adminCreds.certPem,
      keyPem: this.adminCreds.keyPem,
      namespace,
    })
  }

  /** A kubeconfig for any identity. */
  async kubeconfigFor(identity: Identity, namespace?: string): Promise<string> {
    const creds = await this.credentials(identity)
    return kubeconfigYaml({ clusterName: this.name, server: this.url, caPem: this.ca.certPem, userName: identity.commonName, certPem: creds.certPem, keyPem: creds.keyPem, namespace })
  }

  /** Stops the kubelets, every component, then the API server, then the store. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    await Promise.allSettled([...this.nodeHandles.keys()].map((n) => this.stopKubelet(n).catch((e: unknown) => console.error(`stopping the kubelet of ${n} failed:`, e))))
    for (const c of [...this.components].reverse()) {
      await c.stop().catch((e: unknown) => console.error(`stopping ${c.name} failed:`, e))
    }
    await Promise.allSettled([...this.nodeHandles.values()].map((h) => h.runtime.close()))
    await this.apiServer.stop()
    await this.store.close()
  }
}
