// Targets: what the features run against. `builtin` starts a fresh reference cluster per
// scenario, in process; `cluster` uses any Kubernetes API named by a kubeconfig. Either way a
// scenario gets a session: an admin kubeconfig scoped to its own namespace, and, where the
// target has them, the extra doors of the built-in orchestrator (trace, faults).
// Capabilities decide which scenarios can run: a scenario tagged with one the target lacks is
// skipped with the reason (or failed, in strict profiles such as `ci`).

import type { KubeConfig } from '@kubernetes/client-node'
import type { TraceReader } from '../trace.js'

/**
 * - api: the Kubernetes API (every target)
 * - trace: the built-in API server's request trace
 * - faults: fault injection into the built-in cluster (stop a kubelet, kill an etcd member, ...)
 * - config: configuring the built-in cluster before it starts (timings, admission configuration, topology)
 * - docker: real containers; etcd: a real etcd cluster
 */
export type Capability = 'api' | 'faults' | 'trace' | 'config' | 'docker' | 'etcd'

/** Capability tags as they appear on scenarios. */
export const CAPABILITY_TAGS: Record<string, Capability> = {
  '@docker': 'docker',
  '@etcd': 'etcd',
  '@faults': 'faults',
  '@trace': 'trace',
  '@config': 'config',
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
  /** Durations and periods of the reference cluster (probe periods, grace periods, ...), in ms. */
  timings?: Record<string, number>
}

/** Fault injection into the built-in cluster (capability `faults`). */
export interface Faults {
  /** Stops the kubelet of a node; its containers keep running, as on a real machine. */
  stopKubelet(node: string): Promise<void>
  startKubelet(node: string): Promise<void>
  restartKubelet(node: string): Promise<void>
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
  /** Present when the target has the `faults` capability. */
  readonly faults?: Faults
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
}

export interface TargetParameters {
  target?: 'builtin' | 'cluster'
  kubeconfig?: string
  /** Fail scenarios whose capability is missing instead of skipping them (the `ci` profile). */
  strictCapabilities?: boolean
}
