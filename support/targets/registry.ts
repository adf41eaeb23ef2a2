// One target per worker, chosen by the profile's world parameters (`target: builtin | cluster`).

import { BuiltinTarget } from './builtin.js'
import { ClusterTarget } from './cluster.js'
import { targetConfigPath } from './config.js'
import type { Target, TargetParameters } from './target.js'

let current: { key: string; target: Target } | undefined

export function targetFor(params: TargetParameters): Target {
  const kind = params.target ?? 'builtin'
  const config = targetConfigPath(params.targetConfig)
  const key = `${kind}|${params.kubeconfig ?? process.env.KUBECONFIG ?? ''}|${config ?? ''}`
  if (current?.key === key) return current.target
  const target = kind === 'cluster' ? new ClusterTarget(params.kubeconfig ?? process.env.KUBECONFIG, config) : new BuiltinTarget()
  current = { key, target }
  return target
}

export async function disposeTargets(): Promise<void> {
  const t = current?.target
  current = undefined
  await t?.dispose()
}
