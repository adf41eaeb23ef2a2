// The ControllerRevision strategy (pkg/registry/apps/controllerrevision/strategy.go): the
// rollout history of DaemonSets and StatefulSets, one immutable snapshot (`data`) of a pod
// template per revision. Validation as ValidateControllerRevision(Update): a revision number
// >= 0 and `data` that never changes; and the columns of `kubectl get controllerrevisions`
// (NAME, CONTROLLER as `<kind>.<group>/<name>`, REVISION, AGE).
// Simplifies: nothing.

import type { FieldError } from '../../../api/errors.js'
import type { KObject } from '../../../api/meta.js'
import { AGE, age, col, NAME, type Any } from '../printers.js'
import { stable } from '../semantic.js'
import type { Strategy } from '../strategy.js'

/** `daemonset.apps/web` for a controller reference (upstream formatResourceName with kind). */
export function controllerName(o: Any): string {
  const ref = (o.metadata?.ownerReferences ?? []).find((r: Any) => r.controller)
  if (!ref) return '<none>'
  const group = String(ref.apiVersion ?? '').includes('/') ? String(ref.apiVersion).split('/')[0] : ''
  return `${String(ref.kind).toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`
}

export const controllerRevisionStrategy: Strategy = {
  validate(o: KObject, old: KObject | undefined) {
    const errors: FieldError[] = []
    const revision = (o as { revision?: unknown }).revision
    if (typeof revision === 'number' && revision < 0)
      errors.push({ type: 'FieldValueInvalid', field: 'revision', value: revision, detail: 'must be greater than or equal to 0' })
    if (old && stable((o as { data?: unknown }).data) !== stable((old as { data?: unknown }).data))
      errors.push({
        type: 'FieldValueInvalid',
        field: 'data',
        value: (o as { data?: unknown }).data,
        shown: 'runtime.RawExtension',
        detail: 'field is immutable',
      })
    return errors
  },
  printer: {
    columns: [
      NAME,
      col('Controller', 'Controller of the object'),
      col('Revision', 'Revision indicates the revision of the state represented by Data.', 0, 'integer'),
      AGE,
    ],
    cells: (r) => [r.metadata.name, controllerName(r), r.revision ?? 0, age(r)],
  },
}
