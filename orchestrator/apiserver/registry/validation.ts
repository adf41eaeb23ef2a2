// Schema validation of incoming objects against the upstream Kubernetes OpenAPI, through the
// validators that `kubernetes-models` generates from it, plus object-meta rules (names).
// Wrong JSON types, integers that overflow their field and unparsable quantities are a 400
// BadRequest worded like upstream's decoder (decoding.ts); missing or unsupported values are a 422
// Invalid with every broken field in details.causes, as upstream's validation.
// Decoding (decodeObject) runs before admission: type errors and unknown fields (fields.ts).
// Semantic rules beyond names live in semantic.ts.

import { badRequest, invalid, type FieldError } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import type { ResourceInfo } from '../../api/resources.js'
import type { FieldValidation, NameRule } from './strategy.js'
import { decodeFailure, decodeNulls } from '../serializer/decoding.js'
import { unknownFields } from '../serializer/fields.js'

interface AjvError {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
  message?: string
}

type SchemaValidate = ((data: unknown) => boolean) & { errors?: AjvError[] | null }

/**
 * The kubernetes-models schema module of a group's kinds: `IoK8sApi<Group><Version><Kind>`,
 * the group's first DNS label capitalised (`core` for the core group), as the upstream OpenAPI
 * names definitions; kube-aggregator's group lives in its own package.
 */
const SCHEMA_PACKAGES: Record<string, string> = { 'apiregistration.k8s.io': 'IoK8sKubeAggregatorPkgApisApiregistration' }

function schemaModule(group: string, version: string, kind: string): string {
  const first = (group || 'core').split('.')[0]!
  const pkg = SCHEMA_PACKAGES[group] ?? `IoK8sApi${first[0]!.toUpperCase()}${first.slice(1)}`
  return `${pkg}${version[0]!.toUpperCase()}${version.slice(1)}${kind}`
}

const loaded = new Map<string, Promise<SchemaValidate | undefined>>()

/** The schema validator of a kind, loaded once; undefined when the upstream OpenAPI has none. */
function schemaFor(group: string, version: string, kind: string): Promise<SchemaValidate | undefined> {
  const key = `${group}/${version}/${kind}`
  let p = loaded.get(key)
  if (!p) {
    p = (import(`kubernetes-models/_schemas/${schemaModule(group, version, kind)}`) as Promise<{ validate: SchemaValidate }>).then(
      (m) => m.validate,
      () => undefined,
    )
    loaded.set(key, p)
  }
  return p
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur = root
  for (const part of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')]
  }
  return cur
}

/** `/spec/containers/0/name` -> `spec.containers[0].name` (upstream field path form). */
export function fieldPath(pointer: string): string {
  let out = ''
  for (const part of pointer.split('/').slice(1)) {
    const p = part.replace(/~1/g, '/').replace(/~0/g, '~')
    out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p
  }
  return out
}

/** Runs the schema validator of the kind; undefined when OCK has no schema for it. */
async function schemaErrors(group: string, version: string, kind: string, o: unknown): Promise<AjvError[] | undefined> {
  const validate = await schemaFor(group, version, kind)
  if (!validate) return undefined
  if (validate(o)) return []
  return validate.errors ?? []
}

/** A value the decoder cannot store (wrong JSON type, integer overflow, bad quantity) is a decoding error upstream: 400. */
async function throwDecodeError(group: string, version: string, kind: string, o: unknown, errors: AjvError[]): Promise<void> {
  const why = await decodeFailure(group, version, kind, o, errors)
  if (why) throw badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${why}`)
}

/**
 * Decoding, before admission (as upstream's decoder runs before admission): wrong JSON types are
 * a 400; fields the API does not define are dropped, and with `Strict` they are a 400
 * `strict decoding error`, with `Warn` a warning each.
 */
export async function decodeObject(
  group: string,
  version: string,
  kind: string,
  o: unknown,
  mode: FieldValidation,
  warn: (message: string) => void,
): Promise<void> {
  await decodeNulls(group, version, kind, o)
  const errors = await schemaErrors(group, version, kind, o)
  await throwDecodeError(group, version, kind, o, errors ?? [])
  const unknown = await unknownFields(group, version, kind, o, mode !== 'Strict')
  if (!unknown.length) return
  if (mode === 'Strict') {
    throw badRequest(
      `${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${unknown.map((f) => `unknown field ${JSON.stringify(f)}`).join(', ')}`,
    )
  }
  if (mode === 'Warn') for (const f of unknown) warn(`unknown field ${JSON.stringify(f)}`)
}

/**
 * Validates `o` against the upstream schema of its kind. Throws 400 for type mismatches and
 * 422 for everything else; returns normally when the object conforms.
 */
export async function validateSchema(group: string, version: string, kind: string, o: unknown, name = ''): Promise<void> {
  const fieldErrors = await schemaFieldErrors(group, version, kind, o)
  if (fieldErrors.length) throw invalid({ group, kind }, name, fieldErrors)
}

/** The schema's verdict as field errors (required, enum, format ...); type errors still throw 400. */
export async function schemaFieldErrors(group: string, version: string, kind: string, o: unknown): Promise<FieldError[]> {
  const errors = await schemaErrors(group, version, kind, o)
  await throwDecodeError(group, version, kind, o, errors ?? [])
  if (!errors?.length) return []
  const fieldErrors: FieldError[] = []
  for (const e of errors) {
    // decoding judged these (and threw if the value could not be stored): a quantity's or an
    // IntOrString's alternatives, integer ranges, and JSON types other than a null Go would accept
    if (e.keyword === 'oneOf' || (e.keyword === 'format' && ['int32', 'quantity'].includes(String(e.params.format)))) continue
    if (e.keyword === 'type' && valueAt(o, e.instancePath) !== null) continue
    const base = fieldPath(e.instancePath)
    if (e.keyword === 'required') {
      const missing = String(e.params.missingProperty)
      fieldErrors.push({ type: 'FieldValueRequired', field: base ? `${base}.${missing}` : missing })
    } else if (e.keyword === 'enum') {
      const allowed = (e.params.allowedValues as unknown[] | undefined)?.map(String)
      fieldErrors.push({ type: 'FieldValueNotSupported', field: base, value: valueAt(o, e.instancePath), supported: allowed })
    } else {
      fieldErrors.push({ type: 'FieldValueInvalid', field: base, value: valueAt(o, e.instancePath), detail: e.message ?? e.keyword })
    }
  }
  return dedupe(fieldErrors)
}

export function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>()
  return errors.filter((e) => {
    const k = `${e.type}|${e.field}|${e.detail ?? ''}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

// ---------------------------------------------------------------------------------------------
// Names (k8s.io/apimachinery/pkg/util/validation)

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

export function dns1123LabelErrors(v: string): string[] {
  const errs: string[] = []
  if (v.length > 63) errs.push('must be no more than 63 characters')
  if (!DNS1123_LABEL.test(v)) {
    errs.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    )
  }
  return errs
}

export function dns1123SubdomainErrors(v: string): string[] {
  const errs: string[] = []
  if (v.length > 253) errs.push('must be no more than 253 characters')
  if (!DNS1123_SUBDOMAIN.test(v)) {
    errs.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    )
  }
  return errs
}

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/

export function dns1035LabelErrors(v: string): string[] {
  const errs: string[] = []
  if (v.length > 63) errs.push('must be no more than 63 characters')
  if (!DNS1035_LABEL.test(v)) {
    errs.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    )
  }
  return errs
}

/** RBAC objects only need a valid path segment (upstream ValidateRBACName, path.IsValidPathSegmentName). */
export function pathSegmentNameErrors(v: string): string[] {
  if (v === '.' || v === '..') return [`may not be '${v}'`]
  return pathSegmentPrefixErrors(v)
}

/** A prefix may end up any name: only what no path segment may contain is checked (path.IsValidPathSegmentPrefix). */
function pathSegmentPrefixErrors(v: string): string[] {
  const errs: string[] = []
  if (v.includes('/')) errs.push("may not contain '/'")
  if (v.includes('%')) errs.push("may not contain '%'")
  return errs
}

/**
 * A generateName prefix gets a suffix appended, so a trailing dash is fine (upstream
 * maskTrailingDash, quirk included: it replaces the last two characters with an "a").
 */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name
}

/** The kind's ValidateNameFunc: the messages for a name, or for a generateName prefix. */
function nameErrors(rule: NameRule, name: string, prefix: boolean): string[] {
  // RBAC objects and APIServices (the core group's is "v1.") only need to be path segments
  if (rule === 'path-segment') return prefix ? pathSegmentPrefixErrors(name) : pathSegmentNameErrors(name)
  const v = prefix ? maskTrailingDash(name) : name
  if (rule === 'dns1123-label') return dns1123LabelErrors(v)
  if (rule === 'dns1035-label') return dns1035LabelErrors(v)
  return dns1123SubdomainErrors(v)
}

/** metadata.generateName / name / namespace rules (upstream ValidateObjectMetaAccessor); returns the field errors (empty when valid). */
export function validateObjectMeta(info: ResourceInfo, o: KObject, rule: NameRule = 'dns1123-subdomain'): FieldError[] {
  const errors: FieldError[] = []
  const generateName = o.metadata?.generateName
  if (typeof generateName === 'string' && generateName) {
    for (const msg of nameErrors(rule, generateName, true))
      errors.push({ type: 'FieldValueInvalid', field: 'metadata.generateName', value: generateName, detail: msg })
  }
  const name = o.metadata?.name
  if (!name) errors.push({ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' })
  else for (const msg of nameErrors(rule, name, false)) errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail: msg })
  if (info.namespaced) {
    const ns = o.metadata?.namespace
    if (!ns) errors.push({ type: 'FieldValueRequired', field: 'metadata.namespace' })
  }
  return errors
}
