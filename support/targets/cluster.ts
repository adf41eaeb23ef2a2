// The `cluster` target: any Kubernetes-compatible API named by a kubeconfig (KUBECONFIG or the
// `kubeconfig` world parameter). Each scenario gets its own namespace, deleted afterwards (its
// pods at once: the cluster is shared). What the cluster offers besides its API is in its
// target configuration (support/targets/config.ts, named by OCK_TARGET_CONFIG or the
// `targetConfig` world parameter): a fault provider gives `faults` (healed when the session
// closes), an audit log file gives `audit` (each scenario that asks for it reads the file from
// where it stood when its session opened), its timings are on every session, and the kit's
// images mapped to names its nodes pull give `docker` (what a scenario sends is rewritten with
// the map, Session.images; the real-container checks go through the API). Its etcd (endpoints,
// TLS files, the API server's key prefix) gives `store`, the store read beside the API server
// straight from etcd (./storedoor.ts, the built-in target's etcd door), and `etcd`, for the etcd
// scenarios whose other needs this target meets (killing members is `faults`; with a fault
// provider, the members' states and leader come from etcd itself, ./etcdmembers.ts). Its
// control plane as the configuration describes it (`controlPlane`: masters, their own API
// servers and audit logs, stacked or external etcd) is the shape the control-plane door tells,
// and the one a scenario asking for "a control plane of 3 masters with stacked etcd" must match
// to run (./shape.ts). A running cluster is never reconfigured (`config`), and the built-in
// orchestrator's other doors (trace, load, runtime) stay the built-in target's.

import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { AuditLogTails } from '../audit.js'
import { createNamespace, deleteNamespace } from '../kube.js'
import { TARGET_CONFIG_ENV, loadTargetConfig, unmappedImages, type TargetConfig } from './config.js'
import { faultDoorsFor } from './faults/doors.js'
import type { ProviderDoors } from './faults/provider.js'
import { etcdMembersReader, withEtcdMembers, type EtcdCredentials, type EtcdMembersReader } from './etcdmembers.js'
import { etcdStoreDoor } from './storedoor.js'
import type { Capability, ControlPlaneDoor, ScenarioTopology, Session, StoreDoor, Target, TargetDescription } from './target.js'

/** Why a configured capability is still skipped on the cluster target. */
const NOT_YET = 'configured, but not yet served by the cluster target'

export class ClusterTarget implements Target {
  readonly name = 'cluster'
  private readonly base: KubeConfig
  /** The target configuration, when one is named (read once, when the target is made: a mistake in it stops the run at once). */
  readonly config?: TargetConfig
  /** The store door over the configured etcd: one client for the whole run, closed by dispose(). */
  private storeDoor?: StoreDoor & { close(): void }
  /** The configured etcd's members, as etcd reports them (made for the first session with a fault provider). */
  private etcdMembers?: EtcdMembersReader

  constructor(kubeconfigPath: string | undefined, targetConfigPath?: string) {
    this.base = new KubeConfig()
    if (kubeconfigPath) this.base.loadFromFile(kubeconfigPath)
    else this.base.loadFromDefault()
    if (!this.base.getCurrentCluster()) {
      throw new Error('the cluster target needs a kubeconfig: set KUBECONFIG (for example KUBECONFIG=reports/kubeconfig after `npx ock up`)')
    }
    if (targetConfigPath) this.config = loadTargetConfig(targetConfigPath)
  }

  async capabilities(): Promise<{ available: Set<Capability>; missing: Map<Capability, string> }> {
    const why = 'the cluster target reaches the cluster only through its API'
    const available = new Set<Capability>(['api'])
    const missing = new Map<Capability, string>([
      ['trace', `${why}; the request trace is a door of the built-in orchestrator`],
      [
        'config',
        `${why}; it cannot reconfigure a running cluster (its container runtime, etcd clusters of its own, settings other than the ones it runs with)`,
      ],
      ['load', `${why}; a stated load is put on pods through the built-in simulated runtime`],
      ['runtime', `${why}; what each node's container runtime was asked is a door of the built-in orchestrator`],
    ])
    const c = this.config
    if (c?.faults) available.add('faults')
    else missing.set('faults', `${this.lacking('faults')}: no fault provider (commands or docker) to stop kubelets, freeze heartbeats or kill etcd members`)
    // With the kit's images mapped, the @docker scenarios run: what they send is rewritten to
    // the mapped names (Session.images) and every check goes through the API. The etcd
    // endpoints are read and checked, but the @etcd steps still use the built-in etcd door:
    // until they use these endpoints, those scenarios are skipped, not failed.
    const unmapped = c ? unmappedImages(c) : []
    if (c && !unmapped.length) available.add('docker')
    else
      missing.set(
        'docker',
        `${this.lacking('images', unmapped)}: the kit's images must be mapped to names the cluster can pull (\`npx ock images save <dir>\`)`,
      )
    const audit = c?.audit
    if (audit && 'log' in audit) available.add('audit')
    else if (audit)
      missing.set(
        'audit',
        `${NOT_YET}: the kit's webhook receiver must run before the API server starts, to be named by its --audit-webhook-config-file; give \`audit: {log: <path>}\` instead`,
      )
    else missing.set('audit', `${this.lacking('audit')}: no audit log file (kube-apiserver --audit-log-path) to read the API server's audit events from`)
    // etcd read directly: the store beside the API server, and the etcd scenarios (those that
    // kill members also need `faults`, those that start clusters of their own `config`)
    if (c?.etcd) {
      available.add('store')
      available.add('etcd')
    } else {
      missing.set('store', `${this.lacking('etcd')}: no etcd endpoints (and client certificates) to read the store beside the API server`)
      missing.set('etcd', `${this.lacking('etcd')}: no etcd endpoints and client certificates for the etcd checks`)
    }
    return { available, missing }
  }

  described(): TargetDescription | undefined {
    const c = this.config
    return (
      c && {
        timings: { ...c.timings },
        ...(c.controlPlane ? { controlPlane: c.controlPlane } : {}),
        ...(c.apiServer ? { apiServer: c.apiServer } : {}),
        file: c.file,
      }
    )
  }

  /** Why a key is missing, in the configuration's terms. */
  private lacking(key: string, unmapped: string[] = []): string {
    if (!this.config)
      return `no target configuration (set ${TARGET_CONFIG_ENV} or the world parameter targetConfig to a YAML file with the \`${key}\` key; see docs/target-config.example.yaml)`
    if (unmapped.length && key === 'images') return `\`images\` in the target configuration (${this.config.file}) does not map ${unmapped.join(', ')}`
    return `no \`${key}\` in the target configuration (${this.config.file})`
  }

  async open(scenarioId: string, topology: ScenarioTopology): Promise<Session> {
    const namespace = `ock-${scenarioId}`
    const kc = new KubeConfig()
    kc.loadFromString(this.base.exportConfig())
    const ctx = kc.getContextObject(kc.getCurrentContext())
    if (ctx) kc.contexts = kc.contexts.map((c) => (c.name === ctx.name ? { ...c, namespace } : c))
    const dir = await mkdtemp(join(tmpdir(), 'ock-scenario-'))
    const kubeconfigFile = join(dir, 'kubeconfig')
    await writeFile(kubeconfigFile, kc.exportConfig(), { mode: 0o600 })
    const cluster = kc.getCurrentCluster()!
    const caPem = cluster.caData ? Buffer.from(cluster.caData, 'base64').toString('utf8') : ''
    await createNamespace(kc, namespace)
    const auditLogs = this.config?.audit && 'log' in this.config.audit ? this.config.audit.log : undefined
    // from here on: the scenario's events (its namespace exists, nothing of it happened yet), in
    // every API server's log (a request goes to whichever master the cluster's address picks)
    const audit = topology.auditLog && auditLogs ? await AuditLogTails.from(auditLogs) : undefined
    const doors = this.faultDoors()
    const store = this.store()
    return {
      kubeconfig: kc,
      kubeconfigFile,
      namespace,
      server: cluster.server,
      caPem,
      ...(this.config ? { timings: { ...this.config.timings }, images: { ...this.config.images } } : {}),
      ...(doors ? { faults: doors.faults(), controlPlane: this.controlPlane(doors) } : {}),
      ...(store ? { store } : {}),
      ...(audit ? { audit } : {}),
      close: async () => {
        // faults heal first: the cluster must be whole for the next scenario, passed or failed
        await doors?.healAll().catch((e: unknown) => console.error('healing faults failed:', e instanceof Error ? e.message : e))
        await deleteNamespace(kc, namespace).catch(() => undefined)
        // The cluster is shared: pods that wait out their grace period (real containers: seconds)
        // would still weigh on the nodes when the next scenario's pods are placed, which a fresh
        // built-in cluster never sees. Once the namespace is terminating nothing new is admitted
        // there, so its pods are deleted at once (kubectl delete --grace-period=0 --force); the
        // kubelets stop their containers as for any deleted pod.
        await kc
          .makeApiClient(CoreV1Api)
          .deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 })
          .catch(() => undefined)
        await rm(dir, { recursive: true, force: true })
      },
    }
  }

  /** A fresh ledger of faults per session, over the configured provider. */
  private faultDoors(): ProviderDoors | undefined {
    const f = this.config?.faults
    return f ? faultDoorsFor(f, this.config!.file) : undefined
  }

  /**
   * The provider's control-plane door, its shape as the configuration's `controlPlane` describes
   * it; with an `etcd` key, the members' states come from etcd itself (member list, endpoint
   * status), which no fault provider reports.
   */
  private controlPlane(doors: ProviderDoors): ControlPlaneDoor {
    const file = this.config!.file
    const door = doors.controlPlane(this.config?.controlPlane, `no \`controlPlane\` in the target configuration (${file})`)
    if (!this.config?.etcd) return door
    const reader = (this.etcdMembers ??= etcdMembersReader(this.config.etcd.endpoints, this.etcdCredentials()))
    return withEtcdMembers(door, reader)
  }

  /** The configured etcd's TLS files, read. */
  private etcdCredentials(): EtcdCredentials {
    const e = this.config?.etcd
    if (!e?.ca && !e?.cert) return undefined
    const pem = (f: string | undefined): Buffer | undefined => (f === undefined ? undefined : readFileSync(f))
    return { ca: pem(e.ca), cert: pem(e.cert), key: pem(e.key) }
  }

  /** The store door over the configured etcd, made for the first session and shared by the rest. */
  private store(): StoreDoor | undefined {
    const e = this.config?.etcd
    if (!e) return undefined
    if (!this.storeDoor) {
      const tls = this.etcdCredentials()
      // no acknowledgement times: only the reference cluster measures them on the store's side
      this.storeDoor = etcdStoreDoor(e.endpoints, undefined, { ...(tls ? { tls } : {}), prefix: `${e.prefix}/` })
    }
    return this.storeDoor
  }

  async dispose(): Promise<void> {
    this.storeDoor?.close()
    this.storeDoor = undefined
    this.etcdMembers?.close()
    this.etcdMembers = undefined
  }
}
