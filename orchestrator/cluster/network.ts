// The loopback network plan of a reference cluster (architecture.md, "Network"): everything
// lives in 127.0.0.0/8. The API server listens on 127.0.0.1; node N's InternalIP is the N-th
// address of the node range; the cluster CIDR is cut into one /24 pod CIDR per node by the
// node IPAM controller (kube-controller-manager --cluster-cidr / --node-cidr-mask-size), and
// each kubelet gives pods addresses from its node's range. Service ClusterIPs must come from a
// range outside these two (127.32.0.0/12 is free for it).
// Simplifies: on the simulated runtime nothing binds these addresses, so concurrently running
// clusters may share the plan; real containers need a per-cluster lease on their ranges.

import { addressAt, cidrSize, formatCidr, parseCidr, subnetCount } from '../api/cidr.js'

export interface NetworkConfig {
  /** --cluster-cidr: every pod address of the cluster. */
  clusterCIDR: string
  /** --node-cidr-mask-size: the size of each node's pod CIDR. */
  nodeCIDRMaskSize: number
  /** Where node InternalIPs come from: node-1 gets the first host address. */
  nodeIPRange: string
}

export const DEFAULT_NETWORK: NetworkConfig = {
  clusterCIDR: '127.64.0.0/10',
  nodeCIDRMaskSize: 24,
  nodeIPRange: '127.1.0.0/16',
}

/** Fills in defaults and checks the ranges make sense for `nodes` nodes. */
export function networkConfig(partial: Partial<NetworkConfig> | undefined, nodes: number): NetworkConfig {
  const cfg = { ...DEFAULT_NETWORK, ...(partial ?? {}) }
  const cluster = parseCidr(cfg.clusterCIDR)
  if (cluster.base >>> 24 !== 127) throw new Error(`the cluster CIDR ${cfg.clusterCIDR} must be inside 127.0.0.0/8: pod traffic stays on loopback`)
  const perNode = subnetCount(cluster, cfg.nodeCIDRMaskSize)
  if (nodes > perNode) throw new Error(`${nodes} nodes need ${nodes} pod CIDRs of /${cfg.nodeCIDRMaskSize}, but ${formatCidr(cluster)} has ${perNode}`)
  const nodeRange = parseCidr(cfg.nodeIPRange)
  if (nodeRange.base >>> 24 !== 127) throw new Error(`the node IP range ${cfg.nodeIPRange} must be inside 127.0.0.0/8`)
  if (nodes > cidrSize(nodeRange) - 2) throw new Error(`${nodes} nodes do not fit in the node IP range ${cfg.nodeIPRange}`)
  return cfg
}

/** node-<index> (1-based) gets this InternalIP. */
export function nodeIP(cfg: NetworkConfig, index: number): string {
  return addressAt(parseCidr(cfg.nodeIPRange), index)
}
