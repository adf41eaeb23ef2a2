// The composition root: builds a whole reference cluster from a topology (PKI, store, API
// server, controller manager, service proxy and ingress, and later scheduler and kubelets),
// hands out credentials and kubeconfigs, and tears everything down. It is the only place that
// knows concrete classes; every component it starts talks to the API server over HTTPS with its
// own certificate. Each cluster leases its own loopback ranges (./netlease.ts) so clusters of
// one machine never share an address. Mirrors what kubeadm init/join lay out, in one process.

import type { KeyPair, CertificateAuthority } from '../pki/pki.js'
import { createCertificateAuthority, Identities } from '../pki/pki.js'
import { MemoryStore } from '../store/memory.js'
import type { Store } from '../store/store.js'
import { ApiServer } from '../apiserver/server.js'
import type { TraceOptions } from '../apiserver/trace.js'
import { ApiClient } from '../client/client.js'
import { ControllerManager, type Runnable } from '../controllers/manager.js'
import { IngressController } from '../proxy/ingress.js'
import { engineStatus, type EngineStatus } from '../runtime/docker/engine.js'
import { ServiceProxy } from '../proxy/proxy.js'
import { kubeconfigYaml } from './kubeconfig.js'
import { acquireNetworkLease, type NetworkLease } from './netlease.js'

export type RuntimeKind = 'sim' | 'docker'
export type StoreKind = 'memory' | 'etcd'

export interface Topology {
  /** Cluster name in kubeconfigs. */
  name?: string
  nodes?: number
  runtime?: RuntimeKind
  store?: StoreKind
  masters?: number
  trace?: TraceOptions
  /** Host the API server binds (a loopback address). */
  host?: string
  /** API server port; 0 picks a free one. */
  port?: number
  /** Run the service proxy and the ingress controller (default true). */
  proxy?: boolean
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
  if (t.runtime === 'docker') throw new UnsupportedTopologyError('--runtime docker needs kubelets, which are not built yet (the Docker runtime itself is ready); use --runtime sim')
  if (t.store === 'etcd') throw new UnsupportedTopologyError('--store etcd is not built yet: the etcd store comes with the etcd work; use --store memory')
  if ((t.masters ?? 1) !== 1) throw new UnsupportedTopologyError('--masters other than 1 is not built yet: highly available control planes come with the etcd work')
  if ((t.nodes ?? 0) > 0) throw new UnsupportedTopologyError('--nodes is not built yet: kubelets come with the workloads work; use --nodes 0')
  if (t.nodes !== undefined && (!Number.isInteger(t.nodes) || t.nodes < 0)) throw new UnsupportedTopologyError(`--nodes must be a whole number >= 0, not ${t.nodes}`)
}

export class Cluster {
  private readonly components: Runnable[] = []
  private stopped = false

  /** The ingress, when the topology runs one. */
  ingress?: IngressController

  private constructor(
    readonly topology: Topology,
    readonly ca: CertificateAuthority,
    readonly store: Store,
    readonly apiServer: ApiServer,
    private readonly adminCreds: KeyPair,
    /** This cluster's loopback ranges: node pod CIDRs, the service range, the ingress address. */
    readonly network: NetworkLease,
  ) {}

  static async start(topology: Topology = {}): Promise<Cluster> {
    validateTopology(topology)
    const network = await acquireNetworkLease({ description: `ock cluster "${topology.name ?? 'ock'}" (pid ${process.pid})` })
    let apiServer: ApiServer | undefined
    let cluster: Cluster | undefined
    try {
      const ca = await createCertificateAuthority()
      const host = topology.host ?? '127.0.0.1'
      const serving = await ca.issue({ commonName: 'kube-apiserver', dnsNames: ['localhost', 'kubernetes', 'kubernetes.default'], ipAddresses: [host, '127.0.0.1'], usage: 'server' })
      const store = new MemoryStore()
      apiServer = new ApiServer({ name: 'apiserver-0', host, port: topology.port ?? 0, store, caPem: ca.certPem, serving, trace: topology.trace, serviceClusterIPRange: network.serviceCIDR })
      await apiServer.start()
      const admin = await ca.issue({ ...Identities.admin, usage: 'client' })
      cluster = new Cluster(topology, ca, store, apiServer, admin, network)
      const cm = new ControllerManager(await cluster.client(Identities.controllerManager, 'kube-controller-manager'))
      await cluster.run(cm)
      if (topology.proxy !== false) {
        await cluster.run(new ServiceProxy(await cluster.client(Identities.kubeProxy, 'kube-proxy')))
        const ingress = new IngressController(await cluster.client(Identities.ingressController, 'ingress-controller'), { address: network.ingressAddress, port: 80, fallbackToFreePort: true })
        await cluster.run(ingress)
        cluster.ingress = ingress
      }
    } catch (e) {
      if (cluster) await cluster.stop()
      else {
        await apiServer?.stop()
        await network.release()
      }
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

  /** Stops every component, then the API server, then the store. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    for (const c of [...this.components].reverse()) {
      await c.stop().catch((e: unknown) => console.error(`stopping ${c.name} failed:`, e))
    }
    await this.apiServer.stop()
    await this.store.close()
    await this.network.release()
  }
}
