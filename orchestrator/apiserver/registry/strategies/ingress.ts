// The Ingress strategy (pkg/registry/networking/ingress): status reset on create to an empty
// load balancer, and the columns of `kubectl get ingress`.

import { AGE, age, col, NAME, type Any } from '../printers.js'
import type { Strategy } from '../strategy.js'

export const ingressStrategy: Strategy = {
  initialStatus: () => ({ loadBalancer: {} }),
  printer: {
    columns: [
      NAME,
      col('Class', 'The name of the IngressClass resource that should be used for additional configuration'),
      col('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
      col('Address', 'Address is a list containing ingress points for the load-balancer'),
      col('Ports', 'Ports of TLS configurations that open'),
      AGE,
    ],
    cells: (i) => {
      const hosts = [...new Set((i.spec?.rules ?? []).map((r: Any) => r.host).filter(Boolean))]
      const addrs = (i.status?.loadBalancer?.ingress ?? []).map((a: Any) => a.ip ?? a.hostname).filter(Boolean)
      return [
        i.metadata.name,
        i.spec?.ingressClassName ?? '<none>',
        hosts.join(',') || '*',
        addrs.join(','),
        (i.spec?.tls ?? []).length ? '80, 443' : '80',
        age(i),
      ]
    },
  },
}
