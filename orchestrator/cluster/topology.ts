// The shape of a reference cluster, as a kubeadm ClusterConfiguration / InitConfiguration
// describes one: how many masters and worker nodes, which runtime and store, where etcd runs
// (stacked or external), the nodes' capacity, the components' timings and the API server's
// flags. validateTopology refuses what this build cannot run with a message a user can act on,
// as kubeadm's validation does before anything starts; addressPlan picks the pod and node
// address plan. Mirrors kubeadm's apis/kubeadm types and their validation; simplified: one flat
// object instead of versioned configuration kinds, and only the fields OCK's clusters use.

import type { Taint } from '../api/types.js'
import type { AuditOptions } from '../apiserver/filters/audit.js'
import type { TraceOptions } from '../apiserver/trace.js'
import type { LeaderElectionTimings } from '../client/leaderelection.js'
import type { JobTimings } from '../controllers/config.js'
import type { NodeLifecycleTimings } from '../controllers/nodelifecycle/nodelifecycle.js'
import type { HPATimings } from '../controllers/podautoscaler/horizontal.js'
import type { KubeletTimings } from '../kubelet/config.js'
import type { QueueTimings } from '../scheduler/queue.js'
import type { CertificateAuthority } from '../pki/pki.js'
import type { NetworkLease } from './netlease.js'
import { networkConfig, type NetworkConfig } from './network.js'

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
  /** The Job controller's failure back-off for replacing failed pods (upstream: 10 s doubling, capped at 10 min). */
  job?: Partial<JobTimings>
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
  /**
   * Audit backends of every API server: a JSON-lines log (`path`, as --audit-log-path; master-N
   * writes beside it) and/or a webhook (`webhook.configFile`, as --audit-webhook-config-file,
   * with the --audit-webhook-batch-* options), checked before anything starts.
   */
  audit?: AuditOptions
  /** An existing cluster CA to reuse (PEM), so other tools can issue credentials for this cluster. */
  ca?: { certPem: string; keyPem: string }
  /**
   * A live CA to issue from instead (takes precedence over `ca`): lets a process that starts many
   * clusters share one CA and its issued certificates (pki.ts reusingIssuance).
   */
  certificateAuthority?: CertificateAuthority
  /** An existing service account signing key (PKCS#8 PEM), as kube-apiserver's --service-account-key-file. */
  serviceAccountKeyPem?: string
  /**
   * Run each worker node's kubelet as its own OS process (`ock up` only; ./kubeletprocs.ts),
   * with its files under `dir`; `command` replaces `node bin/ock.js kubelet` (tests).
   */
  nodeProcesses?: { dir: string; command?: string[] }
}

/** Thrown for topologies this build cannot run yet, with a message a user can act on. */
export class UnsupportedTopologyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UnsupportedTopologyError'
  }
}

export function validateTopology(t: Topology): void {
  if (t.runtime && t.runtime !== 'sim' && t.runtime !== 'docker') throw new UnsupportedTopologyError(`unknown runtime "${t.runtime}": use sim or docker`)
  if (t.store && t.store !== 'memory' && t.store !== 'etcd') throw new UnsupportedTopologyError(`unknown store "${t.store}": use memory or etcd`)
  const masters = t.masters ?? 1
  if (!Number.isInteger(masters) || masters < 1 || masters > 7)
    throw new UnsupportedTopologyError(`--masters must be a whole number from 1 to 7, not ${t.masters}`)
  if (t.etcdTopology && t.etcdTopology !== 'stacked' && t.etcdTopology !== 'external')
    throw new UnsupportedTopologyError(`unknown etcd topology "${t.etcdTopology}": use stacked or external`)
  if (t.etcdTopology && t.store !== 'etcd') throw new UnsupportedTopologyError('--topology chooses where etcd runs: it needs --store etcd')
  const members = t.etcdMembers ?? 3
  if (!Number.isInteger(members) || members < 1 || members > 7)
    throw new UnsupportedTopologyError(`--etcd-members must be a whole number from 1 to 7, not ${t.etcdMembers}`)
  if (t.etcdMembers !== undefined && (t.etcdTopology ?? 'stacked') === 'stacked')
    throw new UnsupportedTopologyError('--etcd-members is for an external etcd cluster; stacked etcd has one member per master')
  if (t.nodes !== undefined && (!Number.isInteger(t.nodes) || t.nodes < 0))
    throw new UnsupportedTopologyError(`--nodes must be a whole number >= 0, not ${t.nodes}`)
  try {
    networkConfig(t.network, t.nodes ?? 0)
  } catch (e) {
    throw new UnsupportedTopologyError(e instanceof Error ? e.message : String(e))
  }
}

/**
 * How long an API server waits for its store before it answers a Timeout (the store client gives
 * up a second earlier): the topology's storeTimeoutMs, else 8 s on etcd (the store client's 7 s
 * leaves etcd's own retries room) and 10 s on the memory store.
 */
export function storeTimeoutOf(t: Topology): number {
  return t.storeTimeoutMs ?? (t.store === 'etcd' ? 8_000 : 10_000)
}

/**
 * The pod and node address plan: the leased per-cluster loopback ranges (nothing any other
 * cluster on this machine uses), or, for more nodes than a lease holds (simulated scale runs,
 * where nothing binds these addresses), the wide default plan.
 */
export function addressPlan(t: Topology, lease: NetworkLease): NetworkConfig {
  if (t.network) return networkConfig(t.network, t.nodes ?? 0)
  const nodes = t.nodes ?? 0
  if (nodes <= lease.maxNodes) return networkConfig({ clusterCIDR: lease.podNetwork, nodeCIDRMaskSize: 24, nodeIPRange: lease.nodeIPRange }, nodes)
  return networkConfig(undefined, nodes)
}
