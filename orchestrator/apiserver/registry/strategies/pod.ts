// The Pod strategy (pkg/registry/core/pod/strategy.go and storage): pod spec defaults, status
// reset to phase Pending on create, qosClass set from the admitted spec and kept on every later
// write (status included), pod validation and the immutable spec on update (ValidatePod,
// ValidatePodUpdate), graceful deletion (a scheduled, running pod is marked with a deletion
// timestamp and grace period; its kubelet's final delete removes it) and `kubectl get pods`'s
// columns.
// Simplifies: no ephemeral containers, no in-place resize.

import { nowTimestamp, type KObject } from '../../../api/meta.js'
import { qosClass } from '../../../api/quantity.js'
import { defaultPodSpec } from '../defaults.js'
import { AGE, age, col, humanDuration, NAME, type Any } from '../printers.js'
import { validatePodSpec, validatePodUpdate } from '../semantic.js'
import type { Strategy } from '../strategy.js'

function podStatus(p: Any): { ready: string; status: string; restarts: string } {
  const statuses: Any[] = p.status?.containerStatuses ?? []
  const total = p.spec?.containers?.length ?? 0
  const ready = statuses.filter((s) => s.ready).length
  let restarts = 0
  let reason: string = p.status?.reason || p.status?.phase || 'Unknown'
  let lastRestart: string | undefined
  for (const s of statuses) {
    restarts += s.restartCount ?? 0
    if (s.lastState?.terminated?.finishedAt) lastRestart = s.lastState.terminated.finishedAt
    if (s.state?.waiting?.reason) reason = s.state.waiting.reason
    else if (s.state?.terminated?.reason) reason = s.state.terminated.reason
    else if (s.state?.terminated) reason = s.state.terminated.signal ? `Signal:${s.state.terminated.signal}` : `ExitCode:${s.state.terminated.exitCode}`
  }
  if (p.metadata?.deletionTimestamp) reason = p.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating'
  const restartText = lastRestart && restarts > 0 ? `${restarts} (${humanDuration(Date.now() - Date.parse(lastRestart))} ago)` : String(restarts)
  return { ready: `${ready}/${total}`, status: reason, restarts: restartText }
}

export const podStrategy: Strategy = {
  defaults: (o) => defaultPodSpec(o.spec),
  initialStatus: () => ({ phase: 'Pending' }),
  hasGeneration: true,
  afterAdmit(o) {
    ;(o.status as Record<string, unknown>).qosClass = qosClass((o as { spec?: never }).spec)
  },
  preserve(next, current) {
    if (!next.status || typeof next.status !== 'object') return
    ;(next.status as Record<string, unknown>).qosClass =
      (current.status as Record<string, unknown> | undefined)?.qosClass ?? qosClass((next as { spec?: never }).spec)
  },
  validate: (o, old) => [...validatePodSpec(o.spec, 'spec'), ...(old ? validatePodUpdate(o.spec, old.spec) : [])],
  beginDelete(current, next, options, finalizers) {
    const meta = current.metadata
    const spec = (current as { spec?: { nodeName?: string; terminationGracePeriodSeconds?: number } }).spec
    const phase = (current as { status?: { phase?: string } }).status?.phase
    let grace = options.gracePeriodSeconds ?? spec?.terminationGracePeriodSeconds ?? 30
    if (!spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0
    if (meta.deletionTimestamp && meta.deletionGracePeriodSeconds !== undefined) grace = Math.min(grace, meta.deletionGracePeriodSeconds)
    if (grace > 0) {
      next.metadata.deletionGracePeriodSeconds = grace
      next.metadata.deletionTimestamp = meta.deletionTimestamp ?? nowTimestamp(() => Date.now() + grace * 1000)
      if (finalizers.size) next.metadata.finalizers = [...finalizers]
      return next
    }
    if (meta.deletionTimestamp) next.metadata.deletionGracePeriodSeconds = 0
    return undefined
  },
  // a pod being gracefully deleted is removed by its kubelet's final delete, not by an update
  deleteOnUpdate: (o: KObject) => !((o.metadata?.deletionGracePeriodSeconds ?? 0) > 0),
  printer: {
    columns: [
      NAME,
      col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
      col('Status', 'The aggregate status of the containers in this pod.'),
      col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
      AGE,
      col('IP', 'IP address allocated to the pod. Assigned when the pod is scheduled.', 1),
      col('Node', 'Name of the Node this pod is assigned to.', 1),
      col('Nominated Node', 'Name of the node the pod is nominated to run on.', 1),
      col('Readiness Gates', 'Readiness gates of the pod.', 1),
    ],
    cells: (p) => {
      const s = podStatus(p)
      return [
        p.metadata.name,
        s.ready,
        s.status,
        s.restarts,
        age(p),
        p.status?.podIP ?? '<none>',
        p.spec?.nodeName || '<none>',
        p.status?.nominatedNodeName ?? '<none>',
        '<none>',
      ]
    },
  },
}
