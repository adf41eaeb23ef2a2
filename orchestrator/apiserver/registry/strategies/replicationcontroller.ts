// The ReplicationController strategy (pkg/registry/core/replicationcontroller/strategy.go), the
// core/v1 ancestor of the ReplicaSet: an equality-based selector (a plain label map) that
// defaults to the pod template's labels, as do the object's own labels when it has none
// (SetDefaults_ReplicationController), replicas defaulting to 1, a generation bumped on spec
// changes, status reset on create to replicas 0, validation
// (ValidateReplicationControllerSpec: a non-empty selector matching the template's labels) and
// the columns of `kubectl get rc` (the ReplicaSet's). Unlike apps/v1 selectors, an RC's selector
// may change. The controller is the ReplicaSet controller (controllers/replicaset).

import type { FieldError } from '../../../api/errors.js'
import { defaultTemplate, obj, setDefault } from '../defaults.js'
import { validateReplicatedSpec } from '../semantic.js'
import type { Strategy } from '../strategy.js'
import { replicatedPrinter } from './replicaset.js'

/** ValidateReplicationControllerSpec, through the ReplicaSet's rules with the map as matchLabels. */
function validateReplicationControllerSpec(specValue: unknown): FieldError[] {
  const spec = obj(specValue)
  if (!spec) return [{ type: 'FieldValueRequired', field: 'spec' }]
  const selector = obj(spec.selector) ?? {}
  if (!Object.keys(selector).length) {
    // upstream ValidateNonEmptySelector; the rest of the spec is checked as if it matched
    const labels = obj(obj(obj(spec.template)?.metadata)?.labels) ?? {}
    const rest = validateReplicatedSpec('replicationcontroller', { ...spec, selector: { matchLabels: labels } }).filter(
      (e) => !e.field.startsWith('spec.selector'),
    )
    return [{ type: 'FieldValueRequired', field: 'spec.selector' }, ...rest]
  }
  return validateReplicatedSpec('replicationcontroller', { ...spec, selector: { matchLabels: selector } }).map((e) =>
    e.field.startsWith('spec.selector.matchLabels') ? { ...e, field: e.field.replace('spec.selector.matchLabels', 'spec.selector') } : e,
  )
}

export const replicationControllerStrategy: Strategy = {
  defaults(o) {
    const spec = obj(o.spec)
    if (!spec) return
    const labels = obj(obj(obj(spec.template)?.metadata)?.labels)
    if (labels && Object.keys(labels).length) {
      if (!Object.keys(obj(spec.selector) ?? {}).length) spec.selector = { ...labels }
      const meta = (o.metadata ??= {})
      if (!Object.keys(meta.labels ?? {}).length) meta.labels = { ...(labels as Record<string, string>) }
    }
    setDefault(spec, 'replicas', 1)
    defaultTemplate(spec)
  },
  initialStatus: () => ({ replicas: 0 }),
  hasGeneration: true,
  validate: (o) => validateReplicationControllerSpec(o.spec),
  printer: replicatedPrinter,
}
