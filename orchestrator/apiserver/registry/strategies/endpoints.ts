// The Endpoints strategy (pkg/registry/core/endpoint): a PUT may create (AllowCreateOnUpdate,
// as the endpoints controller writes them), and the columns of `kubectl get endpoints`.

import { AGE, age, col, NAME, type Any } from '../printers.js'
import type { Strategy } from '../strategy.js'

function endpointsText(e: Any): string {
  const out: string[] = []
  for (const ss of e.subsets ?? []) {
    for (const a of ss.addresses ?? []) {
      const ports: Any[] = ss.ports ?? []
      if (!ports.length) out.push(a.ip)
      for (const p of ports) out.push(`${a.ip}:${p.port}`)
    }
  }
  if (!out.length) return '<none>'
  return out.length > 3 ? `${out.slice(0, 3).join(',')} + ${out.length - 3} more...` : out.join(',')
}

export const endpointsStrategy: Strategy = {
  allowCreateOnUpdate: true,
  printer: {
    columns: [NAME, col('Endpoints', 'Endpoints of the service.'), AGE],
    cells: (e) => [e.metadata.name, endpointsText(e), age(e)],
  },
}
