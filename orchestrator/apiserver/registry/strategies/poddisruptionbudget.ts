// The PodDisruptionBudget strategy (pkg/registry/policy/poddisruptionbudget): a generation
// bumped on spec changes, status reset on create, validation (ValidatePodDisruptionBudgetSpec:
// minAvailable or maxUnavailable, not both, each an integer >= 0 or a percentage up to 100%,
// a valid selector, a known unhealthyPodEvictionPolicy), and the columns of `kubectl get pdb`.

import type { FieldError } from '../../../api/errors.js'
import { AGE, age, col, NAME } from '../printers.js'
import { goLabelSelector, isNotMoreThan100Percent, obj, validateLabelSelector, validatePositiveIntOrPercent, type Json } from '../semantic.js'
import type { Strategy } from '../strategy.js'

const UNHEALTHY_POD_EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget']

/** Upstream ValidatePodDisruptionBudgetSpec. */
function validatePdbSpec(specValue: unknown): FieldError[] {
  const spec = obj(specValue) ?? {}
  const errors: FieldError[] = []
  if (spec.minAvailable !== undefined && spec.minAvailable !== null && spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec', value: spec, shown: goPdbSpec(spec), detail: 'minAvailable and maxUnavailable cannot be both set' })
  }
  for (const f of ['minAvailable', 'maxUnavailable'])
    errors.push(...validatePositiveIntOrPercent(spec[f], `spec.${f}`), ...isNotMoreThan100Percent(spec[f], `spec.${f}`))
  const selector = obj(spec.selector)
  if (selector) errors.push(...validateLabelSelector(selector, 'spec.selector'))
  const policy = spec.unhealthyPodEvictionPolicy
  if (policy !== undefined && policy !== null && !UNHEALTHY_POD_EVICTION_POLICIES.includes(String(policy))) {
    errors.push({ type: 'FieldValueNotSupported', field: 'spec.unhealthyPodEvictionPolicy', value: policy, supported: UNHEALTHY_POD_EVICTION_POLICIES })
  }
  return errors
}

/** How Go's %#v shows a PodDisruptionBudgetSpec (its pointers print as addresses upstream; here as what they point to). */
function goPdbSpec(spec: Json): string {
  const ios = (v: unknown): string =>
    v === undefined || v === null
      ? '(*intstr.IntOrString)(nil)'
      : `&intstr.IntOrString{Type:${typeof v === 'string' ? 1 : 0}, IntVal:${typeof v === 'number' ? v : 0}, StrVal:${JSON.stringify(typeof v === 'string' ? v : '')}}`
  return `policy.PodDisruptionBudgetSpec{MinAvailable:${ios(spec.minAvailable)}, Selector:${spec.selector ? `&${goLabelSelector(spec.selector)}` : '(*v1.LabelSelector)(nil)'}, MaxUnavailable:${ios(spec.maxUnavailable)}, UnhealthyPodEvictionPolicy:${spec.unhealthyPodEvictionPolicy === undefined ? '(*policy.UnhealthyPodEvictionPolicyType)(nil)' : JSON.stringify(spec.unhealthyPodEvictionPolicy)}}`
}

export const podDisruptionBudgetStrategy: Strategy = {
  initialStatus: () => ({}),
  hasGeneration: true,
  validate: (o) => validatePdbSpec(o.spec),
  printer: {
    columns: [
      NAME,
      col('Min Available', 'The minimum number of pods that must be available.'),
      col('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
      col('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', 0, 'integer'),
      AGE,
    ],
    cells: (p) => [p.metadata.name, p.spec?.minAvailable ?? 'N/A', p.spec?.maxUnavailable ?? 'N/A', p.status?.disruptionsAllowed ?? 0, age(p)],
  },
}
