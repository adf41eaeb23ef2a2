// Label and field selectors: parsing the query-string forms and matching objects.
// Mirrors k8s.io/apimachinery/pkg/labels (equality- and set-based requirements) and
// pkg/fields (=, ==, != on a per-kind allow-list of field paths, as upstream's field label
// conversion funcs). Simplifies: no escaping of `,` inside values.

import type { KObject, LabelSelector } from './meta.js'
import { badRequest } from './errors.js'

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt'

export interface Requirement {
  key: string
  operator: Operator
  values: string[]
}

/** A parsed label selector: all requirements must hold (AND). An empty selector matches everything. */
export class Selector {
  constructor(readonly requirements: readonly Requirement[]) {}

  static everything(): Selector {
    return new Selector([])
  }

  /** A selector that matches nothing (upstream's labels.Nothing()), used for a nil LabelSelector. */
  static nothing(): Selector {
    return new Selector([{ key: '', operator: 'In', values: [] }])
  }

  empty(): boolean {
    return this.requirements.length === 0
  }

  matches(labels: Record<string, string> | undefined): boolean {
    const l = labels ?? {}
    return this.requirements.every((r) => matchRequirement(r, l))
  }

  toString(): string {
    return this.requirements.map(requirementString).join(',')
  }
}

function matchRequirement(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key)
  const v = labels[r.key]
  switch (r.operator) {
    case 'In':
      return has && r.values.includes(v as string)
    case 'NotIn':
      return !has || !r.values.includes(v as string)
    case 'Exists':
      return has
    case 'DoesNotExist':
      return !has
    case 'Gt':
    case 'Lt': {
      if (!has) return false
      const n = Number(v)
      const bound = Number(r.values[0])
      if (!Number.isInteger(n) || !Number.isInteger(bound)) return false
      return r.operator === 'Gt' ? n > bound : n < bound
    }
  }
}

function requirementString(r: Requirement): string {
  switch (r.operator) {
    case 'In':
      return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`
    case 'NotIn':
      return r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${r.values.join(',')})`
    case 'Exists':
      return r.key
    case 'DoesNotExist':
      return `!${r.key}`
    case 'Gt':
      return `${r.key}>${r.values[0]}`
    case 'Lt':
      return `${r.key}<${r.values[0]}`
  }
}

/** Splits on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const parts: string[] = []
  let depth = 0
  let cur = ''
  for (const ch of s) {
    if (ch === '(') depth++
    if (ch === ')') depth--
    if (ch === ',' && depth === 0) {
      parts.push(cur)
      cur = ''
    } else cur += ch
  }
  parts.push(cur)
  return parts.map((p) => p.trim()).filter((p) => p.length > 0)
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

function checkKey(key: string, whole: string): string {
  if (!KEY.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${whole}"`)
  return key
}

function checkValue(value: string, whole: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw badRequest(`unable to parse requirement: invalid label value: "${value}" in selector "${whole}"`)
  }
  return value
}

/** Parses the `labelSelector` query form: `app=web,tier!=db,env in (a,b),!legacy`. */
export function parseLabelSelector(s: string | undefined | null): Selector {
  if (!s || !s.trim()) return Selector.everything()
  const reqs: Requirement[] = []
  for (const part of splitTop(s)) {
    let m: RegExpMatchArray | null
    if ((m = part.match(/^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      const values = m[3]!.split(',').map((v) => checkValue(v.trim(), s))
      reqs.push({ key: checkKey(m[1]!, s), operator: m[2] === 'in' ? 'In' : 'NotIn', values })
    } else if ((m = part.match(/^([^!=<>\s]+)\s*(==|=|!=)\s*(\S*)$/))) {
      reqs.push({ key: checkKey(m[1]!, s), operator: m[2] === '!=' ? 'NotIn' : 'In', values: [checkValue(m[3]!, s)] })
    } else if ((m = part.match(/^([^!=<>\s]+)\s*(>|<)\s*(-?\d+)$/))) {
      reqs.push({ key: checkKey(m[1]!, s), operator: m[2] === '>' ? 'Gt' : 'Lt', values: [m[3]!] })
    } else if ((m = part.match(/^!\s*(\S+)$/))) {
      reqs.push({ key: checkKey(m[1]!, s), operator: 'DoesNotExist', values: [] })
    } else if ((m = part.match(/^(\S+)$/))) {
      reqs.push({ key: checkKey(m[1]!, s), operator: 'Exists', values: [] })
    } else {
      throw badRequest(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`)
    }
  }
  return new Selector(reqs)
}

/**
 * Converts a metav1.LabelSelector (matchLabels + matchExpressions) into a Selector.
 * As upstream's LabelSelectorAsSelector: undefined -> nothing, {} -> everything.
 */
export function fromLabelSelector(ls: LabelSelector | undefined | null): Selector {
  if (!ls) return Selector.nothing()
  const reqs: Requirement[] = []
  for (const [key, value] of Object.entries(ls.matchLabels ?? {})) reqs.push({ key, operator: 'In', values: [value] })
  for (const e of ls.matchExpressions ?? []) {
    const op = e.operator as Operator
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(op)) throw badRequest(`"${e.operator}" is not a valid label selector operator`)
    reqs.push({ key: e.key, operator: op, values: [...(e.values ?? [])] })
  }
  return new Selector(reqs)
}

// ---------------------------------------------------------------------------------------------
// Field selectors

export interface FieldRequirement {
  field: string
  operator: '=' | '!='
  value: string
}

export class FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  static everything(): FieldSelector {
    return new FieldSelector([])
  }

  empty(): boolean {
    return this.requirements.length === 0
  }

  matches(obj: KObject): boolean {
    return this.requirements.every((r) => {
      const v = fieldValue(obj, r.field)
      return r.operator === '=' ? v === r.value : v !== r.value
    })
  }

  /** The value a selector pins a field to (`spec.nodeName=n1` -> 'n1'), for watch indexing. */
  exactValue(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value
  }
}

const COMMON_FIELDS = ['metadata.name', 'metadata.namespace']

/** Field labels each kind supports, as upstream's AddFieldLabelConversionFunc registrations. */
export const SUPPORTED_FIELDS: Record<string, string[]> = {
  Pod: [
    ...COMMON_FIELDS,
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Node: [...COMMON_FIELDS, 'spec.unschedulable'],
  Event: [
    ...COMMON_FIELDS,
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Namespace: [...COMMON_FIELDS, 'status.phase'],
  Secret: [...COMMON_FIELDS, 'type'],
  ReplicaSet: [...COMMON_FIELDS, 'status.replicas'],
}

function fieldValue(obj: KObject, path: string): string {
  if (path === 'source') {
    const src = (obj as { source?: { component?: string } }).source
    return src?.component ?? ''
  }
  let cur: unknown = obj
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return ''
    cur = (cur as Record<string, unknown>)[part]
  }
  if (cur === undefined || cur === null) return path === 'spec.unschedulable' || path === 'spec.hostNetwork' ? 'false' : ''
  return String(cur)
}

/** Parses the `fieldSelector` query form for one kind; unknown fields are a 400 as upstream. */
export function parseFieldSelector(s: string | undefined | null, kind: string): FieldSelector {
  if (!s || !s.trim()) return FieldSelector.everything()
  const allowed = SUPPORTED_FIELDS[kind] ?? COMMON_FIELDS
  const reqs: FieldRequirement[] = []
  for (const part of splitTop(s)) {
    const m = part.match(/^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/)
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`)
    const field = m[1]!
    if (!allowed.includes(field)) throw badRequest(`field label not supported: ${field}`)
    reqs.push({ field, operator: m[2] === '!=' ? '!=' : '=', value: m[3]!.trim() })
  }
  return new FieldSelector(reqs)
}
