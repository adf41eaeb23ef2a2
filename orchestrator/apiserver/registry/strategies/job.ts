// The Job strategy (pkg/registry/batch/job/strategy.go, pkg/apis/batch/v1/defaults.go,
// pkg/apis/batch/validation): defaults (parallelism and completions 1 when neither is set,
// parallelism 1, backoffLimit 6, completionMode NonIndexed, suspend false,
// podReplacementPolicy TerminatingOrFailed, the pod template's), the generated selector
// (PrepareForCreate: `batch.kubernetes.io/controller-uid` = the Job's uid, and the template
// labels `batch.kubernetes.io/job-name`, `job-name`, `batch.kubernetes.io/controller-uid`,
// `controller-uid`) unless manualSelector is true, status reset on create, a generation bumped
// on every spec change, validation (ValidateJobSpec's common errors: restartPolicy OnFailure or
// Never, non-negative counts, a selector that matches the template; on update an immutable
// selector, template and completions), and the columns of `kubectl get jobs`.
// Simplifies: no Indexed completion mode rules beyond the enum, no podFailurePolicy or
// successPolicy validation (the schema checks their shape), the template is immutable even
// for suspended Jobs.

import type { FieldError } from '../../../api/errors.js'
import type { KObject } from '../../../api/meta.js'
import { defaultTemplate, obj, setDefault } from '../defaults.js'
import { AGE, age, col, humanDuration, NAME, selectorText, type Any } from '../printers.js'
import { goLabelSelector, goStringMap, selectorMatches, stable, validateLabels, validateLabelSelector, validatePodSpec, type Json } from '../semantic.js'
import type { Strategy } from '../strategy.js'

/** The labels upstream's Job controller and strategy put on a Job's pods (pkg/apis/batch/types.go). */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name'
export const LEGACY_JOB_NAME_LABEL = 'job-name'
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid'
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid'

const NON_NEGATIVE = 'must be greater than or equal to 0'

/** SetDefaults_Job; also the defaults a CronJob's job template does not get (only its pod template is defaulted). */
export function defaultJobSpec(spec: Json): void {
  if ((spec.completions === undefined || spec.completions === null) && (spec.parallelism === undefined || spec.parallelism === null)) {
    spec.completions = 1
    spec.parallelism = 1
  }
  setDefault(spec, 'parallelism', 1)
  setDefault(spec, 'backoffLimit', spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null ? 2147483647 : 6)
  setDefault(spec, 'completionMode', 'NonIndexed')
  setDefault(spec, 'suspend', false)
  setDefault(spec, 'podReplacementPolicy', spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed')
}

/** generateSelector (pkg/registry/batch/job/strategy.go): the Job's own labels on its template, and a selector on its uid. */
export function generateSelector(job: KObject): void {
  const spec = obj(job.spec)
  if (!spec || spec.manualSelector === true) return
  const template = (spec.template = obj(spec.template) ?? {}) as Json
  const meta = (template.metadata = obj(template.metadata) ?? {}) as Json
  const labels = (meta.labels = obj(meta.labels) ?? {}) as Json
  const name = job.metadata?.name ?? ''
  const uid = job.metadata?.uid ?? ''
  // a label the user set already stays: a conflict is refused by validation
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) setDefault(labels, k, name)
  for (const k of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) setDefault(labels, k, uid)
  const selector = (spec.selector = obj(spec.selector) ?? {}) as Json
  const matchLabels = (selector.matchLabels = obj(selector.matchLabels) ?? {}) as Json
  setDefault(matchLabels, CONTROLLER_UID_LABEL, uid)
}

function nonNegative(spec: Json, field: string, path: string): FieldError[] {
  const v = spec[field]
  return typeof v === 'number' && v < 0 ? [{ type: 'FieldValueInvalid', field: `${path}.${field}`, value: v, detail: NON_NEGATIVE }] : []
}

/**
 * ValidateJobSpec's common rules at `path` (`spec`, or `spec.jobTemplate.spec` of a CronJob):
 * counts, the restart policy, the template. `selectorRequired` is false for a CronJob's
 * template, whose Jobs get their selector when they are created.
 */
export function validateJobSpec(specValue: unknown, path: string, selectorRequired: boolean): FieldError[] {
  const spec = obj(specValue)
  if (!spec) return [{ type: 'FieldValueRequired', field: path }]
  const errors: FieldError[] = []
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) errors.push(...nonNegative(spec, f, path))
  const mode = spec.completionMode
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed')
    errors.push({ type: 'FieldValueNotSupported', field: `${path}.completionMode`, value: mode, supported: ['NonIndexed', 'Indexed'] })
  if (mode === 'Indexed' && (spec.completions === undefined || spec.completions === null))
    errors.push({ type: 'FieldValueRequired', field: `${path}.completions`, detail: 'when completion mode is Indexed' })
  const selector = obj(spec.selector)
  if (!selector) {
    if (selectorRequired) errors.push({ type: 'FieldValueRequired', field: `${path}.selector` })
  } else errors.push(...validateLabelSelector(selector, `${path}.selector`))
  const template = obj(spec.template)
  if (!template) {
    errors.push({ type: 'FieldValueRequired', field: `${path}.template` })
    return errors
  }
  const labels = obj(obj(template.metadata)?.labels) ?? {}
  if (selector && Object.keys(obj(selector.matchLabels) ?? {}).length + (Array.isArray(selector.matchExpressions) ? selector.matchExpressions.length : 0) > 0) {
    if (!selectorMatches(selector, labels))
      errors.push({
        type: 'FieldValueInvalid',
        field: `${path}.template.metadata.labels`,
        value: labels,
        shown: goStringMap(labels),
        detail: '`selector` does not match template `labels`',
      })
  }
  errors.push(...validateLabels(labels, `${path}.template.metadata.labels`))
  errors.push(...validatePodSpec(template.spec, `${path}.template.spec`))
  const rp = obj(template.spec)?.restartPolicy
  if (rp !== 'OnFailure' && rp !== 'Never')
    errors.push({ type: 'FieldValueNotSupported', field: `${path}.template.spec.restartPolicy`, value: rp ?? '', supported: ['OnFailure', 'Never'] })
  return errors
}

/** ValidateGeneratedSelector: a Job without manualSelector must select its own uid. */
function validateGeneratedSelector(job: KObject): FieldError[] {
  const spec = obj(job.spec)
  if (!spec || spec.manualSelector === true) return []
  const selector = obj(spec.selector)
  const uid = job.metadata?.uid
  if (!selector || !uid) return []
  const labels = obj(obj(obj(spec.template)?.metadata)?.labels) ?? {}
  const errors: FieldError[] = []
  if (labels[CONTROLLER_UID_LABEL] !== uid)
    errors.push({
      type: 'FieldValueInvalid',
      field: `spec.template.metadata.labels[${CONTROLLER_UID_LABEL}]`,
      value: labels[CONTROLLER_UID_LABEL],
      detail: `must be '${uid}'`,
    })
  if (obj(selector.matchLabels)?.[CONTROLLER_UID_LABEL] !== uid)
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.selector',
      value: selector,
      shown: goLabelSelector(selector),
      detail: '`selector` not auto-generated',
    })
  return errors
}

/** ValidateJobSpecUpdate: the selector, the template and completions of a NonIndexed Job cannot change. */
function validateJobUpdate(o: KObject, old: KObject): FieldError[] {
  const spec = obj(o.spec) ?? {}
  const prev = obj(old.spec) ?? {}
  const errors: FieldError[] = []
  if (stable(spec.selector) !== stable(prev.selector))
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.selector',
      value: spec.selector,
      shown: goLabelSelector(spec.selector),
      detail: 'field is immutable',
    })
  if (stable(spec.template) !== stable(prev.template))
    errors.push({ type: 'FieldValueInvalid', field: 'spec.template', value: spec.template, shown: 'core.PodTemplateSpec{...}', detail: 'field is immutable' })
  if (spec.completions !== prev.completions)
    errors.push({ type: 'FieldValueInvalid', field: 'spec.completions', value: spec.completions, detail: 'field is immutable' })
  return errors
}

/** Whether a Job condition of `type` is True (upstream hasJobCondition in the printers). */
function hasCondition(job: Any, type: string): boolean {
  return (job.status?.conditions ?? []).some((c: Any) => c.type === type && c.status === 'True')
}

/** printJob's STATUS column (kubectl 1.32). */
export function jobStatusText(job: Any): string {
  if (hasCondition(job, 'Complete')) return 'Complete'
  if (hasCondition(job, 'Failed')) return 'Failed'
  if (job.metadata?.deletionTimestamp) return 'Terminating'
  if (hasCondition(job, 'Suspended')) return 'Suspended'
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget'
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet'
  return 'Running'
}

/** printJob's COMPLETIONS column. */
export function jobCompletionsText(job: Any): string {
  const succeeded = job.status?.succeeded ?? 0
  if (typeof job.spec?.completions === 'number') return `${succeeded}/${job.spec.completions}`
  const parallelism = job.spec?.parallelism ?? 0
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`
}

/** printJob's DURATION column: start to completion, or to now while it runs. */
export function jobDurationText(job: Any, now = Date.now()): string {
  const start = Date.parse(job.status?.startTime ?? '')
  if (Number.isNaN(start)) return ''
  const end = Date.parse(job.status?.completionTime ?? '')
  return humanDuration((Number.isNaN(end) ? now : end) - start)
}

export function templateCells(template: Any): [string, string] {
  const cs: Any[] = template?.spec?.containers ?? []
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')]
}

export const jobStrategy: Strategy = {
  defaults(o) {
    const spec = obj(o.spec)
    if (!spec) return
    defaultJobSpec(spec)
    defaultTemplate(spec)
  },
  initialStatus: () => ({}),
  hasGeneration: true,
  prepareForCreate: generateSelector,
  validate(o, old) {
    const errors = validateJobSpec(o.spec, 'spec', true)
    if (!old) errors.push(...validateGeneratedSelector(o))
    else errors.push(...validateJobUpdate(o, old))
    return errors
  },
  printer: {
    columns: [
      NAME,
      col('Status', 'Status of the job.'),
      col('Completions', 'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec.'),
      col('Duration', 'Time required to complete the job.'),
      AGE,
      col('Containers', 'Names of each container in the template.', 1),
      col('Images', 'Images referenced by each container in the template.', 1),
      col('Selector', 'A label query over pods that should match the pod count. Normally, the system sets this field for you.', 1),
    ],
    cells: (j) => [
      j.metadata.name,
      jobStatusText(j),
      jobCompletionsText(j),
      jobDurationText(j),
      age(j),
      ...templateCells(j.spec?.template),
      selectorText(j.spec?.selector),
    ],
  },
}
