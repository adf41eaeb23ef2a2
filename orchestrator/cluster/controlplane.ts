// The control plane of one reference cluster, as kubeadm lays it out on its masters: per
// master an API server (with the cluster's flags: admission, token authenticators, audit log),
// its store (the shared memory store, or an etcd client of the stacked member or of every
// member of an external cluster), and a controller manager and a scheduler under Lease-based
// leader election; with several masters one load-balanced address in front of the API servers.
// It also holds the harness's control-plane doors: kill and restart an API server, crash a
// controller manager or scheduler, restore etcd from a snapshot, delay the store's answers.
// Mirrors kubeadm's control-plane and etcd phases (the static Pods of every master) and the
// ha-topology docs; simplified: every component is an object in this process, a "dead" API
// server is one that stopped listening, and the etcd members themselves live in ./etcd.ts.

import { randomUUID } from 'node:crypto'
import { join, parse } from 'node:path'
import type { KeyPair, CertificateAuthority } from '../pki/pki.js'
import { Identities } from '../pki/pki.js'
import { MemoryStore } from '../store/memory.js'
import { EtcdStore } from '../store/etcd.js'
import { FaultInjectingStore, type WriteAcknowledgement } from '../store/faults.js'
import type { Store } from '../store/store.js'
import { ApiServer } from '../apiserver/server.js'
import type { AuditOptions } from '../apiserver/filters/audit.js'
import { X509Authenticator } from '../apiserver/auth.js'
import { BearerTokenAuthenticator, type TokenAuthenticator } from '../apiserver/authn/bearer.js'
import type { ServiceAccountTokens } from '../apiserver/authn/serviceaccount.js'
import { buildAdmissionChain, type AdmissionConfig } from '../admission/chain.js'
import { ApiClient } from '../client/client.js'
import { LeaderElector } from '../client/leaderelection.js'
import type { Runnable } from '../client/runnable.js'
import { ControllerManager } from '../controllers/manager.js'
import { AdvanceableClock } from './scheduleclock.js'
import { Scheduler } from '../scheduler/scheduler.js'
import type { EtcdCluster } from './etcd.js'
import { LoadBalancer } from './loadbalancer.js'
import type { NetworkLease } from './netlease.js'
import type { NetworkConfig } from './network.js'
import { storeTimeoutOf, type StoreKind, type EtcdTopology, type Topology } from './topology.js'

/** What every API server of a cluster is started with (the same flags on every master). */
export interface ApiServerFlags {
  admission: AdmissionConfig
  tokens: ServiceAccountTokens
  tokenAuthenticators: TokenAuthenticator[]
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

/** The masters of a cluster, their components, and the control-plane doors. */
export class ControlPlane {
  readonly masters: Master[] = []
  /** The CronJob controller's clock, shared by every master's controller manager. */
  readonly scheduleClock = new AdvanceableClock()
  private lb?: LoadBalancer
  private serving!: KeyPair
  /** The API servers' client certificate for kubelets (kube-apiserver-kubelet-client). */
  private kubeletClientCreds!: KeyPair
  /** The aggregation layer's client certificate (front-proxy-client). */
  private frontProxy!: KeyPair
  private readonly electionClients: ApiClient[] = []

  constructor(
    private readonly topology: Topology,
    private readonly ca: CertificateAuthority,
    /** The real etcd cluster, when the store is etcd. */
    private readonly etcd: EtcdCluster | undefined,
    /** The cluster's loopback ranges (the service range for the API servers). */
    private readonly lease: NetworkLease,
    /** The pod and node address plan (the controller manager's --cluster-cidr). */
    private readonly network: NetworkConfig,
    private readonly flags: ApiServerFlags,
  ) {}

  private credentials(identity: { commonName: string; organizations: readonly string[] }): Promise<KeyPair> {
    return this.ca.issue({ commonName: identity.commonName, organizations: identity.organizations, usage: 'client' })
  }

  /** Starts `count` masters, the load balancer, and waits for a leading controller manager (as `kubeadm init`). */
  async boot(count: number): Promise<void> {
    const host = this.topology.host ?? '127.0.0.1'
    if (count > 1) this.lb = new LoadBalancer({ host, port: this.topology.port ?? 0, caPem: this.ca.certPem })
    this.serving = await this.ca.issue({
      commonName: 'kube-apiserver',
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default'],
      ipAddresses: [...new Set([host, '127.0.0.1', this.lb?.host ?? host])],
      usage: 'server',
    })
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
      this.masters.push({
        name,
        store,
        etcdEndpoints: endpoints,
        apiServer,
        apiServerUp: true,
        apiServerUrl: apiServer.url,
        controllerManager: cm.elector,
        scheduler: scheduler.elector,
      })
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
    return storeTimeoutOf(this.topology)
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
   * Every API server sends to the same audit webhook (each master's kube-apiserver is given the
   * same --audit-webhook-config-file).
   */
  private auditOf(i: number): AuditOptions | undefined {
    const audit = this.topology.audit
    if (!audit?.path || i === 0) return audit
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
          job: this.topology.timings?.job,
          cronJobClock: this.scheduleClock,
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
      (client) =>
        new Scheduler(client, { timings: this.topology.timings?.scheduler, percentageOfNodesToScore: this.topology.scheduler?.percentageOfNodesToScore }),
    )
  }

  /**
   * A control-plane component of one master that only runs while it holds the Lease `lease` in
   * kube-system (kube-controller-manager, kube-scheduler): `build` gets a fresh client of the
   * master's own API server each time leadership is won.
   */
  private leaderElected(
    master: string,
    server: string,
    creds: KeyPair,
    lease: string,
    build: (client: ApiClient) => Runnable,
  ): { elector: LeaderElector; electionClient: ApiClient } {
    const client = (userAgent: string): ApiClient =>
      new ApiClient({ server, caPem: this.ca.certPem, certPem: creds.certPem, keyPem: creds.keyPem, userAgent, timeoutMs: 10_000 })
    const electionClient = client(`${lease}/leader-election`)
    const elector = new LeaderElector({ client: electionClient, name: lease, identity: `${master}_${randomUUID()}`, ...this.topology.leaderElection }, () =>
      build(client(lease)),
    )
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
      etcdMembers: (this.etcd?.members ?? []).map((m, i) => ({
        name: m.name,
        clientUrl: m.clientUrl,
        host: this.topology.etcdTopology === 'external' ? undefined : this.masters[i]?.name,
      })),
      masters: this.masters.map((m, i) => ({
        name: m.name,
        apiServer: m.apiServerUrl,
        up: m.apiServerUp,
        etcdEndpoints: [...m.etcdEndpoints],
        auditLog: this.auditOf(i)?.path,
      })),
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

  /**
   * Stops every master's scheduler and controller manager. The whole control plane stops, so no
   * standby is left to hand a Lease to: releasing it would only wait on API servers whose etcd
   * may be gone (a scenario's fault) for nothing.
   */
  async crashLeaders(): Promise<void> {
    for (const m of this.masters) {
      await m.scheduler.crash().catch((e: unknown) => console.error(`stopping the scheduler of ${m.name} failed:`, e))
      await m.controllerManager.crash().catch((e: unknown) => console.error(`stopping the controller manager of ${m.name} failed:`, e))
    }
  }

  /** Closes the election clients, stops the load balancer and the API servers, closes the stores. */
  async stop(): Promise<void> {
    for (const c of this.electionClients) c.close()
    await this.lb?.stop()
    for (const m of this.masters) if (m.apiServerUp) await m.apiServer.stop()
    for (const s of new Set(this.masters.map((m) => m.store))) await s.close()
  }
}
