// The Node a kubelet registers and the status it keeps reporting: capacity and allocatable,
// labels (kubernetes.io/hostname, os, arch), addresses (InternalIP on loopback, Hostname),
// nodeInfo (kubelet and runtime versions), daemonEndpoints and the conditions MemoryPressure,
// DiskPressure, PIDPressure, NetworkUnavailable and Ready with upstream's reasons and messages.
// Mirrors pkg/kubelet/kubelet_node_status.go and pkg/kubelet/nodestatus/setters.go.
// Simplifies: nothing measures pressure, so a pressure condition is True only when the fault
// door says so (nodeConditions' `pressure`); Ready depends on the runtime answering and the node
// having a pod CIDR. NetworkUnavailable is reported by the kubelet, which plays the network
// plugin here (as Calico or Flannel report it on their nodes): True until the node has a pod CIDR.

import { arch, release } from 'node:os'
import { formatBytes, formatMilliCpu, milliCpu, parseQuantity } from '../api/quantity.js'
import type { Node, NodeCondition } from '../api/types.js'
import { KUBELET_VERSION, type KubeletConfig } from './config.js'

export interface Readiness {
  ready: boolean
  /** Why not, in the Ready condition's message. */
  message?: string
}

/** What the conditions other than Ready depend on. */
export interface NodeSignals {
  /** Whether the node is under this pressure (MemoryPressure, DiskPressure, PIDPressure). */
  pressure?: (condition: 'MemoryPressure' | 'DiskPressure' | 'PIDPressure') => boolean
  /** The node's pod CIDR, once assigned (the pod network is ready). */
  podCIDR?: string
}

export function nodeLabels(cfg: KubeletConfig): Record<string, string> {
  const goArch = arch() === 'x64' ? 'amd64' : arch()
  return {
    'beta.kubernetes.io/arch': goArch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': goArch,
    'kubernetes.io/hostname': cfg.nodeName,
    'kubernetes.io/os': 'linux',
    ...(cfg.labels ?? {}),
  }
}

export function capacityOf(cfg: KubeletConfig): Record<string, string> {
  const c: Record<string, string> = { cpu: cfg.capacity.cpu, memory: cfg.capacity.memory, pods: String(cfg.capacity.pods) }
  if (cfg.capacity.ephemeralStorage) c['ephemeral-storage'] = cfg.capacity.ephemeralStorage
  return c
}

/** capacity minus what is reserved for the system (upstream: kube/system reserved + eviction). */
export function allocatableOf(cfg: KubeletConfig): Record<string, string> {
  const a = capacityOf(cfg)
  if (cfg.reserved?.cpu) a.cpu = formatMilliCpu(Math.max(0, milliCpu(cfg.capacity.cpu) - milliCpu(cfg.reserved.cpu)))
  if (cfg.reserved?.memory) a.memory = formatBytes(Math.max(0, (parseQuantity(cfg.capacity.memory) ?? 0) - (parseQuantity(cfg.reserved.memory) ?? 0)))
  return a
}

function condition(type: string, ok: boolean, reason: string, message: string, now: string): NodeCondition {
  return { type, status: ok ? 'True' : 'False', reason, message, lastHeartbeatTime: now, lastTransitionTime: now }
}

/** A condition whose True means trouble (the pressures, NetworkUnavailable). */
function problem(type: string, present: boolean, yes: [string, string], no: [string, string], now: string): NodeCondition {
  const [reason, message] = present ? yes : no
  return { type, status: present ? 'True' : 'False', reason, message, lastHeartbeatTime: now, lastTransitionTime: now }
}

/** The conditions to report now; transition times are kept from `existing` when unchanged. */
export function nodeConditions(existing: readonly NodeCondition[] | undefined, r: Readiness, now: string, signals: NodeSignals = {}): NodeCondition[] {
  const under = signals.pressure ?? (() => false)
  const fresh = [
    problem(
      'MemoryPressure',
      under('MemoryPressure'),
      ['KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'],
      ['KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
      now,
    ),
    problem(
      'DiskPressure',
      under('DiskPressure'),
      ['KubeletHasDiskPressure', 'kubelet has disk pressure'],
      ['KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
      now,
    ),
    problem(
      'PIDPressure',
      under('PIDPressure'),
      ['KubeletHasInsufficientPID', 'kubelet has insufficient PID available'],
      ['KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
      now,
    ),
    problem(
      'NetworkUnavailable',
      !signals.podCIDR,
      ['NoPodCIDR', 'no pod CIDR has been assigned to this node yet'],
      ['PodCIDRAssigned', `pod addresses come from ${signals.podCIDR ?? ''}`],
      now,
    ),
    r.ready
      ? condition('Ready', true, 'KubeletReady', 'kubelet is posting ready status', now)
      : condition('Ready', false, 'KubeletNotReady', r.message ?? 'kubelet is not ready', now),
  ]
  return fresh.map((c) => {
    const old = existing?.find((e) => e.type === c.type)
    return old && old.status === c.status && old.lastTransitionTime ? { ...c, lastTransitionTime: old.lastTransitionTime } : c
  })
}

/** Conditions equal apart from heartbeat times (upstream nodeStatusHasChanged). */
export function sameConditions(a: readonly NodeCondition[] | undefined, b: readonly NodeCondition[] | undefined): boolean {
  const strip = (cs: readonly NodeCondition[] | undefined): string =>
    JSON.stringify((cs ?? []).map(({ lastHeartbeatTime: _h, ...rest }) => rest).sort((x, y) => x.type.localeCompare(y.type)))
  return strip(a) === strip(b)
}

export function nodeStatus(cfg: KubeletConfig, runtimeVersion: string, conditions: NodeCondition[]): NonNullable<Node['status']> {
  return {
    capacity: capacityOf(cfg),
    allocatable: allocatableOf(cfg),
    conditions,
    addresses: [
      { type: 'InternalIP', address: cfg.nodeIP },
      { type: 'Hostname', address: cfg.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: cfg.port ?? 10250 } },
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: release(),
      osImage: 'OCK simulated node',
      containerRuntimeVersion: runtimeVersion,
      kubeletVersion: cfg.kubeletVersion ?? KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: arch() === 'x64' ? 'amd64' : arch(),
    },
  }
}

/** The Node object a kubelet registers (upstream initialNode). */
export function initialNode(cfg: KubeletConfig, runtimeVersion: string, readiness: Readiness, now: string, signals: NodeSignals = {}): Node {
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: cfg.nodeName,
      labels: nodeLabels(cfg),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {},
    status: nodeStatus(cfg, runtimeVersion, nodeConditions(undefined, readiness, now, signals)),
  }
  if (cfg.taints?.length) node.spec!.taints = cfg.taints.map((t) => ({ ...t }))
  return node
}
