// The composition root: builds a whole reference cluster from a topology (PKI, store, API
// server, controller manager, and later scheduler and kubelets), hands out credentials and
// kubeconfigs, and tears everything down. It is the only place that knows concrete classes;
// every component it starts talks to the API server over HTTPS with its own certificate.
// Mirrors what kubeadm init/join lay out, in one process. Cluster configuration (admission
// configuration, static token file, audit log) is passed as kube-apiserver flags would be.

import type { KeyPair, CertificateAuthority } from '../pki/pki.js'
import { createCertificateAuthority, Identities, loadCertificateAuthority } from '../pki/pki.js'
import { MemoryStore } from '../store/memory.js'
import type { Store } from '../store/store.js'
import { readFile } from 'node:fs/promises'
import { ApiServer } from '../apiserver/server.js'
import type { TraceOptions } from '../apiserver/trace.js'
import type { AuditOptions } from '../apiserver/audit.js'
import { X509Authenticator } from '../apiserver/auth.js'
import { BearerTokenAuthenticator, type TokenAuthenticator } from '../apiserver/authn/bearer.js'
import { ServiceAccountTokens } from '../apiserver/authn/serviceaccount.js'
import { parseTokenFile, TokenFileAuthenticator } from '../apiserver/authn/tokenfile.js'
import { buildAdmissionChain, parseAdmissionConfiguration } from '../admission/chain.js'
import { ApiClient } from '../client/client.js'
import { ControllerManager, type Runnable } from '../controllers/manager.js'
import { kubeconfigYaml } from './kubeconfig.js'

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
  /** AdmissionConfiguration (YAML text or object), as kube-apiserver's --admission-control-config-file. */
  admission?: string | object
  /** Static bearer tokens, CSV as kube-apiserver's --token-auth-file. */
  tokenAuthFile?: string
  /** JSON-lines audit log, as --audit-log-path. */
  audit?: AuditOptions
  /** An existing cluster CA to reuse (PEM), so other tools can issue credentials for this cluster. */
  ca?: { certPem: string; keyPem: string }
  /** An existing service account signing key (PKCS#8 PEM), as kube-apiserver's --service-account-key-file. */
  serviceAccountKeyPem?: string
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
  if ((t.nodes ?? 0) > 0) throw new UnsupportedTopologyError('--nodes is not built yet: kubelets come with the workloads work; use --nodes 0')
  if (t.nodes !== undefined && (!Number.isInteger(t.nodes) || t.nodes < 0)) throw new UnsupportedTopologyError(`--nodes must be a whole number >= 0, not ${t.nodes}`)
}

export class Cluster {
  private readonly components: Runnable[] = []
  private stopped = false

  private constructor(
    readonly topology: Topology,
    readonly ca: CertificateAuthority,
    readonly store: Store,
    readonly apiServer: ApiServer,
    private readonly adminCreds: KeyPair,
    /** Issues and verifies service account tokens. */
    readonly serviceAccountTokens: ServiceAccountTokens,
  ) {}

  static async start(topology: Topology = {}): Promise<Cluster> {
    validateTopology(topology)
    // configuration errors are the user's: say so before anything starts
    const admission = buildAdmissionChain(topology.admission === undefined ? {} : parseAdmissionConfiguration(topology.admission))
    const tokenAuthenticators: TokenAuthenticator[] = []
    if (topology.tokenAuthFile) tokenAuthenticators.push(new TokenFileAuthenticator(parseTokenFile(await readFile(topology.tokenAuthFile, 'utf8'), topology.tokenAuthFile)))
    const tokens = await ServiceAccountTokens.create({ keyPem: topology.serviceAccountKeyPem })
    tokenAuthenticators.push(tokens)

    const ca = topology.ca ? await loadCertificateAuthority(topology.ca.certPem, topology.ca.keyPem) : await createCertificateAuthority()
    const host = topology.host ?? '127.0.0.1'
    const serving = await ca.issue({ commonName: 'kube-apiserver', dnsNames: ['localhost', 'kubernetes', 'kubernetes.default'], ipAddresses: [host, '127.0.0.1'], usage: 'server' })
    const store = new MemoryStore()
    const apiServer = new ApiServer({
      name: 'apiserver-0',
      host,
      port: topology.port ?? 0,
      store,
      caPem: ca.certPem,
      serving,
      trace: topology.trace,
      admission,
      tokens,
      authenticators: [new X509Authenticator(), new BearerTokenAuthenticator(tokenAuthenticators)],
      audit: topology.audit,
    })
    await apiServer.start()
    const admin = await ca.issue({ ...Identities.admin, usage: 'client' })
    const cluster = new Cluster(topology, ca, store, apiServer, admin, tokens)
    try {
      const cm = new ControllerManager(await cluster.client(Identities.controllerManager, 'kube-controller-manager'))
      await cluster.run(cm)
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

  /** A kubeconfig that authenticates with a bearer token (service account or static token). */
  tokenKubeconfig(userName: string, token: string, namespace?: string): string {
    return kubeconfigYaml({ clusterName: this.name, server: this.url, caPem: this.ca.certPem, userName, token, namespace })
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
  }
}
