// The timing flags of `ock up`, named as upstream's components name them, read into the
// topology's timings: kube-controller-manager's --node-monitor-period,
// --node-monitor-grace-period and --node-startup-grace-period (Go durations: 500ms, 40s, 1m),
// kube-apiserver's --default-not-ready-toleration-seconds and
// --default-unreachable-toleration-seconds (whole seconds), and the kubelet's
// --node-status-update-frequency (a duration) and nodeLeaseDurationSeconds (a KubeletConfiguration
// field upstream, a flag here: --node-lease-duration-seconds). Short values let a stopped kubelet
// show as NotReady, tainted and its pods evicted in seconds instead of minutes. The leader
// election of the controller manager and the scheduler: kube-controller-manager's and
// kube-scheduler's --leader-elect-lease-duration, --leader-elect-renew-deadline and
// --leader-elect-retry-period (one setting for both here), so a standby takes over in seconds.
// And --storage-timeout: how long an API server waits for etcd before it answers a Timeout
// (no upstream flag of that name: kube-apiserver bounds the whole request by --request-timeout;
// the reference API server bounds its store calls by this one). Also metrics-server's
// --metric-resolution and kube-controller-manager's --horizontal-pod-autoscaler-sync-period,
// so an HPA reacts within seconds. The container restart back-off: its cap is the kubelet's
// crashLoopBackOff.maxContainerRestartPeriod (a KubeletConfiguration field upstream, default 5m;
// a flag here: --max-container-restart-period); its start, 10 s upstream, and the Job
// controller's pod failure back-off, 10 s, are constants upstream and flags only here
// (--container-restart-backoff, --job-pod-failure-backoff), so a crash loop or a failing Job
// shows its doubling in seconds.
// Simplifies: only the timings the node-health, control-plane, etcd and HPA stories need; the
// rest keep upstream's defaults.

import { parseGoDuration } from '../apiserver/handlers/queryparams.js'
import { DEFAULT_LEADER_ELECTION } from '../client/leaderelection.js'
import type { Topology } from './topology.js'

/** The flags' names, without the leading dashes. */
export const TIMING_FLAGS = [
  'node-monitor-period',
  'node-monitor-grace-period',
  'node-startup-grace-period',
  'node-status-update-frequency',
  'node-lease-duration-seconds',
  'default-not-ready-toleration-seconds',
  'default-unreachable-toleration-seconds',
  'metric-resolution',
  'horizontal-pod-autoscaler-sync-period',
  'leader-elect-lease-duration',
  'leader-elect-renew-deadline',
  'leader-elect-retry-period',
  'storage-timeout',
  'container-restart-backoff',
  'max-container-restart-period',
  'job-pod-failure-backoff',
] as const

export type TimingFlag = (typeof TIMING_FLAGS)[number]
export type TimingFlags = Partial<Record<TimingFlag, string>>

/** What `ock up --help` says about them. */
export const TIMING_FLAGS_USAGE = `  --node-monitor-period DURATION
                      how often the node lifecycle controller checks heartbeats (default 5s)
  --node-monitor-grace-period DURATION
                      silence after which a node is Ready=Unknown and tainted unreachable (default 50s)
  --node-startup-grace-period DURATION
                      the same for a node that never posted Ready (default 1m)
  --node-status-update-frequency DURATION
                      how often each kubelet computes its node status (default 10s)
  --node-lease-duration-seconds N
                      each node's Lease duration, renewed every quarter of it (default 40)
  --default-not-ready-toleration-seconds N
  --default-unreachable-toleration-seconds N
                      how long pods tolerate a not-ready or unreachable node before eviction (default 300)
  --metric-resolution DURATION
                      how often metrics-server scrapes every kubelet (default 15s)
  --horizontal-pod-autoscaler-sync-period DURATION
                      how often the HPA controller measures and rescales (default 15s)
  --leader-elect-lease-duration DURATION
  --leader-elect-renew-deadline DURATION
  --leader-elect-retry-period DURATION
                      leader election of every controller manager and scheduler: how long a
                      standby waits for a silent holder's Lease, how long the holder keeps trying
                      to renew, how often candidates retry; lease > renew > retry (default 15s, 10s, 2s)
  --storage-timeout DURATION
                      how long an API server waits for etcd before it answers a Timeout
                      (default 8s on etcd, 10s on the memory store)
  --container-restart-backoff DURATION
  --max-container-restart-period DURATION
                      how long the kubelet waits before it restarts a crashed container the first
                      time, doubling each time up to the cap (default 10s, 5m)
  --job-pod-failure-backoff DURATION
                      how long the Job controller waits before it replaces a failed pod the first
                      time, doubling each time (default 10s)
`

/** A flag value that cannot be read; the message names the flag. */
export class TimingFlagError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TimingFlagError'
  }
}

/** The part of a topology the flags set (empty when none is given). */
export function timingsFromFlags(flags: TimingFlags): Pick<Topology, 'timings' | 'defaultTolerationSeconds' | 'leaderElection' | 'storeTimeoutMs'> {
  const duration = (name: TimingFlag): number | undefined => {
    const v = flags[name]
    if (v === undefined) return undefined
    let ms: number
    try {
      ms = parseGoDuration(v)
    } catch (e) {
      throw new TimingFlagError(`--${name}: ${(e as Error).message} (e.g. 40s, 500ms, 1m)`)
    }
    if (!(ms > 0)) throw new TimingFlagError(`--${name} must be longer than 0, not "${v}"`)
    return ms
  }
  const seconds = (name: TimingFlag, min: number): number | undefined => {
    const v = flags[name]
    if (v === undefined) return undefined
    if (!/^\d+$/.test(v) || Number(v) < min) throw new TimingFlagError(`--${name} must be a whole number of seconds >= ${min}, not "${v}"`)
    return Number(v)
  }
  const out: Pick<Topology, 'timings' | 'defaultTolerationSeconds' | 'leaderElection' | 'storeTimeoutMs'> = {}
  const nodeLifecycle = defined({
    nodeMonitorPeriodMs: duration('node-monitor-period'),
    nodeMonitorGracePeriodMs: duration('node-monitor-grace-period'),
    nodeStartupGracePeriodMs: duration('node-startup-grace-period'),
  })
  const lease = seconds('node-lease-duration-seconds', 1)
  const kubelet = defined({
    nodeStatusUpdateFrequencyMs: duration('node-status-update-frequency'),
    nodeLeaseDurationMs: lease && lease * 1000,
    backOffInitialMs: duration('container-restart-backoff'),
    backOffMaxMs: duration('max-container-restart-period'),
  })
  const job = defined({ podFailureBackOffMs: duration('job-pod-failure-backoff') })
  const tolerations = defined({
    notReady: seconds('default-not-ready-toleration-seconds', 0),
    unreachable: seconds('default-unreachable-toleration-seconds', 0),
  })
  const metricResolutionMs = duration('metric-resolution')
  const horizontalPodAutoscaler = defined({ syncPeriodMs: duration('horizontal-pod-autoscaler-sync-period') })
  if (nodeLifecycle || kubelet || metricResolutionMs || horizontalPodAutoscaler || job)
    out.timings = {
      ...(job && { job }),
      ...(nodeLifecycle && { nodeLifecycle }),
      ...(kubelet && { kubelet }),
      ...(metricResolutionMs && { metricResolutionMs }),
      ...(horizontalPodAutoscaler && { horizontalPodAutoscaler }),
    }
  if (tolerations) out.defaultTolerationSeconds = tolerations
  const election = defined({
    leaseDurationMs: duration('leader-elect-lease-duration'),
    renewDeadlineMs: duration('leader-elect-renew-deadline'),
    retryPeriodMs: duration('leader-elect-retry-period'),
  })
  if (election) {
    const e = { ...DEFAULT_LEADER_ELECTION, ...election }
    if (!(e.leaseDurationMs > e.renewDeadlineMs && e.renewDeadlineMs > e.retryPeriodMs))
      throw new TimingFlagError(
        `leader election needs --leader-elect-lease-duration > --leader-elect-renew-deadline > --leader-elect-retry-period, got ${e.leaseDurationMs} ms, ${e.renewDeadlineMs} ms, ${e.retryPeriodMs} ms (unset ones at their defaults 15s, 10s, 2s)`,
      )
    out.leaderElection = election
  }
  const storeTimeout = duration('storage-timeout')
  if (storeTimeout !== undefined) out.storeTimeoutMs = storeTimeout
  return out
}

/** The object without its undefined values, or undefined when nothing is left. */
function defined<T extends Record<string, number | undefined>>(o: T): { [K in keyof T]?: number } | undefined {
  const kept = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
  return Object.keys(kept).length ? (kept as { [K in keyof T]?: number }) : undefined
}
