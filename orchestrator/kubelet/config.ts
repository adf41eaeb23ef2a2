// The kubelet's configuration, with upstream's defaults (KubeletConfiguration v1beta1:
// maxPods 110, nodeStatusUpdateFrequency 10s, nodeStatusReportFrequency 5m, syncFrequency 1m,
// nodeLeaseDurationSeconds 40 (renewed every 0.25 x 40 = 10s), PLEG relist period 1s, the
// status manager's 10s reconcile, container restart and image pull back-off 10s doubling up
// to 300s).
// Every duration is configuration, so a feature can state it ("the kubelet relists every 200ms").

import type { Taint } from '../api/types.js'
import { KUBERNETES_VERSION } from '../api/version.js'

export interface KubeletTimings {
  /** How often the pod lifecycle event generator relists the runtime's containers. */
  relistPeriodMs: number
  /** How often every pod is synced again even without events. */
  syncFrequencyMs: number
  /** How often the node status is computed (and posted if it changed). */
  nodeStatusUpdateFrequencyMs: number
  /** How often the node status is posted even if nothing changed. */
  nodeStatusReportFrequencyMs: number
  /** The node Lease's duration (leaseDurationSeconds); it is renewed every quarter of it. */
  nodeLeaseDurationMs: number
  /** How often pod statuses in the API are compared with what the kubelet last sent (upstream status manager syncPeriod). */
  statusSyncPeriodMs: number
  /** CrashLoopBackOff and ImagePullBackOff: first window and cap. */
  backOffInitialMs: number
  backOffMaxMs: number
}

export const DEFAULT_KUBELET_TIMINGS: KubeletTimings = {
  relistPeriodMs: 1_000,
  syncFrequencyMs: 60_000,
  nodeStatusUpdateFrequencyMs: 10_000,
  nodeStatusReportFrequencyMs: 300_000,
  nodeLeaseDurationMs: 40_000,
  statusSyncPeriodMs: 10_000,
  backOffInitialMs: 10_000,
  backOffMaxMs: 300_000,
}

export interface KubeletConfig {
  nodeName: string
  /** The node's InternalIP (a loopback address, architecture.md "Network"). */
  nodeIP: string
  /** What the node has: cpu and memory as quantities, pods as a count (maxPods). */
  capacity: { cpu: string; memory: string; pods: number; ephemeralStorage?: string }
  /** Taken off capacity for the system (system-reserved + kube-reserved + eviction threshold). */
  reserved?: { cpu?: string; memory?: string }
  /** Extra node labels (kubernetes.io/hostname, os and arch are always set). */
  labels?: Record<string, string>
  /** Taints the node registers with (--register-with-taints). */
  taints?: Taint[]
  timings?: Partial<KubeletTimings>
  kubeletVersion?: string
  /** Pod workers syncing pods at the same time. */
  workers?: number
  /** The port of the kubelet's HTTPS endpoint, as status.daemonEndpoints reports it (10250 upstream). */
  port?: number
}

export const DEFAULT_CAPACITY = { cpu: '4', memory: '8Gi', pods: 110, ephemeralStorage: '100Gi' }

export const KUBELET_VERSION = KUBERNETES_VERSION.gitVersion
