// The Event strategy (pkg/registry/core/event): a PUT may create (AllowCreateOnUpdate, as event
// recorders write them), and the columns of `kubectl get events`.

import { col, humanDuration } from '../printers.js'
import type { Strategy } from '../strategy.js'

export const eventStrategy: Strategy = {
  allowCreateOnUpdate: true,
  printer: {
    columns: [
      col('Last Seen', 'Time when last event was observed.'),
      col('Type', 'Type of this event (Normal, Warning).'),
      col('Reason', 'Why the action was taken.'),
      col('Object', 'The object this event is about.'),
      col('Message', 'A human-readable description of the status of this operation.'),
    ],
    cells: (e) => {
      const last = e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp
      const obj = `${String(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`
      return [last ? humanDuration(Date.now() - Date.parse(last)) : '<unknown>', e.type ?? '', e.reason ?? '', obj, e.message ?? '']
    },
  },
}
