// The Node strategy (pkg/registry/core/node): the columns of `kubectl get nodes` (status with
// SchedulingDisabled, roles from node-role labels, kubelet version; addresses and runtime wide).

import { AGE, age, col, NAME, type Any } from '../printers.js'
import type { Strategy } from '../strategy.js'

function nodeStatus(n: Any): string {
  const ready = (n.status?.conditions ?? []).find((c: Any) => c.type === 'Ready')
  const parts = [ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown']
  if (n.spec?.unschedulable) parts.push('SchedulingDisabled')
  return parts.join(',')
}

function nodeRoles(n: Any): string {
  const roles = Object.keys(n.metadata?.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
  return roles.length ? roles.sort().join(',') : '<none>'
}

export const nodeStrategy: Strategy = {
  printer: {
    columns: [
      NAME,
      col('Status', 'The status of the node'),
      col('Roles', 'The roles of the node'),
      AGE,
      col('Version', 'Kubelet Version reported by the node.'),
      col('Internal-IP', 'List of internal IPs for the node.', 1),
      col('External-IP', 'List of external IPs for the node.', 1),
      col('OS-Image', 'OS image reported by the node.', 1),
      col('Kernel-Version', 'Kernel version reported by the node.', 1),
      col('Container-Runtime', 'Container runtime and version reported by the node.', 1),
    ],
    cells: (n) => {
      const addr = (t: string): string => (n.status?.addresses ?? []).find((a: Any) => a.type === t)?.address ?? '<none>'
      const info = n.status?.nodeInfo ?? {}
      return [
        n.metadata.name,
        nodeStatus(n),
        nodeRoles(n),
        age(n),
        info.kubeletVersion ?? '',
        addr('InternalIP'),
        addr('ExternalIP'),
        info.osImage ?? '<unknown>',
        info.kernelVersion ?? '<unknown>',
        info.containerRuntimeVersion ?? '<unknown>',
      ]
    },
  },
}
