// The Deployment strategy (pkg/registry/apps/deployment/strategy.go): defaults (replicas 1,
// revisionHistoryLimit 10, progressDeadlineSeconds 600, RollingUpdate with 25% / 25%, the pod
// template's), a generation bumped on every spec change, status reset on create, validation
// (ValidateDeploymentSpec: the replicated-workload rules, the strategy and its rolling update,
// progressDeadlineSeconds > minReadySeconds), an immutable selector, and the columns of
// `kubectl get deployments`.

import type { FieldError } from '../../../api/errors.js'
import type { KObject } from '../../../api/meta.js'
import { defaultTemplate, obj, setDefault } from '../defaults.js'
import { AGE, age, col, NAME, selectorText, type Any } from '../printers.js'
import { validateReplicatedSpec, validateRollingUpdate, type Json } from '../semantic.js'
import type { Strategy } from '../strategy.js'
import { immutableSelector } from './replicaset.js'

/** The Deployment-only part of ValidateDeploymentSpec (after the replicated-workload rules). */
function validateDeploymentStrategy(spec: Json): FieldError[] {
  const errors: FieldError[] = []
  const strategy = obj(spec.strategy) ?? {}
  const type = strategy.type
  if (type !== undefined && type !== 'RollingUpdate' && type !== 'Recreate')
    errors.push({ type: 'FieldValueNotSupported', field: 'spec.strategy.type', value: type, supported: ['Recreate', 'RollingUpdate'] })
  if (type === 'Recreate' && strategy.rollingUpdate)
    errors.push({ type: 'FieldValueForbidden', field: 'spec.strategy.rollingUpdate', detail: "may not be specified when strategy `type` is 'Recreate'" })
  const ru = obj(strategy.rollingUpdate)
  if (ru && type !== 'Recreate') errors.push(...validateRollingUpdate(ru, 'spec.strategy.rollingUpdate'))
  const pds = spec.progressDeadlineSeconds
  const mrs = spec.minReadySeconds
  if (typeof pds === 'number' && typeof mrs === 'number' && pds <= mrs) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.progressDeadlineSeconds', value: pds, detail: 'must be greater than minReadySeconds' })
  }
  return errors
}

export const deploymentStrategy: Strategy = {
  defaults(o) {
    const spec = obj(o.spec)
    if (!spec) return
    setDefault(spec, 'replicas', 1)
    setDefault(spec, 'revisionHistoryLimit', 10)
    setDefault(spec, 'progressDeadlineSeconds', 600)
    setDefault(spec, 'strategy', {})
    const strategy = obj(spec.strategy)!
    setDefault(strategy, 'type', 'RollingUpdate')
    if (strategy.type === 'RollingUpdate') {
      setDefault(strategy, 'rollingUpdate', {})
      const ru = obj(strategy.rollingUpdate)!
      setDefault(ru, 'maxUnavailable', '25%')
      setDefault(ru, 'maxSurge', '25%')
    }
    defaultTemplate(spec)
  },
  initialStatus: () => ({}),
  hasGeneration: true,
  validate(o: KObject, old: KObject | undefined) {
    const errors = validateReplicatedSpec('deployment', o.spec)
    const spec = obj(o.spec)
    // upstream stops at a missing template before the strategy rules
    if (spec && obj(spec.template)) errors.push(...validateDeploymentStrategy(spec))
    errors.push(...immutableSelector(o, old))
    return errors
  },
  printer: {
    columns: [
      NAME,
      col('Ready', 'Number of the pod with ready state'),
      col('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', 0, 'integer'),
      col('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', 0, 'integer'),
      AGE,
      col('Containers', 'Names of each container in the template.', 1),
      col('Images', 'Images referenced by each container in the template.', 1),
      col('Selector', 'Label selector for pods.', 1),
    ],
    cells: (d) => {
      const cs: Any[] = d.spec?.template?.spec?.containers ?? []
      return [
        d.metadata.name,
        `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
        d.status?.updatedReplicas ?? 0,
        d.status?.availableReplicas ?? 0,
        age(d),
        cs.map((c) => c.name).join(','),
        cs.map((c) => c.image).join(','),
        selectorText(d.spec?.selector),
      ]
    },
  },
}
