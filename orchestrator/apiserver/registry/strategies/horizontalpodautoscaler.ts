// The HorizontalPodAutoscaler strategy (pkg/registry/autoscaling/horizontalpodautoscaler):
// minReplicas defaults to 1, a generation bumped on spec changes, status reset on create to
// desiredReplicas 0 (not omitempty upstream), and the columns of `kubectl get hpa`. Stored as
// autoscaling/v2, also served as autoscaling/v1 (the conversion is autoscalingv1.ts); the
// annotations v1 carries v2's extra fields in are never stored.

import { obj, setDefault } from '../defaults.js'
import { AGE, age, col, NAME, type Any } from '../printers.js'
import type { Strategy } from '../strategy.js'
import { autoscalingV1, dropRoundTripAnnotations } from './autoscalingv1.js'

/** Upstream's formatHPAMetrics: "cpu: 42%/50%", "memory: 30Mi/64Mi", at most two then "+ N more...". */
function formatHPAMetrics(specs: Any[], statuses: Any[]): string {
  if (!specs.length) return '<none>'
  const list = specs.map((spec, i) => {
    const res = spec.resource ?? spec.containerResource
    const cur = (statuses[i]?.resource ?? statuses[i]?.containerResource)?.current
    const name = res?.name ?? spec.type ?? 'metric'
    if (res?.target?.averageValue !== undefined) return `${name}: ${cur?.averageValue ?? '<unknown>'}/${res.target.averageValue}`
    const current = cur?.averageUtilization !== undefined ? `${cur.averageUtilization}%` : '<unknown>'
    const target = res?.target?.averageUtilization !== undefined ? `${res.target.averageUtilization}%` : '<auto>'
    return `${name}: ${current}/${target}`
  })
  return list.length > 2 ? `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...` : list.join(', ')
}

export const horizontalPodAutoscalerStrategy: Strategy = {
  defaults(o) {
    dropRoundTripAnnotations(o)
    const spec = obj(o.spec)
    if (spec) setDefault(spec, 'minReplicas', 1)
  },
  initialStatus: () => ({ desiredReplicas: 0 }),
  hasGeneration: true,
  conversions: { v1: autoscalingV1 },
  printer: {
    columns: [
      NAME,
      col('Reference', 'The reference to the target resource.'),
      col('Targets', 'The current and target metrics.'),
      col('MinPods', 'The minimum number of replicas.', 0, 'integer'),
      col('MaxPods', 'The maximum number of replicas.', 0, 'integer'),
      col('Replicas', 'The current number of replicas.', 0, 'integer'),
      AGE,
    ],
    cells: (h) => {
      const targets = formatHPAMetrics(h.spec?.metrics ?? [], h.status?.currentMetrics ?? [])
      const ref = h.spec?.scaleTargetRef
      return [
        h.metadata.name,
        ref ? `${ref.kind}/${ref.name}` : '',
        targets,
        h.spec?.minReplicas ?? 1,
        h.spec?.maxReplicas ?? 0,
        h.status?.currentReplicas ?? 0,
        age(h),
      ]
    },
  },
}
