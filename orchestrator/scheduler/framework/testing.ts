// Builders for scheduler tests: nodes and pods as the API would hand them over, and a Handle
// over a fixed set of NodeInfos (the scheduler's cache stand-in).

import type { Node, Pod } from '../../api/types.js'
import type { Handle } from './interface.js'
import { NodeInfo, PodInfo } from './nodeinfo.js'

export function node(
  name: string,
  opts: {
    cpu?: string
    memory?: string
    pods?: number
    labels?: Record<string, string>
    taints?: NonNullable<Node['spec']>['taints']
    unschedulable?: boolean
  } = {},
): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: { taints: opts.taints, unschedulable: opts.unschedulable },
    status: { allocatable: { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: String(opts.pods ?? 110) } },
  }
}

let seq = 0

export function pod(name: string, spec: Partial<NonNullable<Pod['spec']>> = {}, labels: Record<string, string> = {}, namespace = 'default'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: `uid-${name}-${seq++}`, labels },
    spec: { containers: [{ name: 'app', image: 'img:1' }], ...spec },
  }
}

export function requests(cpu?: string, memory?: string): Partial<NonNullable<Pod['spec']>> {
  const r: Record<string, string> = {}
  if (cpu) r.cpu = cpu
  if (memory) r.memory = memory
  return { containers: [{ name: 'app', image: 'img:1', resources: { requests: r } }] }
}

/** A NodeInfo with the given pods already on it. */
export function nodeInfo(n: Node, ...pods: Pod[]): NodeInfo {
  const info = new NodeInfo(n)
  for (const p of pods) info.addPod(new PodInfo({ ...p, spec: { ...p.spec!, nodeName: n.metadata?.name } }))
  return info
}

export function handleOf(infos: NodeInfo[]): Handle {
  return {
    nodeInfos: () => infos,
    nodesWithAffinityPods: () => infos.filter((i) => i.podsWithAffinity.size > 0),
    nodesWithRequiredAntiAffinityPods: () => infos.filter((i) => i.podsWithRequiredAntiAffinity.size > 0),
  }
}
