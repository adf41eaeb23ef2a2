// The ReplicaSet strategy (pkg/registry/apps/replicaset/strategy.go): defaults (replicas 1, the
// pod template's), a generation bumped on every spec change, status reset on create to
// replicas 0 (ReplicaSetStatus.replicas is not omitempty upstream), validation
// (ValidateReplicaSetSpec), an immutable selector, and the columns of `kubectl get rs`.

import type { FieldError } from '../../../api/errors.js'
import type { KObject } from '../../../api/meta.js'
import { defaultTemplate, obj, setDefault } from '../defaults.js'
import { AGE, age, col, NAME, selectorText, type Any, type Printer } from '../printers.js'
import { goLabelSelector, stable, validateReplicatedSpec } from '../semantic.js'
import type { Strategy } from '../strategy.js'

/** apps/v1 selectors cannot change (ValidateDeploymentUpdate, ValidateReplicaSetUpdate). */
export function immutableSelector(o: KObject, old: KObject | undefined): FieldError[] {
  if (!old) return []
  const oldSel = obj(obj(old.spec)?.selector)
  const newSel = obj(obj(o.spec)?.selector)
  if (stable(oldSel) === stable(newSel)) return []
  return [{ type: 'FieldValueInvalid', field: 'spec.selector', value: newSel, shown: goLabelSelector(newSel), detail: 'field is immutable' }]
}

/** The columns of `kubectl get rs` and `kubectl get rc` (upstream's printReplicaSet / printReplicationController). */
export const replicatedPrinter: Printer = {
  columns: [
    NAME,
    col('Desired', 'Number of desired pods.', 0, 'integer'),
    col('Current', 'Number of actual replicas.', 0, 'integer'),
    col('Ready', 'Number of ready replicas.', 0, 'integer'),
    AGE,
    col('Containers', 'Names of each container in the template.', 1),
    col('Images', 'Images referenced by each container in the template.', 1),
    col('Selector', 'Label selector for pods.', 1),
  ],
  cells: (r) => {
    const cs: Any[] = r.spec?.template?.spec?.containers ?? []
    return [
      r.metadata.name,
      r.spec?.replicas ?? 0,
      r.status?.replicas ?? 0,
      r.status?.readyReplicas ?? 0,
      age(r),
      cs.map((c) => c.name).join(','),
      cs.map((c) => c.image).join(','),
      selectorText(r.spec?.selector),
    ]
  },
}

export const replicaSetStrategy: Strategy = {
  defaults(o) {
    const spec = obj(o.spec)
    if (!spec) return
    setDefault(spec, 'replicas', 1)
    defaultTemplate(spec)
  },
  initialStatus: () => ({ replicas: 0 }),
  hasGeneration: true,
  validate: (o, old) => [...validateReplicatedSpec('replicaset', o.spec), ...immutableSelector(o, old)],
  printer: replicatedPrinter,
}
