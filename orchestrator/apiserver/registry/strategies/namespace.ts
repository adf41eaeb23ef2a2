// The Namespace strategy (pkg/registry/core/namespace/strategy.go and storage): a DNS-1123
// label name, spec.finalizers defaulting to [kubernetes], status phase Active on create, and
// deletion in two steps: a delete marks the namespace Terminating, and the namespace
// controller, once the namespace is empty, clears spec.finalizers through namespaces/finalize;
// only then does a delete (or that update) remove it.

import type { Json } from '../defaults.js'
import { nowTimestamp, type KObject } from '../../../api/meta.js'
import { obj, setDefault } from '../defaults.js'
import { AGE, age, col, NAME } from '../printers.js'
import type { Strategy } from '../strategy.js'

const specFinalizers = (o: KObject): string[] => (o.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []

export const namespaceStrategy: Strategy = {
  nameRule: 'dns1123-label',
  defaults(o) {
    o.spec = obj(o.spec) ?? {}
    setDefault(o.spec as Json, 'finalizers', ['kubernetes'])
  },
  initialStatus: () => ({ phase: 'Active' }),
  beginDelete(_current, next, _options, finalizers) {
    next.metadata.deletionTimestamp ??= nowTimestamp()
    next.status = { ...(next.status as object), phase: 'Terminating' }
    if (!specFinalizers(next).length && !finalizers.size) return 'now'
    if (finalizers.size) next.metadata.finalizers = [...finalizers]
    return next
  },
  deleteOnUpdate: (o) => !specFinalizers(o).length,
  printer: {
    columns: [NAME, col('Status', 'The status of the namespace.'), AGE],
    cells: (n) => [n.metadata.name, n.status?.phase ?? 'Active', age(n)],
  },
}
