// The APIService strategy (kube-aggregator's pkg/registry/apiservice): names are path segments
// (`v1beta1.metrics.k8s.io`, and `v1.` for the core group), and kube-aggregator's columns:
// where the group is served, and whether it answers.

import { AGE, age, col, NAME, type Any } from '../printers.js'
import type { Strategy } from '../strategy.js'

export const apiServiceStrategy: Strategy = {
  nameRule: 'path-segment',
  printer: {
    columns: [NAME, col('Service', 'The reference to the service that hosts this API endpoint.'), col('Available', 'Whether this service is available.'), AGE],
    cells: (a) => {
      const svc = a.spec?.service
      const cond = (a.status?.conditions ?? []).find((c: Any) => c.type === 'Available')
      const available = !cond ? 'Unknown' : cond.status === 'True' ? 'True' : `${cond.status} (${cond.reason ?? ''})`
      return [a.metadata.name, svc ? `${svc.namespace}/${svc.name}` : 'Local', available, age(a)]
    },
  },
}
