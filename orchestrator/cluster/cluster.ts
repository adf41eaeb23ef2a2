// The composition root: builds a whole reference cluster from a topology (PKI, store, an API
// server, controller manager and scheduler per master, and N kubelets node-1..node-N on the
// simulated runtime, or on the Docker engine with one DockerRuntime per node), hands out credentials and kubeconfigs, offers fault handles to the
// harness (kubelets, etcd members, API servers, controller managers), and tears everything
// down. It is the only place that knows concrete classes; every component it starts talks to
// the API server over HTTPS with its own certificate (system:kube-controller-manager,
// system:kube-scheduler, system:node:<name>, system:kube-proxy).
// Mirrors what kubeadm init/join lay out for stacked or external etcd (ha-topology), in one
// process: several API servers behind one load-balanced address, etcd members per master
// (stacked) or a separate etcd cluster (external), the controller manager and the scheduler on
// every master under Lease-based leader election. Each cluster leases its own loopback ranges (./netlease.ts:
// node pod CIDRs, the service range, the ingress address) so clusters of one machine never
// share an address, and runs a service proxy and an ingress in front of its Services.
// Cluster configuration (admission configuration, static token file, audit log, default
// toleration seconds) is passed to every API server as kube-apiserver flags would be. Node
// faults (a stopped kubelet, frozen heartbeats, an unreachable runtime, pressure, another
// kubelet version) are injected here and healed by healNodeFaults(); every API server's store is
// wrapped in a FaultInjectingStore (store/faults.ts) that can acknowledge or commit writes late and notes
// when each write was acknowledged, for the harness's store door. Starting a cluster installs
// the process guard (host/guard.ts) in its process.

import { randomUUID } from 'node:crypto'
import type { KeyPair, CertificateAuthority } from '../pki/pki.js'
import { createCertificateAuthority, Identities, loadCertificateAuthority } from '../pki/pki.js'
import { MemoryStore } from '../store/memory.js'
import { installProcessGuard } from '../host/guard.js'
import { EtcdStore } from '../store/etcd.js'
import { FaultInjectingStore, type WriteAcknowledgement } from '../store/faults.js'
import type { Store } from '../store/store.js'
import { readFile } from 'node:fs/promises'
import { join, parse } from 'node:path'
import { ApiServer } from '../apiserver/server.js'
import type { TraceOptions } from '../apiserver/trace.js'
import type { AuditOptions } from '../apiserver/filters/audit.js'
import { X509Authenticator } from '../apiserver/auth.js'
import { BearerTokenAuthenticator, type TokenAuthenticator } from '../apiserver/authn/bearer.js'
import { ServiceAccountTokens } from '../apiserver/authn/serviceaccount.js'
import { parseTokenFile, TokenFileAuthenticator } from '../apiserver/authn/tokenfile.js'
import { buildAdmissionChain, parseAdmissionConfiguration, type AdmissionConfig } from '../admission/chain.js'
import type { KObject } from '../api/meta.js'
import type { Taint } from '../api/types.js'
import { ApiClient } from '../client/client.js'
import { Informer } from '../client/informer.js'
import { LeaderElector, type LeaderElectionTimings } from '../client/leaderelection.js'
import type { Runnable } from '../client/runnable.js'
import { ControllerManager } from '../controllers/manager.js'
import type { NodeLifecycleTimings } from '../controllers/nodelifecycle/nodelifecycle.js'
import { DEFAULT_CAPACITY, KUBELET_VERSION, type KubeletConfig, type KubeletTimings } from '../kubelet/config.js'
import { NodeFaults, type PressureCondition } from '../kubelet/faults.js'
import { Kubelet } from '../kubelet/kubelet.js'
import { KubeletServer } from '../kubelet/server.js'
import { resourceMetricsAuthorizer } from '../kubelet/stats.js'
import { MetricsServer } from '../metrics/server.js'
import type { HPATimings } from '../controllers/podautoscaler/horizontal.js'
import { FaultInjectingRuntime, type CreatedContainer } from '../runtime/faults.js'
import type { ContainerRuntime } from '../runtime/runtime.js'
import { DockerRuntime } from '../runtime/docker/docker.js'
import { SimulatedRuntime, type PodUsage } from '../runtime/simulated/simulated.js'
import type { QueueTimings } from '../scheduler/queue.js'
import { Scheduler } from '../scheduler/scheduler.js'
import { IngressController } from '../proxy/ingress.js'
import { ServiceProxy } from '../proxy/proxy.js'
import { engineStatus, type EngineStatus } from '../runtime/docker/engine.js'
import { EtcdCluster } from './etcd.js'
import { kubeconfigYaml } from './kubeconfig.js'
import { LoadBalancer } from './loadbalancer.js'
import { acquireNetworkLease, type NetworkLease } from './netlease.js'
import { networkConfig, nodeIP, type NetworkConfig } from './network.js'

export type RuntimeKind = 'sim' | 'docker'
export type StoreKind = 'memory' | 'etcd'
/** Where etcd runs: a member on every master, used by that master only, or a separate cluster every master uses. */
export type EtcdTopology = 'stacked' | 'external'

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
  /** metrics-server's --metric-resolution (default 15 s). */
  metricResolutionMs?: number
  /** The HPA controller's sync period, downscale stabilization and tolerance (upstream: 15 s, 5 min, 0.1). */
  horizontalPodAutoscaler?: Partial<HPATimings>
  /** The controller manager's --node-monitor-period, --node-monitor-grace-period, --node-startup-grace-period. */
  nodeLifecycle?: Partial<NodeLifecycleTimings>
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
  /** The pod and node address plan; by default the cluster's leased loopback ranges. */
  network?: Partial<NetworkConfig>
  scheduler?: { percentageOfNodesToScore?: number }
  /** How long start() waits for every node to be Ready. */
  readyTimeoutMs?: number
  runtime?: RuntimeKind
  store?: StoreKind
  /** Control-plane nodes: each runs an API server and a controller manager (default 1). */
  masters?: number
  /** With the etcd store: stacked (default, as kubeadm) or external. */
  etcdTopology?: EtcdTopology
  /** Members of an external etcd cluster (default 3); stacked has one per master. */
  etcdMembers?: number
  /** Raft timings of the etcd members (etcd's defaults: 100 ms heartbeat, 1000 ms election). */
  etcdTimings?: { heartbeatMs?: number; electionMs?: number }
  /** Bound of one store call, retries included (and of the API server's wait for it). */
  storeTimeoutMs?: number
  /** Lease timings of the controller manager's and scheduler's leader election (upstream: 15s / 10s / 2s). */
  leaderElection?: Partial<LeaderElectionTimings>
  trace?: TraceOptions
  /** Host the API servers (and the load balancer) bind (a loopback address). */
  host?: string
  /** Port of the cluster's address (the API server, or the load balancer with several masters); 0 picks a free one. */
  port?: number
  /** Run the service proxy and the ingress controller (default true). */
  proxy?: boolean
  /** Run metrics-server and register metrics.k8s.io with the aggregation layer (default true). */
  metricsServer?: boolean
  /** AdmissionConfiguration (YAML text or object), as kube-apiserver's --admission-control-config-file. */
  admission?: string | object
  /**
   * kube-apiserver's --default-not-ready-toleration-seconds and
   * --default-unreachable-toleration-seconds (300 each); the admission configuration wins.
   */
  defaultTolerationSeconds?: { notReady?: number; unreachable?: number }
  /** Static bearer tokens, CSV as kube-apiserver's --token-auth-file. */
  tokenAuthFile?: string
  /** JSON-lines audit log, as --audit-log-path. */
  audit?: AuditOptions
  /** An existing cluster CA to reuse (PEM), so other tools can issue credentials for this cluster. */
  ca?: { certPem: string; keyPem: string }
  /** An existing service account signing key (PKCS#8 PEM), as kube-apiserver's --service-account-key-file. */
  serviceAccountKeyPem?: string
}

/** What every API server of a cluster is started with (the same flags on every master). */
interface ApiServerFlags {
  admission: AdmissionConfig
  tokens: ServiceAccountTokens
  tokenAuthenticators: TokenAuthenticator[]
}

/** Thrown for topologies this build cannot run yet, with a message a user can act on. */
export class UnsupportedTopologyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UnsupportedTopologyError'
  }
}

/** Whether the Docker engine answers, for capability checks; also reaps containers of dead OCK runs. */
export function dockerEngineStatus(timeoutMs?: number): Promise<EngineStatus> {
  return engineStatus(timeoutMs)
}

export interface Identity {
  commonName: string
  organizations: readonly string[]
}

export function validateTopology(t: Topology): void {
  if (t.runtime && t.runtime !== 'sim' && t.runtime !== 'docker') throw new UnsupportedTopologyError(`unknown runtime "${t.runtime}": use sim or docker`)
  if (t.store && t.store !== 'memory' && t.store !== 'etcd') throw new UnsupportedTopologyError(`unknown store "${t.store}": use memory or etcd`)
  const masters = t.masters ?? 1
  if (!Number.isInteger(masters) || masters < 1 || masters > 7) throw new UnsupportedTopologyError(`--masters must be a whole number from 1 to 7, not ${t.masters}`)
  if (t.etcdTopology && t.etcdTopology !== 'stacked' && t.etcdTopology !== 'external') throw new UnsupportedTopologyError(`unknown etcd topology "${t.etcdTopology}": use stacked or external`)
  if (t.etcdTopology && t.store !== 'etcd') throw new UnsupportedTopologyError('--topology chooses where etcd runs: it needs --store etcd')
  const members = t.etcdMembers ?? 3
  if (!Number.isInteger(members) || members < 1 || members > 7) throw new UnsupportedTopologyError(`--etcd-members must be a whole number from 1 to 7, not ${t.etcdMembers}`)
  if (t.etcdMembers !== undefined && (t.etcdTopology ?? 'stacked') === 'stacked') throw new UnsupportedTopologyError('--etcd-members is for an external etcd cluster; stacked etcd has one member per master')
  if (t.nodes !== undefined && (!Number.isInteger(t.nodes) || t.nodes < 0)) throw new UnsupportedTopologyError(`--nodes must be a whole number >= 0, not ${t.nodes}`)
  try {
    networkConfig(t.network, t.nodes ?? 0)
  } catch (e) {
    throw new UnsupportedTopologyError(e instanceof Error ? e.message : String(e))
  }
}

/**
 * The pod and node address plan: the leased per-cluster loopback ranges (nothing any other
 * cluster on this machine uses), or, for more nodes than a lease holds (simulated scale runs,
 * where nothing binds these addresses), the wide default plan.
 */
function addressPlan(t: Topology, lease: NetworkLease): NetworkConfig {
  if (t.network) return networkConfig(t.network, t.nodes ?? 0)
  const nodes = t.nodes ?? 0
  if (nodes <= lease.maxNodes) return networkConfig({ clusterCIDR: lease.podNetwork, nodeCIDRMaskSize: 24, nodeIPRange: lease.nodeIPRange }, nodes)
  return networkConfig(undefined, nodes)
}

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
}

/** One control-plane node: its API server, its store client, its controller manager candidate. */
export interface Master {
  readonly name: string
  /** The store the API server is given (store faults and acknowledgement times are noted around it). */
  readonly store: FaultInjectingStore
  /** The etcd client URLs this master's API server uses (empty for the memory store). */
  readonly etcdEndpoints: readonly string[]
  apiServer: ApiServer
  apiServerUp: boolean
  /** The API server's fixed address (it comes back on the same one after a restart). */
  apiServerUrl: string
  readonly controllerManager: LeaderElector
  readonly scheduler: LeaderElector
}

/** What the harness may learn about the control plane (topology, endpoints, health). */
export interface ControlPlaneDescription {
  store: StoreKind
  etcdTopology?: EtcdTopology
  loadBalancer?: string
  /** host: the master a stacked member runs on (none for an external cluster). */
  etcdMembers: { name: string; clientUrl: string; host?: string }[]
  /** auditLog: the file this master's API server writes its audit events to (when the cluster audits). */
  masters: { name: string; apiServer: string; up: boolean; etcdEndpoints: string[]; auditLog?: string }[]
}

export class Cluster {
  private readonly components: Runnable[] = []
  private readonly nodeHandles = new Map<string, NodeHandle>()
  private stopped = false
  readonly masters: Master[] = []
  private lb?: LoadBalancer
  private serving!: KeyPair
  /** The API servers' client certificate for kubelets (kube-apiserver-kubelet-client). */
  private kubeletClientCreds!: KeyPair
  /** The aggregation layer's client certificate (front-proxy-client). */
  private frontProxy!: KeyPair
  /** metrics-server, when the topology runs it. */
  metricsServer?: MetricsServer
  private readonly electionClients: ApiClient[] = []
  /** The ingress, when the topology runs one. */
  ingress?: IngressController

  private constructor(
    readonly topology: Topology,
    readonly ca: CertificateAuthority,
    private readonly adminCreds: KeyPair,
    /** The real etcd cluster, when the store is etcd. */
    readonly etcd: EtcdCluster | undefined,
    /** This cluster's loopback ranges: node pod CIDRs, the service range, the ingress address. */
    readonly lease: NetworkLease,
    /** Where pod and node addresses come from (inside the lease, unless configured otherwise). */
    readonly network: NetworkConfig,
    private readonly flags: ApiServerFlags,
  ) {}

  /** Issues and verifies service account tokens (one signing key for every API server). */
  get serviceAccountTokens(): ServiceAccountTokens {
    return this.flags.tokens
  }

  static async start(topology: Topology = {}): Promise<Cluster> {
    validateTopology(topology)
    // every component of the cluster runs in this process: no request, and no component's
    // forgotten promise, may end it (host/guard.ts logs, counts, and keeps it running)
    installProcessGuard('ock cluster')
    // configuration errors are the user's: say so before anything starts
    const admission: AdmissionConfig = topology.admission === undefined ? {} : parseAdmissionConfiguration(topology.admission)
    const tolerations = topology.defaultTolerationSeconds
    if (tolerations) {
      admission.DefaultTolerationSeconds = {
        ...(tolerations.notReady !== undefined ? { defaultNotReadyTolerationSeconds: tolerations.notReady } : {}),
        ...(tolerations.unreachable !== undefined ? { defaultUnreachableTolerationSeconds: tolerations.unreachable } : {}),
        ...(admission.DefaultTolerationSeconds ?? {}),
      }
    }
    buildAdmissionChain(admission)
    const tokenAuthenticators: TokenAuthenticator[] = []
    if (topology.tokenAuthFile) tokenAuthenticators.push(new TokenFileAuthenticator(parseTokenFile(await readFile(topology.tokenAuthFile, 'utf8'), topology.tokenAuthFile)))
    const tokens = await ServiceAccountTokens.create({ keyPem: topology.serviceAccountKeyPem })
    tokenAuthenticators.push(tokens)
    const network = await acquireNetworkLease({ description: `ock cluster "${topology.name ?? 'ock'}" (pid ${process.pid})` })
    let etcd: EtcdCluster | undefined
    let cluster: Cluster | undefined
    try {
      const ca = topology.ca ? await loadCertificateAuthority(topology.ca.certPem, topology.ca.keyPem) : await createCertificateAuthority()
      const admin = await ca.issue({ ...Identities.admin, usage: 'client' })
      const masters = topology.masters ?? 1
      const etcdTopology = topology.etcdTopology ?? 'stacked'
      etcd =
        topology.store === 'etcd'
          ? await EtcdCluster.start({ members: etcdTopology === 'stacked' ? masters : (topology.etcdMembers ?? 3), ...topology.etcdTimings })
          : undefined
      cluster = new Cluster(topology, ca, admin, etcd, network, addressPlan(topology, network), { admission, tokens, tokenAuthenticators })
      await cluster.boot(masters)
      if (topology.proxy !== false) await cluster.startProxies()
      if (topology.metricsServer !== false) await cluster.startMetricsServer()
      const names = Array.from({ length: topology.nodes ?? 0 }, (_, i) => `node-${i + 1}`)
      await Promise.all(names.map((name, i) => cluster!.addNode(name, i + 1)))
      if (names.length) await cluster.waitForReadyNodes(names, topology.readyTimeoutMs ?? 30_000 + 100 * names.length)
    } catch (e) {
      if (cluster) await cluster.stop()
      else {
        await etcd?.destroy()
        await network.release()
      }
      throw e
    }
    return cluster
  }

  /** The service proxy and the ingress controller, each with its own identity. */
  private async startProxies(): Promise<void> {
    await this.run(new ServiceProxy(await this.client(Identities.kubeProxy, 'kube-proxy')))
    const ingress = new IngressController(await this.client(Identities.ingressController, 'ingress-controller'), { address: this.lease.ingressAddress, port: 80, fallbackToFreePort: true })
    await this.run(ingress)
    this.ingress = ingress
  }

  /**
   * metrics-server as its addon manifest installs it: its own identity, a Service and Endpoints
   * in kube-system, and the APIService v1beta1.metrics.k8s.io naming them (with the cluster CA
   * as caBundle), so the API server proxies metrics.k8s.io to it.
   */
  private async startMetricsServer(): Promise<void> {
    const host = this.topology.host ?? '127.0.0.1'
    const serving = await this.ca.issue({ commonName: 'metrics-server', dnsNames: ['metrics-server', 'metrics-server.kube-system.svc'], ipAddresses: [host], usage: 'server' })
    const kubeletClient = await this.credentials(Identities.metricsServer)
    const server = new MetricsServer(await this.client(Identities.metricsServer, 'metrics-server'), {
      host,
      caPem: this.ca.certPem,
      serving,
      kubeletClient,
      resolutionMs: this.topology.timings?.metricResolutionMs,
    })
    await this.run(server)
    this.metricsServer = server
    const admin = await this.client(Identities.admin, 'ock-addons')
    try {
      const labels = { 'k8s-app': 'metrics-server' }
      const ns = 'kube-system'
      await admin.create({ group: '', version: 'v1', resource: 'services', namespace: ns }, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'metrics-server', namespace: ns, labels },
        spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: server.port }] },
      })
      await admin.create({ group: '', version: 'v1', resource: 'endpoints', namespace: ns }, {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'metrics-server', namespace: ns, labels },
        subsets: [{ addresses: [{ ip: host }], ports: [{ name: 'https', port: server.port, protocol: 'TCP' }] }],
      })
      await admin.create({ group: 'apiregistration.k8s.io', version: 'v1', resource: 'apiservices' }, {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: 'v1beta1.metrics.k8s.io', labels },
        spec: {
          group: 'metrics.k8s.io',
          version: 'v1beta1',
          service: { namespace: ns, name: 'metrics-server', port: 443 },
          caBundle: Buffer.from(this.ca.certPem).toString('base64'),
          groupPriorityMinimum: 100,
          versionPriority: 100,
        },
      })
      // as an installer's `kubectl wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io`
      const deadline = Date.now() + 20_000
      for (;;) {
        const svc = await admin.get<KObject & { status?: { conditions?: { type: string; status: string; message?: string }[] } }>({ group: 'apiregistration.k8s.io', version: 'v1', resource: 'apiservices', name: 'v1beta1.metrics.k8s.io' })
        const available = svc.status?.conditions?.find((c) => c.type === 'Available')
        if (available?.status === 'True') break
        if (Date.now() > deadline) throw new Error(`metrics.k8s.io did not become available within 20 s: ${available?.message ?? 'no Available condition'}`)
        await new Promise((r) => setTimeout(r, 50))
      }
    } finally {
      admin.close()
    }
  }

  private async boot(count: number): Promise<void> {
    const host = this.topology.host ?? '127.0.0.1'
    if (count > 1) this.lb = new LoadBalancer({ host, port: this.topology.port ?? 0, caPem: this.ca.certPem })
    this.serving = await this.ca.issue({ commonName: 'kube-apiserver', dnsNames: ['localhost', 'kubernetes', 'kubernetes.default'], ipAddresses: [...new Set([host, '127.0.0.1', this.lb?.host ?? host])], usage: 'server' })
    const shared = this.etcd ? undefined : new FaultInjectingStore(new MemoryStore())
    this.kubeletClientCreds = await this.credentials(Identities.apiserverKubeletClient)
    this.frontProxy = await this.credentials(Identities.frontProxyClient)
    const cmCreds = await this.credentials(Identities.controllerManager)
    const schedulerCreds = await this.credentials(Identities.scheduler)
    const stacked = (this.topology.etcdTopology ?? 'stacked') === 'stacked'
    for (let i = 0; i < count; i++) {
      const endpoints = this.etcd ? (stacked ? [this.etcd.members[i]!.clientUrl] : this.etcd.endpoints) : []
      const store = shared ?? new FaultInjectingStore(new EtcdStore({ endpoints, requestTimeoutMs: this.storeTimeoutMs() - 1000 }))
      const name = `master-${i}`
      const apiServer = this.newApiServer(i, store, count === 1 ? (this.topology.port ?? 0) : 0)
      await apiServer.start()
      const cm = this.controllerManager(name, apiServer.url, cmCreds)
      const scheduler = this.scheduler(name, apiServer.url, schedulerCreds)
      this.electionClients.push(cm.electionClient, scheduler.electionClient)
      this.masters.push({ name, store, etcdEndpoints: endpoints, apiServer, apiServerUp: true, apiServerUrl: apiServer.url, controllerManager: cm.elector, scheduler: scheduler.elector })
      this.lb?.setBackend({ name: `apiserver-${i}`, url: apiServer.url })
    }
    await this.lb?.start()
    for (const m of this.masters) {
      await m.controllerManager.start()
      await m.scheduler.start()
    }
    // as `kubeadm init` waits for the control plane: one controller manager leads and runs
    const deadline = Date.now() + 30_000
    while (!this.masters.some((m) => m.controllerManager.active)) {
      if (Date.now() > deadline) throw new Error('no controller manager became leader within 30 s')
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  private storeTimeoutMs(): number {
    return this.topology.storeTimeoutMs ?? (this.etcd ? 8_000 : 10_000)
  }

  private newApiServer(i: number, store: Store, port: number): ApiServer {
    const host = this.topology.host ?? '127.0.0.1'
    return new ApiServer({
      name: `apiserver-${i}`,
      host,
      port,
      store,
      caPem: this.ca.certPem,
      serving: this.serving,
      trace: this.topology.trace,
      storeTimeoutMs: this.storeTimeoutMs(),
      serviceClusterIPRange: this.lease.serviceCIDR,
      admission: buildAdmissionChain(this.flags.admission),
      tokens: this.flags.tokens,
      authenticators: [new X509Authenticator(), new BearerTokenAuthenticator(this.flags.tokenAuthenticators)],
      audit: this.auditOf(i),
      kubeletClient: this.kubeletClientCreds,
      proxyClient: this.frontProxy,
    })
  }

  /**
   * Each master's API server writes its own audit log, as on machines of their own: the first
   * master at the configured path, master-N beside it (`audit.log` -> `audit-master-N.log`).
   */
  private auditOf(i: number): AuditOptions | undefined {
    const audit = this.topology.audit
    if (!audit || i === 0) return audit
    const { dir, name, ext } = parse(audit.path)
    return { ...audit, path: join(dir, `${name}-master-${i}${ext}`) }
  }

  /** The controller manager of one master, under leader election, talking to that master's API server (as kubeadm's controller-manager.conf). */
  private controllerManager(master: string, server: string, creds: KeyPair): { elector: LeaderElector; electionClient: ApiClient } {
    return this.leaderElected(
      master,
      server,
      creds,
      'kube-controller-manager',
      (client) =>
        new ControllerManager(client, {
          clusterCIDR: this.network.clusterCIDR,
          nodeCIDRMaskSize: this.network.nodeCIDRMaskSize,
          allocateNodeCIDRs: true,
          horizontalPodAutoscaler: this.topology.timings?.horizontalPodAutoscaler,
          nodeLifecycle: this.topology.timings?.nodeLifecycle,
        }),
    )
  }

  /** The scheduler of one master, under leader election (as kubeadm's scheduler.conf). */
  private scheduler(master: string, server: string, creds: KeyPair): { elector: LeaderElector; electionClient: ApiClient } {
    return this.leaderElected(
      master,
      server,
      creds,
      'kube-scheduler',
      (client) => new Scheduler(client, { timings: this.topology.timings?.scheduler, percentageOfNodesToScore: this.topology.scheduler?.percentageOfNodesToScore }),
    )
  }

  /**
   * A control-plane component of one master that only runs while it holds the Lease `lease` in
   * kube-system (kube-controller-manager, kube-scheduler): `build` gets a fresh client of the
   * master's own API server each time leadership is won.
   */
  private leaderElected(master: string, server: string, creds: KeyPair, lease: string, build: (client: ApiClient) => Runnable): { elector: LeaderElector; electionClient: ApiClient } {
    const client = (userAgent: string): ApiClient => new ApiClient({ server, caPem: this.ca.certPem, certPem: creds.certPem, keyPem: creds.keyPem, userAgent, timeoutMs: 10_000 })
    const electionClient = client(`${lease}/leader-election`)
    const elector = new LeaderElector({ client: electionClient, name: lease, identity: `${master}_${randomUUID()}`, ...this.topology.leaderElection }, () => build(client(lease)))
    return { elector, electionClient }
  }

  get url(): string {
    return this.lb?.url ?? this.masters[0]!.apiServerUrl
  }

  /** The first master's API server (the only one with a single master). */
  get apiServer(): ApiServer {
    return this.masters[0]!.apiServer
  }

  get store(): Store {
    return this.masters[0]!.store
  }

  /** Store fault: from now on every API server's store acknowledges each write `ms` late (0 ends it). */
  delayStoreAcknowledgements(ms: number): void {
    for (const s of new Set(this.masters.map((m) => m.store))) s.delayAcknowledgements(ms)
  }

  /** Store fault: from now on every API server's store commits each write `ms` late, visible and acknowledged then (0 ends it). */
  delayStoreCommits(ms: number): void {
    for (const s of new Set(this.masters.map((m) => m.store))) s.delayCommits(ms)
  }

  /** When each write after `revision` reached the store and was acknowledged, measured at the store's side of every API server. */
  storeAcknowledgements(revision: number): WriteAcknowledgement[] {
    return [...new Set(this.masters.map((m) => m.store))].flatMap((s) => s.acknowledgementsSince(revision)).sort((a, b) => a.revision - b.revision)
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

  /** An API client that authenticates as `identity` (through the cluster's address, or one given). */
  async client(identity: Identity, userAgent = identity.commonName, server = this.url): Promise<ApiClient> {
    const creds = await this.credentials(identity)
    return new ApiClient({ server, caPem: this.ca.certPem, certPem: creds.certPem, keyPem: creds.keyPem, userAgent })
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
    const config = this.kubeletConfig(name, index)
    const serving = await this.ca.issue({ commonName: `system:node:${name}`, organizations: ['system:nodes'], ipAddresses: [config.nodeIP], dnsNames: [name], usage: 'server' })
    // one runtime per node, as one containerd per machine: a docker node's containers carry its
    // name; behind a switch that can make it unreachable (the fault door)
    const runtime: ContainerRuntime = this.topology.runtime === 'docker' ? new DockerRuntime({ nodeName: name }) : new SimulatedRuntime()
    const handle: NodeHandle = { config, runtime: new FaultInjectingRuntime(runtime), faults: new NodeFaults(), kubeletVersion: config.kubeletVersion, serving }
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
  }

  /** Runtime door: the containers the node's runtime was asked to create, oldest first. */
  containersCreatedOn(name: string): CreatedContainer[] {
    return this.handle(name).runtime.created()
  }

  /** Fault door: the node's container runtime stops answering (false) or answers again (true). */
  setRuntimeReachable(name: string, reachable: boolean): void {
    this.handle(name).runtime.setReachable(reachable)
  }

  /** Fault door: the node is (or is no longer) under memory, disk or PID pressure. */
  setPressure(name: string, condition: PressureCondition, on: boolean): void {
    this.handle(name).faults.setPressure(condition, on)
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
    if (!h.kubelet) return
    await this.restartKubelet(name)
  }

  /** Undoes every node fault: runtimes answer, heartbeats flow, no pressure, own versions, kubelets running. */
  async healNodeFaults(): Promise<void> {
    for (const [name, h] of this.nodeHandles) {
      h.runtime.setReachable(true)
      h.faults.clear()
      if (h.config.kubeletVersion !== h.kubeletVersion) {
        h.config = { ...h.config, kubeletVersion: h.kubeletVersion }
        if (h.kubelet) await this.stopKubelet(name)
      }
      if (!h.kubelet) await this.startKubelet(name)
    }
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

  /** A kubeconfig that authenticates with a bearer token (service account or static token). */
  tokenKubeconfig(userName: string, token: string, namespace?: string): string {
    return kubeconfigYaml({ clusterName: this.name, server: this.url, caPem: this.ca.certPem, userName, token, namespace })
  }

  /** A kubeconfig for any identity. */
  async kubeconfigFor(identity: Identity, namespace?: string): Promise<string> {
    const creds = await this.credentials(identity)
    return kubeconfigYaml({ clusterName: this.name, server: this.url, caPem: this.ca.certPem, userName: identity.commonName, certPem: creds.certPem, keyPem: creds.keyPem, namespace })
  }

  // -------------------------------------------------------------------------------------------
  // fault handles (the harness's @faults door)

  master(name: string): Master {
    const m = this.masters.find((x) => x.name === name || x.apiServer.name === name)
    if (!m) throw new Error(`no master "${name}" (masters: ${this.masters.map((x) => x.name).join(', ')})`)
    return m
  }

  describe(): ControlPlaneDescription {
    return {
      store: this.topology.store ?? 'memory',
      etcdTopology: this.etcd ? (this.topology.etcdTopology ?? 'stacked') : undefined,
      loadBalancer: this.lb?.url,
      // stacked: member i was started on master i's machine (kubeadm names it after the node)
      etcdMembers: (this.etcd?.members ?? []).map((m, i) => ({ name: m.name, clientUrl: m.clientUrl, host: this.topology.etcdTopology === 'external' ? undefined : this.masters[i]?.name })),
      masters: this.masters.map((m, i) => ({ name: m.name, apiServer: m.apiServerUrl, up: m.apiServerUp, etcdEndpoints: [...m.etcdEndpoints], auditLog: this.auditOf(i)?.path })),
    }
  }

  /** Stops a master's API server as if its process died (open connections are cut). */
  async killApiServer(master: string): Promise<void> {
    const m = this.master(master)
    if (!m.apiServerUp) return
    m.apiServerUp = false
    await m.apiServer.stop()
  }

  /** Starts a master's API server again on its address, with the same store. */
  async restartApiServer(master: string): Promise<void> {
    const m = this.master(master)
    if (m.apiServerUp) return
    const i = this.masters.indexOf(m)
    const port = Number(new URL(m.apiServerUrl).port)
    m.apiServer = this.newApiServer(i, m.store, port)
    await m.apiServer.start()
    m.apiServerUp = true
  }

  /** The controller manager that leads now, as the candidates see themselves. */
  controllerManagerLeader(): Master | undefined {
    return this.masters.find((m) => m.controllerManager.isLeader)
  }

  /** Stops a master's controller manager as a crash would: its lease is left to expire. */
  async crashControllerManager(master: string): Promise<void> {
    await this.master(master).controllerManager.crash()
  }

  async startControllerManager(master: string): Promise<void> {
    await this.master(master).controllerManager.start()
  }

  /** Stops a master's scheduler as a crash would: its lease is left to expire. */
  async crashScheduler(master: string): Promise<void> {
    await this.master(master).scheduler.crash()
  }

  async startScheduler(master: string): Promise<void> {
    await this.master(master).scheduler.start()
  }

  /**
   * Restores etcd from a snapshot file the upstream way: stop every API server, restore the
   * snapshot into fresh members, start the API servers again (controllers relist on their own).
   */
  async restoreEtcd(snapshotFile: string): Promise<void> {
    if (!this.etcd) throw new Error('this cluster does not run on etcd')
    const up = this.masters.filter((m) => m.apiServerUp).map((m) => m.name)
    for (const m of up) await this.killApiServer(m)
    await this.etcd.restore(snapshotFile)
    for (const m of up) await this.restartApiServer(m)
  }

  /** Stops the kubelets, every component, then the API servers, the stores and etcd. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    await Promise.allSettled([...this.nodeHandles.keys()].map((n) => this.stopKubelet(n).catch((e: unknown) => console.error(`stopping the kubelet of ${n} failed:`, e))))
    for (const c of [...this.components].reverse()) {
      await c.stop().catch((e: unknown) => console.error(`stopping ${c.name} failed:`, e))
    }
    // the whole control plane stops, so no standby is left to hand a Lease to: releasing it would
    // only wait on API servers whose etcd may be gone (a scenario's fault) for nothing
    for (const m of this.masters) {
      await m.scheduler.crash().catch((e: unknown) => console.error(`stopping the scheduler of ${m.name} failed:`, e))
      await m.controllerManager.crash().catch((e: unknown) => console.error(`stopping the controller manager of ${m.name} failed:`, e))
    }
    await Promise.allSettled([...this.nodeHandles.values()].map((h) => h.runtime.close()))
    for (const c of this.electionClients) c.close()
    await this.lb?.stop()
    for (const m of this.masters) if (m.apiServerUp) await m.apiServer.stop()
    for (const s of new Set(this.masters.map((m) => m.store))) await s.close()
    await this.etcd?.destroy()
    await this.lease.release()
  }
}
