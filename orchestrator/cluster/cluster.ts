// The composition root: builds a whole reference cluster from a topology (./topology.ts): PKI,
// store, the control plane (./controlplane.ts: an API server, controller manager and scheduler
// per master), the addons (the service proxy, the ingress, metrics-server in
// ./addons/metricsserver.ts) and N worker nodes (./nodes.ts: kubelets node-1..node-N on the
// simulated runtime, or on the Docker engine with one DockerRuntime per node); it hands out
// credentials and kubeconfigs, offers the harness's doors by name (each delegates to the part
// that owns it), and tears everything down. It is the only place that knows concrete classes;
// every component it starts talks to the API server over HTTPS with its own certificate
// (system:kube-controller-manager, system:kube-scheduler, system:node:<name>, system:kube-proxy).
// Mirrors what kubeadm init/join lay out for stacked or external etcd (ha-topology), in one
// process. Each cluster leases its own loopback ranges (./netlease.ts: node pod CIDRs, the
// service range, the ingress address) so clusters of one machine never share an address.
// Cluster configuration (admission configuration, static token file, audit log and webhook,
// default toleration seconds) is parsed here, before anything starts, and passed to every API
// server as kube-apiserver flags would be. Starting a cluster installs the process guard
// (host/guard.ts) in its process. Simplified: one process plays every machine, except that
// `ock up` (Topology.nodeProcesses) runs each kubelet as its own OS process (./kubeletprocs.ts).

import type { KeyPair, CertificateAuthority } from '../pki/pki.js'
import { createCertificateAuthority, Identities, loadCertificateAuthority, reusingIssuance } from '../pki/pki.js'
import { installProcessGuard } from '../host/guard.js'
import type { WriteAcknowledgement } from '../store/faults.js'
import type { Store } from '../store/store.js'
import { readFile } from 'node:fs/promises'
import type { ApiServer } from '../apiserver/server.js'
import type { TokenAuthenticator } from '../apiserver/authn/bearer.js'
import { ServiceAccountTokens } from '../apiserver/authn/serviceaccount.js'
import { validateAuditOptions } from '../apiserver/filters/audit.js'
import { parseTokenFile, TokenFileAuthenticator } from '../apiserver/authn/tokenfile.js'
import { buildAdmissionChain, parseAdmissionConfiguration, type AdmissionConfig } from '../admission/chain.js'
import { ApiClient } from '../client/client.js'
import type { Runnable } from '../client/runnable.js'
import type { PressureCondition } from '../kubelet/faults.js'
import type { MetricsServer } from '../metrics/server.js'
import type { CreatedContainer } from '../runtime/faults.js'
import type { PodUsage } from '../runtime/simulated/simulated.js'
import { IngressController } from '../proxy/ingress.js'
import { ServiceProxy } from '../proxy/proxy.js'
import { engineStatus, type EngineStatus } from '../runtime/docker/engine.js'
import { installMetricsServer } from './addons/metricsserver.js'
import { ControlPlane, type ApiServerFlags, type ControlPlaneDescription, type Master } from './controlplane.js'
import { EtcdCluster } from './etcd.js'
import { kubeconfigYaml } from './kubeconfig.js'
import { acquireNetworkLease, type NetworkLease } from './netlease.js'
import type { NetworkConfig } from './network.js'
import { WorkerNodes } from './nodes.js'
import { addressPlan, validateTopology, type Topology } from './topology.js'

/** Whether the Docker engine answers, for capability checks; also reaps containers of dead OCK runs. */
export function dockerEngineStatus(timeoutMs?: number): Promise<EngineStatus> {
  return engineStatus(timeoutMs)
}

export interface Identity {
  commonName: string
  organizations: readonly string[]
}

/**
 * A CA for clusters this process starts one after the other (Topology.certificateAuthority),
 * each distinct certificate issued once (pki.ts reusingIssuance).
 */
export async function reusableCertificateAuthority(): Promise<CertificateAuthority> {
  return reusingIssuance(await createCertificateAuthority())
}

export class Cluster {
  private readonly components: Runnable[] = []
  /** Set by stopComponents(): settles when the cluster's resources are given back. */
  private reclaimed?: Promise<void>
  /** The masters and their components; the control-plane doors below delegate to it. */
  readonly controlPlane: ControlPlane
  /** The worker nodes; the node doors below delegate to them. */
  readonly nodes: WorkerNodes
  /** metrics-server, when the topology runs it. */
  metricsServer?: MetricsServer
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
  ) {
    this.controlPlane = new ControlPlane(topology, ca, etcd, lease, network, flags)
    this.nodes = new WorkerNodes(
      topology,
      network,
      ca,
      (identity, userAgent) => this.client(identity, userAgent),
      () => this.url,
    )
  }

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
    validateAuditOptions(topology.audit)
    const tokenAuthenticators: TokenAuthenticator[] = []
    if (topology.tokenAuthFile)
      tokenAuthenticators.push(new TokenFileAuthenticator(parseTokenFile(await readFile(topology.tokenAuthFile, 'utf8'), topology.tokenAuthFile)))
    const tokens = await ServiceAccountTokens.create({ keyPem: topology.serviceAccountKeyPem })
    tokenAuthenticators.push(tokens)
    const network = await acquireNetworkLease({ description: `ock cluster "${topology.name ?? 'ock'}" (pid ${process.pid})` })
    let etcd: EtcdCluster | undefined
    let cluster: Cluster | undefined
    try {
      const ca =
        topology.certificateAuthority ??
        (topology.ca ? await loadCertificateAuthority(topology.ca.certPem, topology.ca.keyPem) : await createCertificateAuthority())
      const admin = await ca.issue({ ...Identities.admin, usage: 'client' })
      const masters = topology.masters ?? 1
      const etcdTopology = topology.etcdTopology ?? 'stacked'
      etcd =
        topology.store === 'etcd'
          ? await EtcdCluster.start({ members: etcdTopology === 'stacked' ? masters : (topology.etcdMembers ?? 3), ...topology.etcdTimings })
          : undefined
      cluster = new Cluster(topology, ca, admin, etcd, network, addressPlan(topology, network), { admission, tokens, tokenAuthenticators })
      await cluster.controlPlane.boot(masters)
      if (topology.proxy !== false) await cluster.startProxies()
      if (topology.metricsServer !== false) cluster.metricsServer = await installMetricsServer(cluster)
      const names = Array.from({ length: topology.nodes ?? 0 }, (_, i) => `node-${i + 1}`)
      await Promise.all(names.map((name, i) => cluster!.nodes.addNode(name, i + 1)))
      if (names.length) await cluster.nodes.waitForReadyNodes(names, topology.readyTimeoutMs ?? 30_000 + 100 * names.length, cluster.url, admin)
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
    const ingress = new IngressController(await this.client(Identities.ingressController, 'ingress-controller'), {
      address: this.lease.ingressAddress,
      port: 80,
      fallbackToFreePort: true,
    })
    await this.run(ingress)
    this.ingress = ingress
  }

  get url(): string {
    return this.controlPlane.url
  }

  /** The first master's API server (the only one with a single master). */
  get apiServer(): ApiServer {
    return this.controlPlane.apiServer
  }

  get store(): Store {
    return this.controlPlane.store
  }

  get masters(): Master[] {
    return this.controlPlane.masters
  }

  get name(): string {
    return this.topology.name ?? 'ock'
  }

  /** Names of the worker nodes, in order. */
  get nodeNames(): string[] {
    return this.nodes.nodeNames
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
    return kubeconfigYaml({
      clusterName: this.name,
      server: this.url,
      caPem: this.ca.certPem,
      userName: identity.commonName,
      certPem: creds.certPem,
      keyPem: creds.keyPem,
      namespace,
    })
  }

  // -------------------------------------------------------------------------------------------
  // the harness's doors, by the names it uses: the worker nodes' (./nodes.ts)

  /** Fault door: stops the kubelet of a node (its containers keep running, as on a real node). */
  stopKubelet(name: string): Promise<void> {
    return this.nodes.stopKubelet(name)
  }

  /** Starts (again) the kubelet of a node, with its runtime and configuration. */
  startKubelet(name: string): Promise<void> {
    return this.nodes.startKubelet(name)
  }

  restartKubelet(name: string): Promise<void> {
    return this.nodes.restartKubelet(name)
  }

  /** Load door of the simulated runtime (see WorkerNodes.setPodUsage). */
  setPodUsage(namespace: string, name: string, usage: PodUsage | undefined): void {
    this.nodes.setPodUsage(namespace, name, usage)
  }

  /** Fault door: the kubelet keeps running its pods but its Lease and node status stop (true) or resume (false). */
  freezeHeartbeats(name: string, frozen: boolean): void {
    this.nodes.freezeHeartbeats(name, frozen)
  }

  /** Runtime door: the containers the node's runtime was asked to create, oldest first. */
  containersCreatedOn(name: string): CreatedContainer[] {
    return this.nodes.containersCreatedOn(name)
  }

  /** Fault door: the node's container runtime stops answering (false) or answers again (true). */
  setRuntimeReachable(name: string, reachable: boolean): void {
    this.nodes.setRuntimeReachable(name, reachable)
  }

  /** Fault door: the node is (or is no longer) under memory, disk or PID pressure. */
  setPressure(name: string, condition: PressureCondition, on: boolean): void {
    this.nodes.setPressure(name, condition, on)
  }

  /** Fault door: the node's kubelet restarts as another version, or as its own again with undefined. */
  setKubeletVersion(name: string, version: string | undefined): Promise<void> {
    return this.nodes.setKubeletVersion(name, version)
  }

  /** Undoes every node fault: runtimes answer, heartbeats flow, no pressure, own versions, kubelets running. */
  healNodeFaults(): Promise<void> {
    return this.nodes.healNodeFaults()
  }

  // -------------------------------------------------------------------------------------------
  // ... and the control plane's (./controlplane.ts)

  master(name: string): Master {
    return this.controlPlane.master(name)
  }

  describe(): ControlPlaneDescription {
    return this.controlPlane.describe()
  }

  /** Door: moves the CronJob controller's schedule clock forward by `ms` (only schedules read it). */
  advanceScheduleClock(ms: number): void {
    this.controlPlane.scheduleClock.advance(ms)
  }

  /** Stops a master's API server as if its process died (open connections are cut). */
  killApiServer(master: string): Promise<void> {
    return this.controlPlane.killApiServer(master)
  }

  /** Starts a master's API server again on its address, with the same store. */
  restartApiServer(master: string): Promise<void> {
    return this.controlPlane.restartApiServer(master)
  }

  /** The controller manager that leads now, as the candidates see themselves. */
  controllerManagerLeader(): Master | undefined {
    return this.controlPlane.controllerManagerLeader()
  }

  /** Stops a master's controller manager as a crash would: its lease is left to expire. */
  crashControllerManager(master: string): Promise<void> {
    return this.controlPlane.crashControllerManager(master)
  }

  startControllerManager(master: string): Promise<void> {
    return this.controlPlane.startControllerManager(master)
  }

  /** Stops a master's scheduler as a crash would: its lease is left to expire. */
  crashScheduler(master: string): Promise<void> {
    return this.controlPlane.crashScheduler(master)
  }

  startScheduler(master: string): Promise<void> {
    return this.controlPlane.startScheduler(master)
  }

  /** Restores etcd from a snapshot file: API servers down, fresh members, API servers up again. */
  restoreEtcd(snapshotFile: string): Promise<void> {
    return this.controlPlane.restoreEtcd(snapshotFile)
  }

  /** Store fault: from now on every API server's store acknowledges each write `ms` late (0 ends it). */
  delayStoreAcknowledgements(ms: number): void {
    this.controlPlane.delayStoreAcknowledgements(ms)
  }

  /** Store fault: from now on every API server's store commits each write `ms` late, visible and acknowledged then (0 ends it). */
  delayStoreCommits(ms: number): void {
    this.controlPlane.delayStoreCommits(ms)
  }

  /** When each write after `revision` reached the store and was acknowledged, measured at the store's side of every API server. */
  storeAcknowledgements(revision: number): WriteAcknowledgement[] {
    return this.controlPlane.storeAcknowledgements(revision)
  }

  /** Stops the kubelets, every component, then the API servers, the stores and etcd. Safe to call twice. */
  async stop(): Promise<void> {
    await (
      await this.stopComponents()
    ).reclaimed
  }

  /**
   * Stops every component of the cluster (kubelets, add-ons, controllers, schedulers, API
   * servers) and resolves once none of them runs; what only gives resources back goes on in the
   * background and `reclaimed` settles when it is done (never rejects: a failure is logged):
   * the containers the runtimes still hold (the Docker engine kills and removes them, about a
   * second for a real pod), the etcd members and their data, and last the network slot, whose
   * addresses those containers used. A harness can start its next cluster meanwhile, as a
   * machine is reimaged while the next job already runs elsewhere; `stop()` waits for both.
   * Idempotent: a second call gets the first one's `reclaimed`.
   */
  async stopComponents(): Promise<{ reclaimed: Promise<void> }> {
    if (this.reclaimed) return { reclaimed: this.reclaimed }
    let done!: () => void
    this.reclaimed = new Promise<void>((resolve) => (done = resolve))
    await this.nodes.stopKubelets()
    for (const c of [...this.components].reverse()) {
      await c.stop().catch((e: unknown) => console.error(`stopping ${c.name} failed:`, e))
    }
    await this.controlPlane.crashLeaders()
    await this.controlPlane.stop()
    const reclaim = async (): Promise<void> => {
      for (const [what, step] of [
        ['closing the container runtimes', () => this.nodes.closeRuntimes()],
        ['destroying etcd', async () => this.etcd?.destroy()],
        ['releasing the network slot', () => this.lease.release()],
      ] as const) {
        await step().catch((e: unknown) => console.error(`${what} failed:`, e))
      }
    }
    void reclaim().then(done)
    return { reclaimed: this.reclaimed }
  }
}
