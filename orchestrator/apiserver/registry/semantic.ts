// Semantic validation shared by several kinds: the rules upstream enforces beyond the OpenAPI
// schema for labels (keys and values), label selectors, pod specs (a pod needs containers, a
// container needs a DNS-1123 name, unique in the pod, and an image, ports in range, known
// protocols and restart policies, requests not above limits), the immutable part of a pod
// spec on update, the spec every replicated workload shares (a selector that matches the
// template's labels, replicas >= 0, restartPolicy Always) and IntOrString percentages
// (integers >= 0 or "<n>%"). Every broken field is returned, with upstream's field paths and
// messages (pkg/apis/core/validation, pkg/apis/apps/validation). Which kind runs which rule
// is its strategy's business (strategies/).
// Simplifies: probes, volumes, security contexts and affinity terms are left to the schema.

import type { FieldError } from '../../api/errors.js'
import { parseQuantity } from '../../api/quantity.js'
import { dns1123LabelErrors, dns1123SubdomainErrors } from './validation.js'

export type Json = Record<string, unknown>

export function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

// ---------------------------------------------------------------------------------------------
// Go-style value printing, as field.Invalid shows maps and structs

export function goStringMap(m: unknown): string {
  const o = obj(m)
  if (!o) return 'map[string]string(nil)'
  const entries = Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(o[k]))}`)
  return `map[string]string{${entries.join(', ')}}`
}

export function goLabelSelector(sel: unknown): string {
  const s = obj(sel) ?? {}
  const ml = s.matchLabels === undefined ? 'map[string]string(nil)' : goStringMap(s.matchLabels)
  const exprs = arr(s.matchExpressions)
  const me =
    s.matchExpressions === undefined
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${exprs
          .map((e) => {
            const x = obj(e) ?? {}
            return `v1.LabelSelectorRequirement{Key:${JSON.stringify(str(x.key))}, Operator:${JSON.stringify(str(x.operator))}, Values:[]string{${arr(x.values)
              .map((v) => JSON.stringify(String(v)))
              .join(', ')}}}`
          })
          .join(', ')}}`
  return `v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${me}}`
}

// ---------------------------------------------------------------------------------------------
// labels (k8s.io/apimachinery/pkg/util/validation)

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/

function qualifiedNameErrors(key: string): string[] {
  const parts = key.split('/')
  let name = key
  const errs: string[] = []
  if (parts.length === 2) {
    const [prefix, n] = parts as [string, string]
    name = n
    if (!prefix) errs.push('prefix part must be non-empty')
    else for (const m of dns1123SubdomainErrors(prefix)) errs.push(`prefix part ${m}`)
  } else if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]
  }
  if (!name) errs.push('name part must be non-empty')
  else if (name.length > 63) errs.push('name part must be no more than 63 characters')
  if (name && !NAME_PART.test(name)) {
    errs.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    )
  }
  return errs
}

export function validateLabels(labels: unknown, field: string): FieldError[] {
  const errors: FieldError[] = []
  for (const [k, v] of Object.entries(obj(labels) ?? {})) {
    for (const detail of qualifiedNameErrors(k)) errors.push({ type: 'FieldValueInvalid', field, value: k, detail })
    const value = typeof v === 'string' ? v : String(v)
    if (value.length > 63) errors.push({ type: 'FieldValueInvalid', field, value, detail: 'must be no more than 63 characters' })
    if (!LABEL_VALUE.test(value)) {
      errors.push({
        type: 'FieldValueInvalid',
        field,
        value,
        detail:
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      })
    }
  }
  return errors
}

// ---------------------------------------------------------------------------------------------
// pods and pod templates (pkg/apis/core/validation)

const PORT_RANGE = 'must be between 1 and 65535, inclusive'
export const PROTOCOLS = ['SCTP', 'TCP', 'UDP']
export const RESTART_POLICIES = ['Always', 'Never', 'OnFailure']
const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule']
const TOLERATION_OPERATORS = ['Equal', 'Exists']

export function portNumberErrors(v: unknown, field: string, required: boolean): FieldError[] {
  if (v === undefined || v === null || v === 0) return required ? [{ type: 'FieldValueRequired', field }] : []
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) return [{ type: 'FieldValueInvalid', field, value: v, detail: PORT_RANGE }]
  return []
}

/** IANA service name rules for named ports (IsValidPortName). */
export function portNameErrors(name: string): string[] {
  const errs: string[] = []
  if (name.length > 15) errs.push('must be no more than 15 characters')
  if (!/^[-a-z0-9]+$/.test(name)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)')
  else if (name.includes('--')) errs.push('must not contain consecutive hyphens')
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)')
  if (/^-|-$/.test(name)) errs.push('must not begin or end with a hyphen')
  return errs
}

function validateResources(res: unknown, path: string): FieldError[] {
  const errors: FieldError[] = []
  const r = obj(res)
  if (!r) return errors
  const parsed: Record<'requests' | 'limits', Record<string, number>> = { requests: {}, limits: {} }
  for (const part of ['limits', 'requests'] as const) {
    for (const [name, q] of Object.entries(obj(r[part]) ?? {})) {
      const field = `${path}.${part}[${name}]`
      const v = parseQuantity(q as string | number)
      if (v === undefined)
        errors.push({
          type: 'FieldValueInvalid',
          field,
          value: q,
          detail: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        })
      else if (v < 0) errors.push({ type: 'FieldValueInvalid', field, value: q, detail: 'must be greater than or equal to 0' })
      else parsed[part][name] = v
    }
  }
  for (const [name, req] of Object.entries(parsed.requests)) {
    const lim = parsed.limits[name]
    if (lim !== undefined && req > lim) {
      const shownReq = String((obj(r.requests) ?? {})[name])
      const shownLim = String((obj(r.limits) ?? {})[name])
      errors.push({
        type: 'FieldValueInvalid',
        field: `${path}.requests`,
        value: shownReq,
        detail: `must be less than or equal to ${name} limit of ${shownLim}`,
      })
    }
  }
  return errors
}

function validateContainers(list: unknown, path: string, names: Set<string>, required: boolean): FieldError[] {
  const errors: FieldError[] = []
  const containers = arr(list)
  if (required && containers.length === 0) errors.push({ type: 'FieldValueRequired', field: path })
  containers.forEach((c, i) => {
    const p = `${path}[${i}]`
    const ctr = obj(c) ?? {}
    const name = str(ctr.name)
    if (!name) errors.push({ type: 'FieldValueRequired', field: `${p}.name` })
    else {
      for (const detail of dns1123LabelErrors(name)) errors.push({ type: 'FieldValueInvalid', field: `${p}.name`, value: name, detail })
      if (names.has(name)) errors.push({ type: 'FieldValueDuplicate', field: `${p}.name`, value: name })
      names.add(name)
    }
    const image = str(ctr.image)
    if (!image) errors.push({ type: 'FieldValueRequired', field: `${p}.image` })
    else if (image !== image.trim())
      errors.push({ type: 'FieldValueInvalid', field: `${p}.image`, value: image, detail: 'must not have leading or trailing whitespace' })
    const portNames = new Set<string>()
    arr(ctr.ports).forEach((port, j) => {
      const pp = `${p}.ports[${j}]`
      const po = obj(port) ?? {}
      const pn = str(po.name)
      if (pn) {
        const msgs = portNameErrors(pn)
        for (const detail of msgs) errors.push({ type: 'FieldValueInvalid', field: `${pp}.name`, value: pn, detail })
        if (!msgs.length && portNames.has(pn)) errors.push({ type: 'FieldValueDuplicate', field: `${pp}.name`, value: pn })
        portNames.add(pn)
      }
      errors.push(...portNumberErrors(po.containerPort, `${pp}.containerPort`, true))
      errors.push(...portNumberErrors(po.hostPort, `${pp}.hostPort`, false))
      const proto = po.protocol
      if (proto === undefined || proto === '') errors.push({ type: 'FieldValueRequired', field: `${pp}.protocol` })
      else if (!PROTOCOLS.includes(String(proto))) errors.push({ type: 'FieldValueNotSupported', field: `${pp}.protocol`, value: proto, supported: PROTOCOLS })
    })
    errors.push(...validateResources(ctr.resources, `${p}.resources`))
  })
  return errors
}

export function validatePodSpec(specValue: unknown, path: string): FieldError[] {
  const spec = obj(specValue)
  if (!spec) return [{ type: 'FieldValueRequired', field: path }]
  const names = new Set<string>()
  const errors = [
    ...validateContainers(spec.containers, `${path}.containers`, names, true),
    ...validateContainers(spec.initContainers, `${path}.initContainers`, names, false),
  ]
  const rp = spec.restartPolicy
  if (rp !== undefined && !RESTART_POLICIES.includes(String(rp)))
    errors.push({ type: 'FieldValueNotSupported', field: `${path}.restartPolicy`, value: rp, supported: RESTART_POLICIES })
  arr(spec.tolerations).forEach((t, i) => {
    const tol = obj(t) ?? {}
    const tp = `${path}.tolerations[${i}]`
    if (tol.operator !== undefined && !TOLERATION_OPERATORS.includes(String(tol.operator))) {
      errors.push({ type: 'FieldValueNotSupported', field: `${tp}.operator`, value: tol.operator, supported: TOLERATION_OPERATORS })
    }
    if (tol.operator === 'Exists' && str(tol.value))
      errors.push({ type: 'FieldValueInvalid', field: `${tp}.operator`, value: tol.value, detail: "value must be empty when `operator` is 'Exists'" })
    if (tol.effect && !TAINT_EFFECTS.includes(String(tol.effect)))
      errors.push({ type: 'FieldValueNotSupported', field: `${tp}.effect`, value: tol.effect, supported: TAINT_EFFECTS })
    if (tol.tolerationSeconds !== undefined && tol.tolerationSeconds !== null && tol.effect !== 'NoExecute') {
      errors.push({
        type: 'FieldValueInvalid',
        field: `${tp}.effect`,
        value: tol.effect ?? '',
        detail: "effect must be 'NoExecute' when `tolerationSeconds` is set",
      })
    }
  })
  const grace = spec.terminationGracePeriodSeconds
  if (typeof grace === 'number' && grace < 0)
    errors.push({ type: 'FieldValueInvalid', field: `${path}.terminationGracePeriodSeconds`, value: grace, detail: 'must be greater than or equal to 0' })
  const deadline = spec.activeDeadlineSeconds
  if (typeof deadline === 'number' && deadline <= 0)
    errors.push({ type: 'FieldValueInvalid', field: `${path}.activeDeadlineSeconds`, value: deadline, detail: 'must be between 1 and 2147483647, inclusive' })
  return errors
}

const POD_UPDATE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)'

export function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as Json)
      .filter((k) => (v as Json)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Json)[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v)
}

/** Upstream ValidatePodUpdate: only images, activeDeadlineSeconds, added tolerations and grace may change. */
export function validatePodUpdate(newSpec: unknown, oldSpec: unknown): FieldError[] {
  const a = structuredClone(obj(newSpec) ?? {})
  const b = structuredClone(obj(oldSpec) ?? {})
  for (const key of ['containers', 'initContainers'] as const) {
    const na = arr(a[key])
    const nb = arr(b[key])
    na.forEach((c, i) => {
      const x = obj(c)
      const y = obj(nb[i])
      if (x && y) x.image = y.image
    })
  }
  a.activeDeadlineSeconds = b.activeDeadlineSeconds
  a.terminationGracePeriodSeconds = b.terminationGracePeriodSeconds
  // tolerations may only be added to: the old ones must all still be there
  const oldTol = arr(b.tolerations).map(stable)
  const newTol = new Set(arr(a.tolerations).map(stable))
  const kept = oldTol.every((t) => newTol.has(t))
  a.tolerations = kept ? b.tolerations : a.tolerations
  if (stable(a) === stable(b)) return []
  return [{ type: 'FieldValueForbidden', field: 'spec', detail: POD_UPDATE_MESSAGE }]
}

// ---------------------------------------------------------------------------------------------
// selectors

export function selectorMatches(selector: Json, labels: Json): boolean {
  for (const [k, v] of Object.entries(obj(selector.matchLabels) ?? {})) if (labels[k] !== v) return false
  for (const e of arr(selector.matchExpressions)) {
    const x = obj(e) ?? {}
    const key = str(x.key)
    const values = arr(x.values).map(String)
    const has = Object.prototype.hasOwnProperty.call(labels, key)
    switch (x.operator) {
      case 'In':
        if (!has || !values.includes(String(labels[key]))) return false
        break
      case 'NotIn':
        if (has && values.includes(String(labels[key]))) return false
        break
      case 'Exists':
        if (!has) return false
        break
      case 'DoesNotExist':
        if (has) return false
        break
      default:
        return false
    }
  }
  return true
}

const SELECTOR_OPERATORS = ['DoesNotExist', 'Exists', 'In', 'NotIn']

export function validateLabelSelector(sel: Json, path: string): FieldError[] {
  const errors: FieldError[] = [...validateLabels(sel.matchLabels, `${path}.matchLabels`)]
  arr(sel.matchExpressions).forEach((e, i) => {
    const x = obj(e) ?? {}
    const p = `${path}.matchExpressions[${i}]`
    if (!SELECTOR_OPERATORS.includes(str(x.operator)))
      errors.push({ type: 'FieldValueNotSupported', field: `${p}.operator`, value: x.operator ?? '', supported: SELECTOR_OPERATORS })
    else if ((x.operator === 'In' || x.operator === 'NotIn') && arr(x.values).length === 0)
      errors.push({ type: 'FieldValueRequired', field: `${p}.values`, detail: "must be specified when `operator` is 'In' or 'NotIn'" })
    else if ((x.operator === 'Exists' || x.operator === 'DoesNotExist') && arr(x.values).length > 0)
      errors.push({ type: 'FieldValueForbidden', field: `${p}.values`, detail: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'" })
  })
  return errors
}

/**
 * The spec every replicated workload shares (the common part of ValidateDeploymentSpec and
 * ValidateReplicaSetSpec): replicas, selector matching the template, the template's pod spec.
 * `what` is the lower-case word upstream's messages use ("empty selector is invalid for deployment").
 */
export function validateReplicatedSpec(what: string, specValue: unknown): FieldError[] {
  const spec = obj(specValue)
  if (!spec) return [{ type: 'FieldValueRequired', field: 'spec' }]
  const errors: FieldError[] = []
  const replicas = spec.replicas
  if (typeof replicas === 'number' && replicas < 0)
    errors.push({ type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' })
  for (const f of ['minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds']) {
    const v = spec[f]
    if (typeof v === 'number' && v < 0) errors.push({ type: 'FieldValueInvalid', field: `spec.${f}`, value: v, detail: 'must be greater than or equal to 0' })
  }
  const selector = obj(spec.selector)
  if (!selector) errors.push({ type: 'FieldValueRequired', field: 'spec.selector' })
  else {
    errors.push(...validateLabelSelector(selector, 'spec.selector'))
    if (Object.keys(obj(selector.matchLabels) ?? {}).length + arr(selector.matchExpressions).length === 0) {
      errors.push({
        type: 'FieldValueInvalid',
        field: 'spec.selector',
        value: selector,
        shown: goLabelSelector(selector),
        detail: `empty selector is invalid for ${what}`,
      })
    }
  }
  const template = obj(spec.template)
  if (!template) {
    errors.push({ type: 'FieldValueRequired', field: 'spec.template' })
    return errors
  }
  const labels = obj(obj(template.metadata)?.labels) ?? {}
  if (selector && !selectorMatches(selector, labels) && Object.keys(obj(selector.matchLabels) ?? {}).length + arr(selector.matchExpressions).length > 0) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.template.metadata.labels',
      value: labels,
      shown: goStringMap(labels),
      detail: '`selector` does not match template `labels`',
    })
  }
  errors.push(...validateLabels(labels, 'spec.template.metadata.labels'))
  errors.push(...validatePodSpec(template.spec, 'spec.template.spec'))
  const rp = obj(template.spec)?.restartPolicy
  if (rp !== undefined && rp !== 'Always' && RESTART_POLICIES.includes(String(rp))) {
    errors.push({ type: 'FieldValueNotSupported', field: 'spec.template.spec.restartPolicy', value: rp, supported: ['Always'] })
  }
  return errors
}

// ---------------------------------------------------------------------------------------------
// IntOrString percentages (pkg/apis/apps/validation ValidatePositiveIntOrPercent, IsNotMoreThan100Percent)

const PERCENT = /^[0-9]+%$/
const PERCENT_MESSAGE =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"

/** An IntOrString that must be a non-negative integer or a percentage ("25%"). */
export function validatePositiveIntOrPercent(v: unknown, field: string): FieldError[] {
  if (v === undefined || v === null) return []
  if (typeof v === 'string') return PERCENT.test(v) ? [] : [{ type: 'FieldValueInvalid', field, value: v, detail: PERCENT_MESSAGE }]
  if (typeof v === 'number' && v < 0) return [{ type: 'FieldValueInvalid', field, value: v, detail: 'must be greater than or equal to 0' }]
  return []
}

/** The value an IntOrString stands for: a valid percentage's number, else Go's IntValue() (Atoi of a string, 0 when it is not one). */
function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v
  if (typeof v !== 'string') return 0
  if (PERCENT.test(v)) return Number(v.slice(0, -1))
  return /^[+-]?\d+$/.test(v) ? Number(v) : 0
}

export function isNotMoreThan100Percent(v: unknown, field: string): FieldError[] {
  if (typeof v !== 'string' || !PERCENT.test(v) || Number(v.slice(0, -1)) <= 100) return []
  return [{ type: 'FieldValueInvalid', field, value: v, detail: 'must not be greater than 100%' }]
}

/** Upstream ValidateRollingUpdateDeployment. */
export function validateRollingUpdate(ru: Json, path: string): FieldError[] {
  const errors = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, `${path}.maxUnavailable`),
    ...validatePositiveIntOrPercent(ru.maxSurge, `${path}.maxSurge`),
  ]
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
    errors.push({ type: 'FieldValueInvalid', field: `${path}.maxUnavailable`, value: ru.maxUnavailable ?? 0, detail: 'may not be 0 when `maxSurge` is 0' })
  }
  errors.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${path}.maxUnavailable`))
  return errors
}
