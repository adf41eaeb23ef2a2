// What `ock up` tells the kit's `cluster` target about itself: its target configuration, the
// YAML file support/targets/config.ts reads (docs/target-config.example.yaml explains every key),
// written next to its kubeconfig. Mirrors what an operator writes by hand for a real cluster:
// the kit's images as the nodes pull them, the timings the cluster runs with, its etcd endpoints,
// each API server's audit log and its own fault commands. Simplified: ock up's etcd listens on
// plain HTTP on loopback (the etcd store has no TLS, orchestrator/store/etcd.ts), so no CA or
// client certificate is written.

import { rename, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { stringify } from 'yaml'
import { DEFAULT_TOLERATION_SECONDS } from '../admission/defaulttolerationseconds/defaulttolerationseconds.js'
import { parseAdmissionConfiguration } from '../admission/chain.js'
import { DEFAULT_LEADER_ELECTION } from '../client/leaderelection.js'
import { DEFAULT_POD_FAILURE_BACKOFF_MS, MAX_POD_FAILURE_BACKOFF_MS } from '../controllers/job/backoff.js'
import { DEFAULT_NODE_LIFECYCLE_TIMINGS } from '../controllers/nodelifecycle/nodelifecycle.js'
import { DEFAULT_HPA_TIMINGS } from '../controllers/podautoscaler/horizontal.js'
import { DEFAULT_KUBELET_TIMINGS } from '../kubelet/config.js'
import { DEFAULT_METRIC_RESOLUTION_MS } from '../metrics/server.js'
import { CATALOGUE } from '../runtime/docker/images.js'
import { DEFAULT_QUEUE_TIMINGS } from '../scheduler/queue.js'
import type { Cluster } from './cluster.js'
import { storeTimeoutOf, type RuntimeKind, type Topology } from './topology.js'

/**
 * A `commands` fault provider for the `faults` section (support/targets/config.ts validates it):
 * for ock up, its own processes' fault commands, as faultcontrol.ts faultCommandsFor gives them.
 */
export interface TargetConfigFaults {
  provider: 'commands'
  /** How long one command may run (written as a duration, `timeout: 60s`). */
  timeoutMs?: number
  /** Operation -> argv, with `{node}`, `{member}` or `{master}` placeholders. */
  commands: Partial<Record<string, string[]>>
}

export interface TargetConfigInput {
  runtime: RuntimeKind
  /** Timing name (support/targets/config.ts TIMING_NAMES) -> ms, as the cluster runs. */
  timings: Record<string, number>
  /** Client URLs of the cluster's etcd members (none on the memory store). */
  etcdEndpoints: string[]
  /** Each API server's audit log (--audit-log-path; master-N's beside the first), when they write one. */
  auditLogs?: string[]
  /** A fault provider over ock up's own processes, when one is wired in. */
  faults?: TargetConfigFaults
  /** The control plane's shape: masters, their API servers' own addresses, where etcd runs. */
  controlPlane?: TargetConfigControlPlane
  /** The API servers' configuration files (kube-apiserver's flags' names), absolute paths. */
  apiServer?: { admissionControlConfigFile?: string; tokenAuthFile?: string }
}

/** The `controlPlane` section (support/targets/config.ts validates it). */
export interface TargetConfigControlPlane {
  loadBalancer?: string
  /** Absent on the memory store. */
  etcdTopology?: 'stacked' | 'external'
  masters: { name: string; apiServer: string; etcdEndpoints: string[]; auditLog?: string }[]
  /** host: the master a stacked member runs on. */
  etcdMembers: { name: string; clientUrl: string; host?: string }[]
}

/** Only the fields a partial configuration gives (an undefined one keeps the default). */
function given<T extends object>(partial: Partial<T> | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(partial ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>
}

/**
 * The timings a cluster of this topology runs with, by the kit's timing names (the builtin
 * target's TIMINGS in support/targets/builtin.ts set the same fields): what the topology sets,
 * else each component's own default, the same constants the components read.
 */
export function runningTimings(t: Topology): Record<string, number> {
  const kubelet = { ...DEFAULT_KUBELET_TIMINGS, ...given(t.timings?.kubelet) }
  const lifecycle = { ...DEFAULT_NODE_LIFECYCLE_TIMINGS, ...given(t.timings?.nodeLifecycle) }
  const queue = { ...DEFAULT_QUEUE_TIMINGS, ...given(t.timings?.scheduler) }
  const election = { ...DEFAULT_LEADER_ELECTION, ...given(t.leaderElection) }
  const hpa = { ...DEFAULT_HPA_TIMINGS, ...given(t.timings?.horizontalPodAutoscaler) }
  // Cluster.start: the admission configuration's DefaultTolerationSeconds wins over the flags
  const fromAdmission = t.admission === undefined ? undefined : parseAdmissionConfiguration(t.admission).DefaultTolerationSeconds
  const notReady = fromAdmission?.defaultNotReadyTolerationSeconds ?? t.defaultTolerationSeconds?.notReady ?? DEFAULT_TOLERATION_SECONDS
  const unreachable = fromAdmission?.defaultUnreachableTolerationSeconds ?? t.defaultTolerationSeconds?.unreachable ?? DEFAULT_TOLERATION_SECONDS
  return {
    kubeletRelistPeriod: kubelet.relistPeriodMs,
    kubeletSyncFrequency: kubelet.syncFrequencyMs,
    nodeStatusUpdateFrequency: kubelet.nodeStatusUpdateFrequencyMs,
    containerRestartBackOff: kubelet.backOffInitialMs,
    containerRestartBackOffCap: kubelet.backOffMaxMs,
    nodeLeaseDuration: kubelet.nodeLeaseDurationMs,
    nodeMonitorPeriod: lifecycle.nodeMonitorPeriodMs,
    nodeMonitorGracePeriod: lifecycle.nodeMonitorGracePeriodMs,
    nodeStartupGracePeriod: lifecycle.nodeStartupGracePeriodMs,
    defaultNotReadyToleration: notReady * 1000,
    defaultUnreachableToleration: unreachable * 1000,
    podInitialBackoff: queue.podInitialBackoffMs,
    podMaxBackoff: queue.podMaxBackoffMs,
    leaseDuration: election.leaseDurationMs,
    renewDeadline: election.renewDeadlineMs,
    retryPeriod: election.retryPeriodMs,
    storeTimeout: storeTimeoutOf(t),
    metricResolution: t.timings?.metricResolutionMs ?? DEFAULT_METRIC_RESOLUTION_MS,
    horizontalPodAutoscalerSyncPeriod: hpa.syncPeriodMs,
    horizontalPodAutoscalerDownscaleStabilization: hpa.downscaleStabilizationMs,
    jobPodFailureBackOff: t.timings?.job?.podFailureBackOffMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS,
    jobPodFailureBackOffCap: t.timings?.job?.podFailureBackOffMaxMs ?? MAX_POD_FAILURE_BACKOFF_MS,
  }
}

/** What a running cluster writes about itself (its topology as started, its etcd members' client URLs). */
export function targetConfigOf(
  cluster: Pick<Cluster, 'topology' | 'describe'>,
  faults?: TargetConfigFaults,
  files: { admissionControlConfigFile?: string } = {},
): TargetConfigInput {
  const t = cluster.topology
  const described = cluster.describe()
  const apiServer = {
    ...(files.admissionControlConfigFile ? { admissionControlConfigFile: resolve(files.admissionControlConfigFile) } : {}),
    ...(t.tokenAuthFile ? { tokenAuthFile: resolve(t.tokenAuthFile) } : {}),
  }
  return {
    ...(Object.keys(apiServer).length ? { apiServer } : {}),
    runtime: t.runtime ?? 'sim',
    timings: runningTimings(t),
    etcdEndpoints: described.etcdMembers.map((m) => m.clientUrl),
    ...(t.audit?.path ? { auditLogs: described.masters.flatMap((m) => (m.auditLog ? [resolve(m.auditLog)] : [])) } : {}),
    ...(faults ? { faults } : {}),
    controlPlane: {
      ...(described.loadBalancer ? { loadBalancer: described.loadBalancer } : {}),
      ...(described.etcdTopology ? { etcdTopology: described.etcdTopology } : {}),
      masters: described.masters.map((m) => ({
        name: m.name,
        apiServer: m.apiServer,
        etcdEndpoints: [...m.etcdEndpoints],
        ...(t.audit?.path && m.auditLog ? { auditLog: resolve(m.auditLog) } : {}),
      })),
      etcdMembers: described.etcdMembers.map((m) => ({ name: m.name, clientUrl: m.clientUrl, ...(m.host ? { host: m.host } : {}) })),
    },
  }
}

/** A duration as the file writes it: the largest unit that keeps it whole (`40s`, `5m`, `200ms`). */
export function durationText(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}

function section(comment: string, value: Record<string, unknown>): string {
  return `${comment.replace(/^/gm, '# ')}\n${stringify(value)}`
}

/** The target configuration's text, with a comment on each key saying where it comes from. */
export function targetConfigYaml(c: TargetConfigInput): string {
  const out = [
    '# The target configuration `ock up` wrote for this cluster (support/targets/config.ts reads it;\n' +
      '# docs/target-config.example.yaml explains every key):\n' +
      '#   KUBECONFIG=<its kubeconfig> OCK_TARGET_CONFIG=<this file> npx cucumber-js -p cluster\n',
  ]
  if (c.runtime === 'docker') {
    out.push(
      section(
        "The nodes run containers on this machine's Docker engine, which holds the kit's images\n" + '(built from images/): each is pulled by its own name.',
        { images: Object.fromEntries(Object.keys(CATALOGUE).map((ref) => [ref, ref])) },
      ),
    )
  }
  out.push(
    section("The timings this cluster runs with (each component's default unless ock up was told otherwise).", {
      timings: Object.fromEntries(Object.entries(c.timings).map(([name, ms]) => [name, durationText(ms)])),
    }),
  )
  if (c.faults) {
    const { timeoutMs, ...rest } = c.faults
    const faults = { provider: rest.provider, ...(timeoutMs === undefined ? {} : { timeout: durationText(timeoutMs) }), commands: rest.commands }
    out.push(section("A fault provider over ock up's own processes.", { faults }))
  } else out.push('# faults: none given, so the cluster target skips @faults scenarios, naming this key.\n')
  if (c.auditLogs?.length)
    out.push(section('Each API server writes its audit events to its own log (--audit-log-path; master-N beside the first).', { audit: { log: c.auditLogs } }))
  if (c.apiServer)
    out.push(
      section(
        'The files the API servers run with (--admission-control-config-file, --token-auth-file): a\n' +
          'scenario that states an admission configuration or static tokens runs when these say the same.',
        { apiServer: c.apiServer },
      ),
    )
  if (c.etcdEndpoints.length)
    out.push(section("The cluster's etcd members; they serve plain HTTP on loopback (no CA or client certificate).", { etcd: { endpoints: c.etcdEndpoints } }))
  if (c.controlPlane) {
    const { etcdTopology, etcdMembers, ...rest } = c.controlPlane
    out.push(
      section(
        "The control plane: each master's own API server (beside the load-balanced address), the etcd\n" +
          'endpoints it uses and the audit log it writes; where etcd runs and its members.',
        {
          controlPlane: {
            ...rest,
            // the memory store: no etcd endpoints to list
            masters: rest.masters.map(({ etcdEndpoints, auditLog, ...m }) => ({
              ...m,
              ...(etcdEndpoints.length ? { etcdEndpoints } : {}),
              ...(auditLog ? { auditLog } : {}),
            })),
            ...(etcdTopology ? { etcdTopology, etcdMembers } : {}),
          },
        },
      ),
    )
  }
  return out.join('\n')
}

/** Writes the file whole (a reader never sees half of it), readable by its owner only, as the kubeconfig. */
export async function writeTargetConfig(file: string, c: TargetConfigInput): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, targetConfigYaml(c), { mode: 0o600 })
  await rename(tmp, file)
}
