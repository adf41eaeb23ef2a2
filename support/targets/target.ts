// Targets: what the features run against. `builtin` starts a fresh reference cluster per
// scenario, in process; `cluster` uses any Kubernetes API named by a kubeconfig. Either way a
// scenario gets a session: an admin kubeconfig scoped to its own namespace, and, where the
// target has them, the extra doors of the built-in orchestrator (trace, store, faults).
// Capabilities decide which scenarios can run: a scenario tagged with one the target lacks is
// skipped with the reason (or failed, in strict profiles such as `ci`).

import type { KubeConfig } from '@kubernetes/client-node'
import type { AuditEventSource } from '../audit.js'
import type { ImageMap } from '../images.js'
import type { TraceReader } from '../trace.js'

/**
 * - api: the Kubernetes API (every target)
 * - trace: the built-in API server's request trace
 * - audit: the API server's audit events (audit.k8s.io/v1): the built-in cluster's audit log, or the log file a cluster target's configuration names
 * - faults: fault injection (stop a kubelet, kill an etcd member, ...): the built-in cluster's doors, or a cluster target's configured fault provider
 * - config: configuring the built-in cluster before it starts (timings, admission configuration, topology)
 * - docker: real containers; etcd: a real etcd cluster (the built-in target's own, or a cluster target's configured etcd)
 * - load: putting a stated CPU load on pods (the simulated runtime's load door)
 * - store: reading the cluster's store beside the API server (the store door): the built-in cluster's, or a cluster target's etcd
 * - runtime: what each node's container runtime was asked to do (the runtime door)
 */
export type Capability = 'api' | 'faults' | 'trace' | 'audit' | 'config' | 'docker' | 'etcd' | 'load' | 'store' | 'runtime'

/**
 * A door the target has, asked for an operation it does not serve (a fault provider that cannot
 * move the CronJob clock, say). The step that asked is skipped with this message as its reason,
 * as a missing capability is, and fails in profiles that require every capability
 * (steps/define.ts): the scenario could not be checked here, which is not a verdict on the cluster.
 */
export class UnservedOperationError extends Error {
  override readonly name = 'UnservedOperationError'
}

/** Capability tags as they appear on scenarios. */
export const CAPABILITY_TAGS: Record<string, Capability> = {
  '@docker': 'docker',
  '@etcd': 'etcd',
  '@faults': 'faults',
  '@trace': 'trace',
  '@audit': 'audit',
  '@config': 'config',
  '@load': 'load',
  '@store': 'store',
  '@runtime': 'runtime',
}

/** What one node of a configured cluster has (quantities as Kubernetes writes them). */
export interface ScenarioNodeSpec {
  cpu?: string
  memory?: string
  pods?: number
  labels?: Record<string, string>
}

/** What a scenario asks of its cluster before the first API call (set by Given steps). */
export interface ScenarioTopology {
  nodes?: number
  /** What every node has. */
  node?: ScenarioNodeSpec
  runtime?: 'sim' | 'docker'
  store?: 'memory' | 'etcd'
  /** Control-plane nodes (API server + controller manager each). */
  masters?: number
  /** Where etcd runs: a member per master (stacked) or a separate cluster (external). */
  etcdTopology?: 'stacked' | 'external'
  /** Members of an external etcd cluster. */
  etcdMembers?: number
  /**
   * Durations and periods of the reference cluster (probe periods, grace periods, ...), in ms.
   * Known keys are listed in support/targets/builtin.ts (TIMINGS).
   */
  timings?: Record<string, number>
  /** The API server's AdmissionConfiguration (YAML), as --admission-control-config-file. */
  admission?: string
  /** Static bearer tokens (CSV), as --token-auth-file. */
  staticTokens?: string
  /**
   * The scenario reads the API server's audit events (Session.audit): the built-in cluster writes
   * an audit log (Session.auditLogFile); a cluster target reads its own configured source.
   */
  auditLog?: boolean
}

/** An etcd member as the control-plane door reports it. */
export interface EtcdMemberState {
  name: string
  clientUrl: string
  running: boolean
  /** Has a leader (a member of a quorum). */
  healthy: boolean
  leader: boolean
}

/** The control plane's shape: which API servers exist and which etcd endpoints each uses. */
export interface ControlPlaneShape {
  store: 'memory' | 'etcd'
  etcdTopology?: 'stacked' | 'external'
  loadBalancer?: string
  /** host: the master a stacked member runs on (none for an external cluster). */
  etcdMembers: { name: string; clientUrl: string; host?: string }[]
  /** auditLog: the audit log of that master's API server (each master writes its own, when the scenario asked for one). */
  masters: { name: string; apiServer: string; up: boolean; etcdEndpoints: string[]; auditLog?: string }[]
}

/**
 * The built-in cluster's fault door (capability `faults`): kill and restart etcd members, API
 * servers and controller managers, take and restore etcd snapshots. Everything else a scenario
 * observes goes through the Kubernetes API.
 */
export interface ControlPlaneDoor {
  shape(): ControlPlaneShape
  etcdMembers(): Promise<EtcdMemberState[]>
  killEtcdMember(name: string): Promise<void>
  /** Starts a killed member again; resolves once it listens (it may still wait for a quorum). */
  restartEtcdMember(name: string): Promise<void>
  /** Waits until the members elected a leader. */
  waitForEtcdLeader(timeoutMs: number): Promise<string>
  /** `etcdctl snapshot save`; returns the file (removed with the cluster). */
  snapshotEtcd(): Promise<string>
  /** Kills every member and deletes its data. */
  loseEtcd(): Promise<void>
  /** The upstream restore procedure: API servers down, snapshot restored into fresh members, API servers up. */
  restoreEtcd(snapshotFile: string): Promise<void>
  killApiServer(master: string): Promise<void>
  restartApiServer(master: string): Promise<void>
  /** Stops a master's controller manager as a crash would (its lease is left to expire). */
  crashControllerManager(master: string): Promise<void>
  startControllerManager(master: string): Promise<void>
  crashScheduler(master: string): Promise<void>
  startScheduler(master: string): Promise<void>
  /** The master whose controller manager has this leader-election identity. */
  masterOfIdentity(identity: string): string | undefined
  /**
   * From now on the store acknowledges every write `ms` late (0 ends it): the write is applied
   * at once, its answer reaches the API server `ms` later. Healed when the session closes.
   */
  delayStoreAcknowledgements(ms: number): void
  /**
   * From now on the store commits every write `ms` late (0 ends it): the write is neither
   * visible to watchers nor acknowledged before, as when etcd's disk is slow. Healed when the
   * session closes.
   */
  delayStoreCommits(ms: number): void
  /**
   * Moves the clock the CronJob controller reads its schedules by `ms` forward (never back),
   * so a scenario need not wait for the minute; nothing else in the cluster reads that clock.
   */
  advanceScheduleClock(ms: number): void | Promise<void>
}

/** One write in the store's history, as the store door reads it. */
export interface StoreWrite {
  /** The store revision of the write (etcd's mod revision; for a delete, the delete's revision). */
  revision: number
  type: 'put' | 'delete'
  key: string
  /** The object written (for a delete: the last value before it), when the value is JSON. */
  object?: StoredObjectValue
  /**
   * When the write reached the store and when the store's answer left for the API server
   * (wall-clock ms, sub-ms precision, the same clock as `performance.timeOrigin + performance.now()`
   * in the harness's process), measured on the store's side; absent when the target cannot tell.
   */
  receivedAt?: number
  acknowledgedAt?: number
}

/** A stored value, decoded: Kubernetes objects as the API server stored them. */
export type StoredObjectValue = {
  apiVersion?: string
  kind?: string
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; [k: string]: unknown }
  [k: string]: unknown
}

/** One key as it is stored now. */
export interface StoredValue {
  key: string
  object?: StoredObjectValue
  createRevision: number
  modRevision: number
  /** Writes since the key was created, from 1. */
  version: number
}

/**
 * The cluster's store, read beside the API server, never through it (capability `store`): the
 * built-in cluster's memory store in process, an etcd store (the built-in cluster's, or a
 * cluster target's configured etcd) straight from etcd with its own client.
 * Read-only. What it reports is the store's own account (revisions, history, content), so a
 * scenario can check the API server's effects on the store independently of what the API
 * server says about itself.
 */
export interface StoreDoor {
  /** What the store is (`memory`, `etcd http://127.0.0.1:...`). */
  describe(): string
  /** The store's current revision (linearizable: while etcd has no quorum it waits or fails). */
  revision(): Promise<number>
  /**
   * A revision no later than the store's current one, answered at once: never waits for the
   * store to recover (etcd: a serializable, member-local read). Undefined when the store cannot
   * say within a second. For marks taken before every step, so a store the scenario took down
   * does not stall the step (and its timeout) behind the mark.
   */
  mark(): Promise<number | undefined>
  /** Every write after `revision` up to the current revision, oldest first (the store's history, as an etcd watch from a revision replays it). */
  writesSince(revision: number): Promise<StoreWrite[]>
  /** Every key under `prefix` (all keys when empty) as stored now, in key order. */
  read(prefix?: string): Promise<StoredValue[]>
}

export type PressureCondition = 'MemoryPressure' | 'DiskPressure' | 'PIDPressure'

/**
 * Fault injection into the built-in cluster's nodes (capability `faults`). Every fault is
 * healed when the scenario's session closes, whether the scenario passed or not.
 */
export interface Faults {
  /** Stops the kubelet of a node; its containers keep running, as on a real machine. */
  stopKubelet(node: string): Promise<void>
  startKubelet(node: string): Promise<void>
  restartKubelet(node: string): Promise<void>
  /** The kubelet keeps running its pods but its Lease renewals and node status stop (true) or resume (false). */
  freezeHeartbeats(node: string, frozen: boolean): Promise<void>
  /** The node's container runtime stops answering (false) or answers again (true). */
  setRuntimeReachable(node: string, reachable: boolean): Promise<void>
  /** The node reports (or stops reporting) memory, disk or PID pressure. */
  setPressure(node: string, condition: PressureCondition, on: boolean): Promise<void>
  /** The node's kubelet restarts reporting this version; undefined brings its own back. */
  setKubeletVersion(node: string, version: string | undefined): Promise<void>
  /** Heals every node fault: kubelets running with their own version, heartbeats, runtimes, no pressure. */
  healAll(): Promise<void>
  /** Whether this door can stop or start a kubelet (a configured provider may lack the command); absent: it can. */
  can?(op: 'stopKubelet' | 'startKubelet'): boolean
}

/**
 * The built-in cluster's load door (capability `load`): what pods use on the simulated
 * runtime, as traffic through a Service would make them use on real containers.
 */
export interface LoadDoor {
  /**
   * From now on the running pods `selector` matches in `namespace` use `cpuMillis` millicores
   * between them, spread evenly as a Service spreads requests (pods that start or stop share
   * it too); 0 ends the load and they go back to what their containers are scripted to use.
   */
  spread(namespace: string, selector: string, cpuMillis: number): void
}

/** A container a node's runtime created, as the runtime door reports it. */
export interface RuntimeContainerCreated {
  podUid: string
  podNamespace: string
  podName: string
  container: string
}

/**
 * The built-in cluster's runtime door (capability `runtime`): the calls each node's container
 * runtime received, seen from the runtime's side rather than through the API.
 */
export interface RuntimeDoor {
  /** The nodes that have a runtime. */
  nodes(): string[]
  /** The containers the node's runtime was asked to create (and did), oldest first. */
  containersCreatedOn(node: string): RuntimeContainerCreated[]
}

/** A container as the node's container engine lists it, beside the API. */
export interface EngineContainer {
  /** The engine's full id (64 hex digits), as pod.status.containerStatuses[].containerID carries it after docker://. */
  id: string
  /** The engine's word: running, exited, created, ... */
  state: string
  image: string
  /** The labels the kit's runtime puts on every container (CONTAINER_LABELS: pod uid, name, namespace, node, container, attempt). */
  labels: Record<string, string>
}

/**
 * The container engine the built-in cluster's nodes run real containers on (the local Docker
 * engine), read beside the API, never through it: an extra assurance on the reference target
 * (the runtime really holds what the pod status names), never a scenario's only check. Every
 * check a @docker scenario makes goes through the Kubernetes API first (pod status, pods/exec,
 * pods/log, Events, traffic through Services), so it runs on any cluster.
 */
export interface EngineDoor {
  /** The containers of one pod (by uid), or of every kit container carrying a label (`key` or `key=value`), running or not. */
  containers(filter: { podUid?: string; label?: string }): Promise<EngineContainer[]>
  /** One container's log (stdout and stderr together), from the engine. */
  log(id: string): Promise<string>
}

/** Something that went wrong inside the built-in cluster's process (see orchestrator/host/guard.ts). */
export interface Incident {
  kind: 'unhandledRejection' | 'uncaughtException' | 'internalError'
  /** Which component or request saw it (`apiserver-0 PATCH /api/v1/...`). */
  source: string
  message: string
  stack?: string
}

export interface Session {
  /** Admin credentials; the current context's namespace is the scenario's namespace. */
  readonly kubeconfig: KubeConfig
  /** The same kubeconfig as a file, for kubectl. */
  readonly kubeconfigFile: string
  readonly namespace: string
  /** The API server URL and the CA that must have issued its certificate. */
  readonly server: string
  readonly caPem: string
  /** Present when the target has the `trace` capability. */
  readonly trace?: TraceReader
  /** The store, read beside the API server (capability `store`). */
  readonly store?: StoreDoor
  /** The fault door of the built-in cluster's control plane: etcd members, API servers, controller managers (capability `faults`). */
  readonly controlPlane?: ControlPlaneDoor
  /** The fault door of the built-in cluster's nodes: kubelets (capability `faults`). */
  readonly faults?: Faults
  /** The load door of the built-in cluster's simulated runtime (capability `load`). */
  readonly load?: LoadDoor
  /** The runtime door of the built-in cluster's nodes (capability `runtime`). */
  readonly runtimes?: RuntimeDoor
  /** The container engine beside the API (built-in target, real containers only): an extra check, never the only one. */
  readonly engine?: EngineDoor
  /**
   * The kit's images under the names this cluster's nodes pull them by (the cluster target's
   * `images`); what a scenario sends is rewritten with it (support/images.ts). Absent where the
   * kit's names are pulled as they are (the built-in target).
   */
  readonly images?: ImageMap
  /**
   * The cluster's own timing settings by name, in ms (the built-in target's timing names, see
   * support/targets/builtin.ts TIMINGS), as the target configuration states them (cluster
   * target), so a step can state a bound in terms of a named setting.
   */
  readonly timings?: Record<string, number>
  /** The API server's audit log (JSON lines), when the scenario asked for one (built-in target only). */
  readonly auditLogFile?: string
  /**
   * The API server's audit events of the scenario's time, when the scenario asked for them
   * (capability `audit`): on the built-in target its cluster's whole log (the cluster started for
   * the scenario), on the cluster target the configured log from where it stood when the session
   * opened (other scenarios' and components' events of that time included: steps filter).
   */
  readonly audit?: AuditEventSource
  /**
   * The built-in cluster's incident door: every 500 InternalError its API servers answered and
   * every rejection or exception its process guard caught since the session opened (built-in
   * target only). The harness fails a scenario that leaves any: the guard keeps the cluster
   * serving, it must not hide the bug.
   */
  incidents?(): Incident[]
  /** Client certificates from the cluster CA for other users (built-in target only). */
  credentialsFor?(user: string, groups: string[]): Promise<{ certPem: string; keyPem: string }>
  /** Removes everything the scenario created (namespace, cluster, temp files). */
  close(): Promise<void>
}

export interface Target {
  readonly name: string
  /** Capabilities this target can serve on this machine, with the reason for each missing one. */
  capabilities(): Promise<{ available: Set<Capability>; missing: Map<Capability, string> }>
  /** Opens a scenario's session: a namespace (and, for builtin, a fresh cluster). */
  open(scenarioId: string, topology: ScenarioTopology): Promise<Session>
  /** Releases what the target holds across scenarios. */
  dispose(): Promise<void>
  /**
   * A shared cluster as its target configuration describes it, known before any session opens
   * (a target that starts a cluster per scenario has none): its timing settings, its control
   * plane's shape, its API servers' configuration files, and the file that says so (for reasons).
   */
  described?(): TargetDescription | undefined
}

/** What a shared cluster's target configuration says about it (support/targets/config.ts). */
export interface TargetDescription {
  timings: Record<string, number>
  controlPlane?: ControlPlaneShape
  /** kube-apiserver's --admission-control-config-file and --token-auth-file, as absolute paths. */
  apiServer?: { admissionControlConfigFile?: string; tokenAuthFile?: string }
  file: string
}

export interface TargetParameters {
  target?: 'builtin' | 'cluster'
  kubeconfig?: string
  /** The cluster target's configuration file (support/targets/config.ts); OCK_TARGET_CONFIG when not given. */
  targetConfig?: string
  /** Fail scenarios whose capability is missing instead of skipping them (the `ci` profile). */
  strictCapabilities?: boolean
}
