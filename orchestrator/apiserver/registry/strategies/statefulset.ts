// The StatefulSet strategy (pkg/registry/apps/statefulset/strategy.go): defaults (replicas 1,
// podManagementPolicy OrderedReady, RollingUpdate with partition 0, revisionHistoryLimit 10,
// persistentVolumeClaimRetentionPolicy Retain/Retain, the pod template's), a generation bumped
// on every spec change, status reset on create, validation (ValidateStatefulSetSpec: the
// replicated-workload rules with restartPolicy Always, pod management policy, update strategy,
// partition), an update that may change only the fields upstream lets change, and the columns
// of `kubectl get statefulsets`.
// Simplifies: no volumeClaimTemplates semantics (accepted and stored; no PVCs are made), no
// spec.ordinals validation beyond the schema.

import type { FieldError } from '../../../api/errors.js'
import type { KObject } from '../../../api/meta.js'
import { defaultTemplate, obj, setDefault } from '../defaults.js'
import { AGE, age, col, NAME, type Any } from '../printers.js'
import { stable, validateReplicatedSpec, type Json } from '../semantic.js'
import type { Strategy } from '../strategy.js'
import { immutableSelector } from './replicaset.js'

/** The spec fields an update may change (ValidateStatefulSetUpdate). */
const MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']

function validateStatefulSetSpec(spec: Json): FieldError[] {
  const errors: FieldError[] = []
  const policy = spec.podManagementPolicy
  if (policy !== undefined && policy !== 'OrderedReady' && policy !== 'Parallel')
    errors.push({ type: 'FieldValueInvalid', field: 'spec.podManagementPolicy', value: policy, detail: "must be 'OrderedReady' or 'Parallel'" })
  const strategy = obj(spec.updateStrategy) ?? {}
  const type = strategy.type
  if (type !== undefined && type !== 'RollingUpdate' && type !== 'OnDelete')
    errors.push({ type: 'FieldValueInvalid', field: 'spec.updateStrategy', value: type, detail: "must be 'RollingUpdate' or 'OnDelete'" })
  if (type === 'OnDelete' && strategy.rollingUpdate)
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.updateStrategy.rollingUpdate',
      value: strategy.rollingUpdate,
      detail: "only allowed for updateStrategy 'RollingUpdate'",
    })
  const partition = obj(strategy.rollingUpdate)?.partition
  if (typeof partition === 'number' && partition < 0)
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.updateStrategy.rollingUpdate.partition',
      value: partition,
      detail: 'must be greater than or equal to 0',
    })
  return errors
}

/** Only MUTABLE spec fields may change (upstream's one Forbidden error on `spec`). */
function validateUpdate(o: KObject, old: KObject): FieldError[] {
  const strip = (spec: unknown): Json => {
    const s = { ...(obj(spec) ?? {}) }
    for (const f of MUTABLE) delete s[f]
    return s
  }
  if (stable(strip(o.spec)) === stable(strip(old.spec))) return []
  return [
    {
      type: 'FieldValueForbidden',
      field: 'spec',
      detail:
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    },
  ]
}

export const statefulSetStrategy: Strategy = {
  defaults(o) {
    const spec = obj(o.spec)
    if (!spec) return
    setDefault(spec, 'replicas', 1)
    setDefault(spec, 'podManagementPolicy', 'OrderedReady')
    setDefault(spec, 'revisionHistoryLimit', 10)
    setDefault(spec, 'updateStrategy', {})
    const strategy = obj(spec.updateStrategy)!
    setDefault(strategy, 'type', 'RollingUpdate')
    if (strategy.type === 'RollingUpdate') {
      setDefault(strategy, 'rollingUpdate', {})
      setDefault(obj(strategy.rollingUpdate)!, 'partition', 0)
    }
    setDefault(spec, 'persistentVolumeClaimRetentionPolicy', {})
    const retention = obj(spec.persistentVolumeClaimRetentionPolicy)!
    setDefault(retention, 'whenDeleted', 'Retain')
    setDefault(retention, 'whenScaled', 'Retain')
    defaultTemplate(spec)
  },
  initialStatus: () => ({ replicas: 0, availableReplicas: 0 }),
  hasGeneration: true,
  validate(o: KObject, old: KObject | undefined) {
    const errors = validateReplicatedSpec('statefulset', o.spec)
    const spec = obj(o.spec)
    if (spec && obj(spec.template)) errors.push(...validateStatefulSetSpec(spec))
    if (old) errors.push(...validateUpdate(o, old))
    errors.push(...immutableSelector(o, old))
    return errors
  },
  printer: {
    columns: [
      NAME,
      col('Ready', 'Number of the pod with ready state'),
      AGE,
      col('Containers', 'Names of each container in the template.', 1),
      col('Images', 'Images referenced by each container in the template.', 1),
    ],
    cells: (s) => {
      const cs: Any[] = s.spec?.template?.spec?.containers ?? []
      return [
        s.metadata.name,
        `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 0}`,
        age(s),
        cs.map((c) => c.name).join(','),
        cs.map((c) => c.image).join(','),
      ]
    },
  },
}
