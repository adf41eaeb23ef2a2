// The Lease strategy (pkg/registry/coordination/lease): a PUT may create (AllowCreateOnUpdate,
// as leader election and node heartbeats write them), and the columns of `kubectl get leases`.

import { AGE, age, col, NAME } from '../printers.js'
import type { Strategy } from '../strategy.js'

export const leaseStrategy: Strategy = {
  allowCreateOnUpdate: true,
  printer: {
    columns: [NAME, col('Holder', 'Name of the holder of the lease.'), AGE],
    cells: (l) => [l.metadata.name, l.spec?.holderIdentity ?? '', age(l)],
  },
}
