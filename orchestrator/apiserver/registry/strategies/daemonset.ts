// The DaemonSet strategy (pkg/registry/apps/daemonset/strategy.go): defaults (RollingUpdate
// with maxUnavailable 1 and maxSurge 0, revisionHistoryLimit 10, the pod template's), a
// generation bumped on every spec change, status reset on create to the four counters upstream
// never omits, validation (ValidateDaemonSetSpec: selector, template labels, restartPolicy
// Always (the replicated-workload rules), the update strategy and its rolling update), an immutable selector, and the columns
// of `kubectl get daemonsets`.
// Simplifies: no templateGeneration (deprecated upstream), no minReadySeconds rules beyond >= 0.

import type { FieldError } from '../../../api/errors.js'
import type { KObject } from '../../../api/meta.js'
import { defaultTemplate, obj, setDefault } from '../defaults.js'
import { AGE, age, col, NAME, selectorText, type Any } from '../printers.js'
import { validateReplicatedSpec, validateRollingUpdate, type Json } from '../semantic.js'
import type { Strategy } from '../strategy.js'
import { immutableSelector } from './replicaset.js'

/** The DaemonSet-only part of ValidateDaemonSetSpec (after the replicated-workload rules). */
function validateDaemonSetSpec(spec: Json): FieldError[] {
  const errors: FieldError[] = []
  const strategy = obj(spec.updateStrategy) ?? {}
  const type = strategy.type
  if (type !== undefined && type !== 'RollingUpdate' && type !== 'OnDelete')
    errors.push({ type: 'FieldValueNotSupported', field: 'spec.updateStrategy.type', value: type, supported: ['OnDelete', 'RollingUpdate'] })
  const ru = obj(strategy.rollingUpdate)
  if (ru && type === 'RollingUpdate') errors.push(...validateRollingUpdate(ru, 'spec.updateStrategy.rollingUpdate'))
  return errors
}

export const daemonSetStrategy: Strategy = {
  defaults(o) {
    const spec = obj(o.spec)
    if (!spec) return
    setDefault(spec, 'revisionHistoryLimit', 10)
    setDefault(spec, 'updateStrategy', {})
    const strategy = obj(spec.updateStrategy)!
    setDefault(strategy, 'type', 'RollingUpdate')
    if (strategy.type === 'RollingUpdate') {
      setDefault(strategy, 'rollingUpdate', {})
      const ru = obj(strategy.rollingUpdate)!
      setDefault(ru, 'maxUnavailable', 1)
      setDefault(ru, 'maxSurge', 0)
    }
    defaultTemplate(spec)
  },
  initialStatus: () => ({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }),
  hasGeneration: true,
  validate(o: KObject, old: KObject | undefined) {
    const errors = validateReplicatedSpec('daemonset', o.spec)
    const spec = obj(o.spec)
    if (spec && obj(spec.template)) errors.push(...validateDaemonSetSpec(spec))
    errors.push(...immutableSelector(o, old))
    return errors
  },
  printer: {
    columns: [
      NAME,
      col('Desired', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).', 0, 'integer'),
      col('Current', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', 0, 'integer'),
      col(
        'Ready',
        'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.',
        0,
        'integer',
      ),
      col('Up-to-date', 'The total number of nodes that are running updated daemon pod', 0, 'integer'),
      col(
        'Available',
        'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
        0,
        'integer',
      ),
      col('Node Selector', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
      AGE,
      col('Containers', 'Names of each container in the template.', 1),
      col('Images', 'Images referenced by each container in the template.', 1),
      col('Selector', 'A label query over pods that are managed by the daemon set.', 1),
    ],
    cells: (d) => {
      const cs: Any[] = d.spec?.template?.spec?.containers ?? []
      return [
        d.metadata.name,
        d.status?.desiredNumberScheduled ?? 0,
        d.status?.currentNumberScheduled ?? 0,
        d.status?.numberReady ?? 0,
        d.status?.updatedNumberScheduled ?? 0,
        d.status?.numberAvailable ?? 0,
        selectorText(d.spec?.template?.spec?.nodeSelector),
        age(d),
        cs.map((c) => c.name).join(','),
        cs.map((c) => c.image).join(','),
        selectorText(d.spec?.selector),
      ]
    },
  },
}
