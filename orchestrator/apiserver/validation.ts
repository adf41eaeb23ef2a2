// Schema validation of incoming objects against the upstream Kubernetes OpenAPI, through the
// validators that `kubernetes-models` generates from it, plus object-meta rules (names).
// Wrong JSON types are a 400 BadRequest worded like upstream's decoder ("cannot unmarshal
// string into Go struct field ... of type int32"); missing or unsupported values are a 422
// Invalid with every broken field in details.causes, as upstream's validation.
// Decoding (decodeObject) runs before admission: type errors and unknown fields (fields.ts).
// Semantic rules beyond names live in semantic.ts.

import { badRequest, invalid, type FieldError } from '../api/errors.js'
import type { KObject } from '../api/meta.js'
import type { ResourceInfo } from '../api/resources.js'
import { unknownFields } from './fields.js'

interface AjvError {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
  message?: string
}

type SchemaValidate = ((data: unknown) => boolean) & { errors?: AjvError[] | null }

/** kubernetes-models schema module per kind (and per subresource body kind). */
const SCHEMAS: Record<string, string> = {
  'core/Namespace': 'IoK8sApiCoreV1Namespace',
  'core/Pod': 'IoK8sApiCoreV1Pod',
  'core/Node': 'IoK8sApiCoreV1Node',
  'core/Service': 'IoK8sApiCoreV1Service',
  'core/Endpoints': 'IoK8sApiCoreV1Endpoints',
  'core/Event': 'IoK8sApiCoreV1Event',
  'core/ConfigMap': 'IoK8sApiCoreV1ConfigMap',
  'core/LimitRange': 'IoK8sApiCoreV1LimitRange',
  'core/ResourceQuota': 'IoK8sApiCoreV1ResourceQuota',
  'core/ServiceAccount': 'IoK8sApiCoreV1ServiceAccount',
  'core/Secret': 'IoK8sApiCoreV1Secret',
  'core/Binding': 'IoK8sApiCoreV1Binding',
  'apps/Deployment': 'IoK8sApiAppsV1Deployment',
  'apps/ReplicaSet': 'IoK8sApiAppsV1ReplicaSet',
  'coordination.k8s.io/Lease': 'IoK8sApiCoordinationV1Lease',
  'networking.k8s.io/Ingress': 'IoK8sApiNetworkingV1Ingress',
  'policy/PodDisruptionBudget': 'IoK8sApiPolicyV1PodDisruptionBudget',
  'policy/Eviction': 'IoK8sApiPolicyV1Eviction',
  'rbac.authorization.k8s.io/Role': 'IoK8sApiRbacV1Role',
  'rbac.authorization.k8s.io/RoleBinding': 'IoK8sApiRbacV1RoleBinding',
  'rbac.authorization.k8s.io/ClusterRole': 'IoK8sApiRbacV1ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding': 'IoK8sApiRbacV1ClusterRoleBinding',
  'autoscaling/HorizontalPodAutoscaler': 'IoK8sApiAutoscalingV2HorizontalPodAutoscaler',
  'autoscaling/Scale': 'IoK8sApiAutoscalingV1Scale',
  'authentication.k8s.io/TokenRequest': 'IoK8sApiAuthenticationV1TokenRequest',
  'apiregistration.k8s.io/APIService': 'IoK8sKubeAggregatorPkgApisApiregistrationV1APIService',
}

const loaded = new Map<string, Promise<SchemaValidate>>()

function schemaFor(group: string, kind: string): Promise<SchemaValidate> | undefined {
  const key = `${group || 'core'}/${kind}`
  const mod = SCHEMAS[key]
  if (!mod) return undefined
  let p = loaded.get(key)
  if (!p) {
    p = (import(`kubernetes-models/_schemas/${mod}`) as Promise<{ validate: SchemaValidate }>).then((m) => m.validate)
    loaded.set(key, p)
  }
  return p
}

const GO_TYPES: Record<string, string> = { integer: 'int32', number: 'float64', string: 'string', boolean: 'bool', object: 'object', array: 'array' }

function jsonTypeName(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'object') return 'object'
  return typeof v
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
async function schemaErrors(group: string, kind: string, o: unknown): Promise<AjvError[] | undefined> {
  const validator = schemaFor(group, kind)
  if (!validator) return undefined
  const validate = await validator
  if (validate(o)) return []
  return validate.errors ?? []
}

/** A wrong JSON type is a decoding error upstream: 400, worded as Go's json decoder. */
function throwTypeError(version: string, kind: string, o: unknown, errors: AjvError[]): void {
  const typeErr = errors.find((e) => e.keyword === 'type')
  if (!typeErr) return
  const got = jsonTypeName(valueAt(o, typeErr.instancePath))
  const want = String(typeErr.params.type ?? 'value')
  const field = fieldPath(typeErr.instancePath).replace(/\[\d+\]/g, '')
  throw badRequest(
    `${kind} in version "${version}" cannot be handled as a ${kind}: json: cannot unmarshal ${got} into Go struct field ${kind}.${field} of type ${GO_TYPES[want] ?? want}`,
  )
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore'

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
  const errors = await schemaErrors(group, kind, o)
  if (errors) throwTypeError(version, kind, o, errors)
  const unknown = await unknownFields(group, version, kind, o, mode !== 'Strict')
  if (!unknown.length) return
  if (mode === 'Strict') {
    throw badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${unknown.map((f) => `unknown field ${JSON.stringify(f)}`).join(', ')}`)
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
  const errors = await schemaErrors(group, kind, o)
  if (!errors?.length) return []
  throwTypeError(version, kind, o, errors)
  const fieldErrors: FieldError[] = []
  for (const e of errors) {
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

/** RBAC objects only need a valid path segment (upstream ValidateRBACName, path.IsValidPathSegmentName). */
export function pathSegmentNameErrors(v: string): string[] {
  if (v === '.' || v === '..') return [`may not be '${v}'`]
  const errs: string[] = []
  if (v.includes('/')) errs.push("may not contain '/'")
  if (v.includes('%')) errs.push("may not contain '%'")
  return errs
}

/** Kinds whose names must be DNS-1123 labels (upstream ValidateNamespaceName, ValidateServiceName). */
const LABEL_NAMED = new Set(['Namespace', 'Service'])

const PATH_SEGMENT_NAMED_GROUPS = new Set(['rbac.authorization.k8s.io', 'apiregistration.k8s.io'])

/** metadata.name / generateName rules; returns the field errors (empty when valid). */
export function validateObjectMeta(info: ResourceInfo, o: KObject): FieldError[] {
  const errors: FieldError[] = []
  const name = o.metadata?.name
  if (!name) {
    errors.push({ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' })
    return errors
  }
  // RBAC objects and APIServices (the core group's is "v1.") only need to be path segments
  const check = LABEL_NAMED.has(info.kind) ? dns1123LabelErrors : PATH_SEGMENT_NAMED_GROUPS.has(info.group) ? pathSegmentNameErrors : dns1123SubdomainErrors
  for (const msg of check(name)) errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail: msg })
  if (info.namespaced) {
    const ns = o.metadata?.namespace
    if (!ns) errors.push({ type: 'FieldValueRequired', field: 'metadata.namespace' })
  }
  return errors
}
