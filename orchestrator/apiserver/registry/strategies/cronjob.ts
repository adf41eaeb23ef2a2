// The CronJob strategy (pkg/registry/batch/cronjob/strategy.go, pkg/apis/batch/v1/defaults.go,
// pkg/apis/batch/validation ValidateCronJobCreate / ValidateCronJobSpec): defaults
// (concurrencyPolicy Allow, suspend false, successfulJobsHistoryLimit 3,
// failedJobsHistoryLimit 1; the job template's pod template, not its Job spec), status reset on
// create, a generation bumped on every spec change, validation (a name of at most 52
// characters, so its Jobs' names fit; a schedule in cron syntax without TZ; a known timeZone;
// the concurrency policy; non-negative deadlines and limits; the job template's Job spec), and
// the columns of `kubectl get cronjobs`.
// Simplifies: see api/cron.ts for the schedule syntax.

import { scheduleErrors, validTimeZone } from '../../../api/cron.js'
import type { FieldError } from '../../../api/errors.js'
import { defaultTemplate, obj, setDefault } from '../defaults.js'
import { AGE, age, col, humanDuration, NAME, selectorText, type Any } from '../printers.js'
import { validateLabels } from '../semantic.js'
import type { Strategy } from '../strategy.js'
import { templateCells, validateJobSpec } from './job.js'

/** A CronJob's name leaves room for the `-<minutes>` of its Jobs' names (ValidateCronJobCreate). */
const MAX_CRONJOB_NAME = 52
const POLICIES = ['Allow', 'Forbid', 'Replace']

function validateCronJobSpec(specValue: unknown): FieldError[] {
  const spec = obj(specValue)
  if (!spec) return [{ type: 'FieldValueRequired', field: 'spec' }]
  const errors: FieldError[] = []
  const schedule = spec.schedule
  if (typeof schedule !== 'string' || schedule === '') errors.push({ type: 'FieldValueRequired', field: 'spec.schedule' })
  else for (const detail of scheduleErrors(schedule)) errors.push({ type: 'FieldValueInvalid', field: 'spec.schedule', value: schedule, detail })
  const tz = spec.timeZone
  if (typeof tz === 'string' && !validTimeZone(tz))
    errors.push({ type: 'FieldValueInvalid', field: 'spec.timeZone', value: tz, detail: `unknown time zone ${tz}` })
  const policy = spec.concurrencyPolicy
  if (policy === undefined || policy === '') errors.push({ type: 'FieldValueRequired', field: 'spec.concurrencyPolicy' })
  else if (!POLICIES.includes(String(policy)))
    errors.push({ type: 'FieldValueNotSupported', field: 'spec.concurrencyPolicy', value: policy, supported: POLICIES })
  for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) {
    const v = spec[f]
    if (typeof v === 'number' && v < 0) errors.push({ type: 'FieldValueInvalid', field: `spec.${f}`, value: v, detail: 'must be greater than or equal to 0' })
  }
  const template = obj(spec.jobTemplate)
  if (!template) errors.push({ type: 'FieldValueRequired', field: 'spec.jobTemplate' })
  else {
    errors.push(...validateLabels(obj(template.metadata)?.labels, 'spec.jobTemplate.metadata.labels'))
    errors.push(...validateJobSpec(template.spec, 'spec.jobTemplate.spec', false))
  }
  return errors
}

export const cronJobStrategy: Strategy = {
  defaults(o) {
    const spec = obj(o.spec)
    if (!spec) return
    setDefault(spec, 'concurrencyPolicy', 'Allow')
    setDefault(spec, 'suspend', false)
    setDefault(spec, 'successfulJobsHistoryLimit', 3)
    setDefault(spec, 'failedJobsHistoryLimit', 1)
    const jobSpec = obj(obj(spec.jobTemplate)?.spec)
    if (jobSpec) defaultTemplate(jobSpec)
  },
  initialStatus: () => ({}),
  hasGeneration: true,
  validate(o, old) {
    const errors: FieldError[] = []
    const name = o.metadata?.name ?? ''
    if (!old && name.length > MAX_CRONJOB_NAME)
      errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail: `must be no more than ${MAX_CRONJOB_NAME} characters` })
    errors.push(...validateCronJobSpec(o.spec))
    return errors
  },
  printer: {
    columns: [
      NAME,
      col('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
      col('Timezone', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
      col(
        'Suspend',
        'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.',
        0,
        'boolean',
      ),
      col('Active', 'A list of pointers to currently running jobs.', 0, 'integer'),
      col('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
      AGE,
      col('Containers', 'Names of each container in the template.', 1),
      col('Images', 'Images referenced by each container in the template.', 1),
      col('Selector', 'A label query over pods that should match the pod count. Normally, the system sets this field for you.', 1),
    ],
    cells: (c: Any) => {
      const last = c.status?.lastScheduleTime ? humanDuration(Date.now() - Date.parse(c.status.lastScheduleTime)) : '<none>'
      const suspend = c.spec?.suspend === undefined || c.spec?.suspend === null ? '<unset>' : c.spec.suspend ? 'True' : 'False'
      return [
        c.metadata.name,
        c.spec?.schedule ?? '',
        c.spec?.timeZone ?? '<none>',
        suspend,
        (c.status?.active ?? []).length,
        last,
        age(c),
        ...templateCells(c.spec?.jobTemplate?.spec?.template),
        selectorText(c.spec?.jobTemplate?.spec?.selector),
      ]
    },
  },
}
