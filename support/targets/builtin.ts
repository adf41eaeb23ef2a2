// The `builtin` target: a fresh reference cluster per scenario, in this process, reached only
// through @kubernetes/client-node with an admin certificate of the cluster's CA (and kubectl
// with the same kubeconfig). It has the trace and faults doors of the built-in orchestrator,
// and runs on a real etcd cluster when the scenario asks for it (and `etcd` is installed). Its
// first capability check asks the Docker engine whether it answers, which also removes the
// containers that interrupted OCK runs left behind. Unless a scenario configures it, the
// cluster has DEFAULT_NODES simulated worker nodes, as `ock up` does. The cluster runs in this
// process, so its incident log (orchestrator/host/guard.ts) is the session's incident door;
// on real containers the local Docker engine is its engine door (support/engine.ts).

import { rmSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { onExit } from 'signal-exit'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { Cluster, dockerEngineStatus, reusableCertificateAuthority } from '../../orchestrator/cluster/cluster.js'
import type { Topology } from '../../orchestrator/cluster/topology.js'
import { etcdAvailable } from '../../orchestrator/cluster/etcdmember.js'
import { incidentCursor, incidentsSince } from '../../orchestrator/host/guard.js'
import { TraceReader } from '../trace.js'
import { AuditLogTail } from '../audit.js'
import { createNamespace } from '../kube.js'
import { dockerEngine } from '../engine.js'
import { SpreadLoad } from '../load.js'
import { etcdStoreDoor, inProcessStoreDoor } from './storedoor.js'
import type { Capability, ControlPlaneDoor, ScenarioTopology, Session, StoreDoor, Target } from './target.js'

/** Scenario dirs still in use, removed on exit or interrupt too (etcd cleans up after itself). */
const scenarioDirs = new Set<string>()
onExit(() => {
  for (const d of scenarioDirs) rmSync(d, { recursive: true, force: true })
})

/**
 * One CA for the clusters this process starts, one after the other, each certificate issued once
 * (a fresh CA and its fifteen certificates were 60-200 ms of CPU per scenario). A scenario that
 * needs credentials the cluster must refuse makes its own CA (support/transport.ts).
 */
let sharedCa: Promise<NonNullable<Topology['certificateAuthority']>> | undefined

export class BuiltinTarget implements Target {
  readonly name = 'builtin'
  /** Whether the Docker engine answers (asked once per process; the first ask also reaps dead runs' containers). */
  private docker?: ReturnType<typeof dockerEngineStatus>

  async capabilities(): Promise<{ available: Set<Capability>; missing: Map<Capability, string> }> {
    const available = new Set<Capability>(['api', 'faults', 'trace', 'audit', 'config', 'load', 'store', 'runtime'])
    const missing = new Map<Capability, string>()
    const docker = await (this.docker ??= dockerEngineStatus())
    if (docker.available) available.add('docker')
    else missing.set('docker', `the Docker engine does not answer (${docker.reason}); start dockerd to run real-container scenarios`)
    this.etcd ??= etcdAvailable()
    const etcd = await this.etcd
    if (etcd.ok) available.add('etcd')
    else missing.set('etcd', etcd.reason)
    return { available, missing }
  }

  private etcd?: ReturnType<typeof etcdAvailable>

  async open(scenarioId: string, topology: ScenarioTopology): Promise<Session> {
    const t = clusterTopology(topology)
    t.certificateAuthority = await (sharedCa ??= reusableCertificateAuthority())
    const dir = await mkdtemp(join(tmpdir(), 'ock-scenario-'))
    scenarioDirs.add(dir)
    const removeDir = async (): Promise<void> => {
      await rm(dir, { recursive: true, force: true })
      scenarioDirs.delete(dir)
    }
    if (topology.admission !== undefined) t.admission = topology.admission
    if (topology.staticTokens !== undefined) {
      t.tokenAuthFile = join(dir, 'tokens.csv')
      await writeFile(t.tokenAuthFile, topology.staticTokens, { mode: 0o600 })
    }
    const auditLogFile = topology.auditLog ? join(dir, 'audit.log') : undefined
    if (auditLogFile) t.audit = { path: auditLogFile }
    // incidents of this process from now on are this scenario's (one scenario at a time per process)
    const incidentsFrom = incidentCursor()
    let cluster: Cluster
    try {
      cluster = await Cluster.start(t)
    } catch (e) {
      await removeDir()
      throw e
    }
    try {
      const namespace = `ock-${scenarioId}`
      const kubeconfigFile = join(dir, 'kubeconfig')
      const yaml = cluster.adminKubeconfig(namespace)
      await writeFile(kubeconfigFile, yaml, { mode: 0o600 })
      const kc = new KubeConfig()
      kc.loadFromString(yaml)
      await createNamespace(kc, namespace)
      const load = new SpreadLoad(kc, (ns, pod, cpuMillis) => cluster.setPodUsage(ns, pod, cpuMillis === undefined ? undefined : { cpuMillis }))
      const store = storeDoor(cluster)
      return {
        kubeconfig: kc,
        kubeconfigFile,
        namespace,
        server: cluster.url,
        caPem: cluster.ca.certPem,
        trace: new TraceReader(kc, cluster.url),
        store,
        auditLogFile,
        ...(auditLogFile ? { audit: new AuditLogTail(auditLogFile) } : {}),
        credentialsFor: (user, groups) => cluster.credentials({ commonName: user, organizations: groups }),
        incidents: () => incidentsSince(incidentsFrom),
        controlPlane: controlPlaneDoor(cluster),
        faults: {
          stopKubelet: (node) => cluster.stopKubelet(node),
          startKubelet: (node) => cluster.startKubelet(node),
          restartKubelet: (node) => cluster.restartKubelet(node),
          freezeHeartbeats: async (node, frozen) => cluster.freezeHeartbeats(node, frozen),
          setRuntimeReachable: async (node, reachable) => cluster.setRuntimeReachable(node, reachable),
          setPressure: async (node, condition, on) => cluster.setPressure(node, condition, on),
          setKubeletVersion: (node, version) => cluster.setKubeletVersion(node, version),
          healAll: () => cluster.healNodeFaults(),
        },
        load,
        runtimes: { nodes: () => cluster.nodeNames, containersCreatedOn: (node) => cluster.containersCreatedOn(node) },
        // real containers: the Docker engine they run on, for checks beside the API
        ...(t.runtime === 'docker' ? { engine: dockerEngine } : {}),
        close: async () => {
          load.stop()
          cluster.delayStoreAcknowledgements(0)
          cluster.delayStoreCommits(0)
          store.close()
          // faults heal whatever happened in the scenario, before the cluster goes
          await cluster.healNodeFaults().catch((e: unknown) => console.error('healing node faults failed:', e instanceof Error ? e.message : e))
          // every component stops before the next scenario starts; its containers, etcd members
          // and network slot are given back while it runs (awaited by dispose(), at the end)
          const { reclaimed } = await cluster.stopComponents()
          this.reclaiming(reclaimed.then(removeDir))
        },
      }
    } catch (e) {
      await cluster.stop()
      await removeDir()
      throw e
    }
  }

  /** Resources of stopped clusters still being given back (Cluster.stopComponents). */
  private readonly reclaims = new Set<Promise<void>>()

  private reclaiming(work: Promise<void>): void {
    const tracked = work.catch((e: unknown) => console.error('reclaiming a stopped cluster failed:', e)).finally(() => this.reclaims.delete(tracked))
    this.reclaims.add(tracked)
  }

  /** Waits until every stopped cluster's containers, etcd members and directories are gone. */
  async dispose(): Promise<void> {
    while (this.reclaims.size) await Promise.all(this.reclaims)
  }
}

function etcdOf(cluster: Cluster): NonNullable<Cluster['etcd']> {
  if (!cluster.etcd) throw new Error("this scenario's cluster does not run on etcd (tag it @etcd)")
  return cluster.etcd
}

/** The store door of one built-in cluster: the memory store in process, an etcd store straight from etcd. */
function storeDoor(cluster: Cluster): StoreDoor & { close(): void } {
  const acks = (revision: number) => cluster.storeAcknowledgements(revision)
  const shape = cluster.describe()
  if (shape.store === 'etcd')
    return etcdStoreDoor(
      shape.etcdMembers.map((m) => m.clientUrl),
      acks,
    )
  return { ...inProcessStoreDoor(cluster.store, acks), close: () => undefined }
}

/** The fault door of one built-in cluster. */
function controlPlaneDoor(cluster: Cluster): ControlPlaneDoor {
  return {
    shape: () => cluster.describe(),
    etcdMembers: async () => {
      const etcd = etcdOf(cluster)
      const st = await etcd.statuses()
      return st.map((s) => ({ name: s.name, clientUrl: etcd.member(s.name).clientUrl, running: s.running, healthy: s.healthy, leader: s.leader }))
    },
    killEtcdMember: (name) => etcdOf(cluster).kill(name),
    restartEtcdMember: (name) => etcdOf(cluster).restart(name),
    waitForEtcdLeader: (ms) => etcdOf(cluster).waitForLeader(ms),
    snapshotEtcd: () => etcdOf(cluster).snapshot(),
    loseEtcd: () => etcdOf(cluster).loseEverything(),
    restoreEtcd: (file) => cluster.restoreEtcd(file),
    killApiServer: (master) => cluster.killApiServer(master),
    restartApiServer: (master) => cluster.restartApiServer(master),
    crashControllerManager: (master) => cluster.crashControllerManager(master),
    startControllerManager: (master) => cluster.startControllerManager(master),
    crashScheduler: (master) => cluster.crashScheduler(master),
    startScheduler: (master) => cluster.startScheduler(master),
    masterOfIdentity: (identity) => cluster.masters.find((m) => m.controllerManager.identity === identity || m.scheduler.identity === identity)?.name,
    delayStoreAcknowledgements: (ms) => cluster.delayStoreAcknowledgements(ms),
    delayStoreCommits: (ms) => cluster.delayStoreCommits(ms),
    advanceScheduleClock: (ms) => cluster.advanceScheduleClock(ms),
  }
}

/** Worker nodes of a scenario's cluster when the scenario does not say (as `ock up`). */
export const DEFAULT_NODES = 3

/** Scenario timing names -> the reference cluster's configuration (all in ms). */
const TIMINGS: Record<string, (t: Topology, ms: number) => void> = {
  kubeletRelistPeriod: (t, ms) => void (((t.timings ??= {}).kubelet ??= {}).relistPeriodMs = ms),
  kubeletSyncFrequency: (t, ms) => void (((t.timings ??= {}).kubelet ??= {}).syncFrequencyMs = ms),
  nodeStatusUpdateFrequency: (t, ms) => void (((t.timings ??= {}).kubelet ??= {}).nodeStatusUpdateFrequencyMs = ms),
  containerRestartBackOff: (t, ms) => void (((t.timings ??= {}).kubelet ??= {}).backOffInitialMs = ms),
  containerRestartBackOffCap: (t, ms) => void (((t.timings ??= {}).kubelet ??= {}).backOffMaxMs = ms),
  nodeLeaseDuration: (t, ms) => void (((t.timings ??= {}).kubelet ??= {}).nodeLeaseDurationMs = ms),
  // the controller manager's node lifecycle controller
  nodeMonitorPeriod: (t, ms) => void (((t.timings ??= {}).nodeLifecycle ??= {}).nodeMonitorPeriodMs = ms),
  nodeMonitorGracePeriod: (t, ms) => void (((t.timings ??= {}).nodeLifecycle ??= {}).nodeMonitorGracePeriodMs = ms),
  nodeStartupGracePeriod: (t, ms) => void (((t.timings ??= {}).nodeLifecycle ??= {}).nodeStartupGracePeriodMs = ms),
  // kube-apiserver's --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds
  defaultNotReadyToleration: (t, ms) => void ((t.defaultTolerationSeconds ??= {}).notReady = wholeSeconds('defaultNotReadyToleration', ms)),
  defaultUnreachableToleration: (t, ms) => void ((t.defaultTolerationSeconds ??= {}).unreachable = wholeSeconds('defaultUnreachableToleration', ms)),
  podInitialBackoff: (t, ms) => void (((t.timings ??= {}).scheduler ??= {}).podInitialBackoffMs = ms),
  podMaxBackoff: (t, ms) => void (((t.timings ??= {}).scheduler ??= {}).podMaxBackoffMs = ms),
  // leader election of the controller manager (and scheduler) on every master
  leaseDuration: (t, ms) => void ((t.leaderElection ??= {}).leaseDurationMs = ms),
  renewDeadline: (t, ms) => void ((t.leaderElection ??= {}).renewDeadlineMs = ms),
  retryPeriod: (t, ms) => void ((t.leaderElection ??= {}).retryPeriodMs = ms),
  // how long the API server waits for etcd before it answers a Timeout (the store client gives up a second earlier)
  storeTimeout: (t, ms) => void (t.storeTimeoutMs = ms),
  // metrics-server and the HPA controller
  metricResolution: (t, ms) => void ((t.timings ??= {}).metricResolutionMs = ms),
  horizontalPodAutoscalerSyncPeriod: (t, ms) => void (((t.timings ??= {}).horizontalPodAutoscaler ??= {}).syncPeriodMs = ms),
  // the Job controller's back-off before a failed pod is replaced (upstream 10 s doubling, capped at 10 min)
  jobPodFailureBackOff: (t, ms) => void (((t.timings ??= {}).job ??= {}).podFailureBackOffMs = ms),
  jobPodFailureBackOffCap: (t, ms) => void (((t.timings ??= {}).job ??= {}).podFailureBackOffMaxMs = ms),
  horizontalPodAutoscalerDownscaleStabilization: (t, ms) => void (((t.timings ??= {}).horizontalPodAutoscaler ??= {}).downscaleStabilizationMs = ms),
}

/** tolerationSeconds are whole seconds. */
function wholeSeconds(name: string, ms: number): number {
  if (ms % 1000 !== 0) throw new Error(`${name} is a whole number of seconds (tolerationSeconds), not ${ms} ms`)
  return ms / 1000
}

/** Names of the timings a scenario may state. */
export function timingNames(): string[] {
  return Object.keys(TIMINGS)
}

/** What the reference cluster should look like for a scenario's topology. */
export function clusterTopology(s: ScenarioTopology): Topology {
  const t: Topology = { name: 'ock', nodes: s.nodes ?? DEFAULT_NODES }
  if (s.node) t.node = { ...s.node }
  if (s.runtime) t.runtime = s.runtime
  if (s.store) t.store = s.store
  if (s.masters !== undefined) t.masters = s.masters
  if (t.store === 'etcd') {
    // a scenario about etcd gets 3 members unless it says otherwise: a separate cluster for a
    // single master, one member per master when stacked
    t.etcdTopology = s.etcdTopology ?? ((t.masters ?? 1) > 1 ? 'stacked' : 'external')
    if (t.etcdTopology === 'external') t.etcdMembers = s.etcdMembers ?? 3
  }
  for (const [name, ms] of Object.entries(s.timings ?? {})) {
    const set = TIMINGS[name]
    if (!set) throw new Error(`the built-in cluster has no timing named "${name}"; known: ${Object.keys(TIMINGS).join(', ')}`)
    set(t, ms)
  }
  // the service proxy and ingress forward to pod IPs, which only real containers listen on
  t.proxy = s.runtime === 'docker'
  return t
}
