// Whether a shared cluster's control plane is the one a scenario asks for ("a control plane of 3
// masters with stacked etcd"): the built-in target starts one of that shape, any other target
// runs the scenario only when the cluster it reaches has that shape already, as its target
// configuration describes it (`controlPlane`), and skips it otherwise, with the reason.

import type { ControlPlaneShape } from './target.js'

export interface WantedControlPlane {
  masters: number
  etcdTopology: 'stacked' | 'external'
}

/** Why the described control plane is not the one wanted, or undefined when it is. */
export function controlPlaneMismatch(shape: ControlPlaneShape | undefined, want: WantedControlPlane, file?: string): string | undefined {
  const asked = `this scenario needs ${want.masters} master${want.masters === 1 ? '' : 's'} with ${want.etcdTopology} etcd`
  if (!shape)
    return `${file ? `the target configuration (${file})` : 'no target configuration'} describes no \`controlPlane\` (masters, their API servers, etcd), so the kit cannot tell whether the cluster has the shape ${asked.replace('this scenario needs ', 'this scenario needs: ')}`
  const n = shape.masters.length
  if (n !== want.masters) return `the cluster has ${n} master${n === 1 ? '' : 's'} (${shape.masters.map((m) => m.name).join(', ')}); ${asked}`
  if (shape.etcdTopology !== want.etcdTopology) return `the cluster's etcd is ${shape.etcdTopology ?? 'not described (no controlPlane.etcdTopology)'}; ${asked}`
  return undefined
}
