// API errors as Kubernetes `Status` objects, with upstream's codes, reasons and message forms.
// Mirrors k8s.io/apimachinery/pkg/api/errors (NewNotFound, NewConflict, NewInvalid, ...), including
// the "qualified resource" wording (`deployments.apps "web" not found`).
// Simplifies: no retry-after heuristics beyond what callers pass in.

import type { Status, StatusCause, StatusDetails } from './meta.js'
import { goJson } from './json.js'

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServerTimeout'
  | 'Timeout'
  | 'ServiceUnavailable'

/** A rejection that the API server turns into a `Status` body with `code`. Never a bare 500. */
export class ApiError extends Error {
  readonly code: number
  readonly reason: StatusReason
  readonly details: StatusDetails | undefined

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.reason = reason
    this.details = details
  }

  toStatus(): Status {
    // metav1.Status's field order: details before code
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    }
  }

  static is(e: unknown): e is ApiError {
    return e instanceof ApiError
  }
}

/** Identifies a resource in messages: `pods`, `deployments.apps`. */
export interface GroupResource {
  group: string
  resource: string
}

export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource
}

export function notFound(gr: GroupResource, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, {
    name,
    group: gr.group || undefined,
    kind: gr.resource,
  })
}

export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedResource(gr)} "${name}" already exists`, {
    name,
    group: gr.group || undefined,
    kind: gr.resource,
  })
}

export const OPTIMISTIC_LOCK_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again'

export function conflict(gr: GroupResource, name: string, why: string = OPTIMISTIC_LOCK_MESSAGE): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${why}`, {
    name,
    group: gr.group || undefined,
    kind: gr.resource,
  })
}

/** One broken field, as field.Error in k8s.io/apimachinery/pkg/util/validation/field. */
export interface FieldError {
  type:
    | 'FieldValueRequired'
    | 'FieldValueInvalid'
    | 'FieldValueNotSupported'
    | 'FieldValueForbidden'
    | 'FieldValueTooLong'
    | 'FieldValueTooMany'
    | 'FieldValueDuplicate'
    | 'FieldValueTypeInvalid'
  field: string
  /** The bad value, shown in the message for FieldValueInvalid / NotSupported. */
  value?: unknown
  detail?: string
  /** For FieldValueNotSupported: the allowed values. */
  supported?: string[]
  /** The value as upstream prints it when JSON would differ (Go maps and structs: `map[string]string{"app":"web"}`). */
  shown?: string
}

const fieldErrorTexts: Record<FieldError['type'], string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueTypeInvalid: 'Invalid value',
}

function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v)
  if (v === undefined) return 'null'
  if (typeof v === 'object' && v !== null) return JSON.stringify(v)
  return String(v)
}

/** field.Error.ErrorBody(): `Invalid value: -1: must be greater than or equal to 0`. */
export function fieldErrorBody(e: FieldError): string {
  let s = fieldErrorTexts[e.type]
  const showsValue =
    e.type === 'FieldValueInvalid' || e.type === 'FieldValueNotSupported' || e.type === 'FieldValueDuplicate' || e.type === 'FieldValueTypeInvalid'
  if (showsValue && e.shown !== undefined) s += `: ${e.shown}`
  else if (showsValue && 'value' in e) s += `: ${showValue(e.value)}`
  if (e.type === 'FieldValueNotSupported' && e.supported?.length) {
    s += `: supported values: ${e.supported.map((v) => JSON.stringify(v)).join(', ')}`
  } else if (e.detail) {
    s += `: ${e.detail}`
  }
  return s
}

/** 422 Invalid with every broken field in details.causes, in upstream's aggregate message form. */
export function invalid(kind: { group: string; kind: string }, name: string, errors: FieldError[]): ApiError {
  const qualifiedKind = kind.group ? `${kind.kind}.${kind.group}` : kind.kind
  const parts = errors.map((e) => `${e.field}: ${fieldErrorBody(e)}`)
  const aggregate = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`
  const causes: StatusCause[] = errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }))
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${aggregate}`, {
    name,
    group: kind.group || undefined,
    kind: kind.kind,
    causes,
  })
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message)
}

export function unauthorized(message = 'Unauthorized'): ApiError {
  return new ApiError(401, 'Unauthorized', message)
}

export function forbidden(gr: GroupResource, name: string | undefined, why: string): ApiError {
  const what = name ? `${qualifiedResource(gr)} "${name}"` : qualifiedResource(gr)
  return new ApiError(403, 'Forbidden', `${what} is forbidden: ${why}`, {
    name: name || undefined,
    group: gr.group || undefined,
    kind: gr.resource,
  })
}

export function methodNotSupported(gr: GroupResource, verb: string): ApiError {
  return new ApiError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualifiedResource(gr)}"`, {
    group: gr.group || undefined,
    kind: gr.resource,
  })
}

/**
 * The 405 of the API server's router (go-restful: the path has routes, none for this method),
 * as serviceErrorHandler turns it into a Status: `the server does not allow this method on the
 * requested resource`, with empty details (apierrors.NewGenericServerResponse).
 */
export function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {})
}

export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message)
}

export function tooManyRequests(message: string, retryAfterSeconds?: number): ApiError {
  return new ApiError(429, 'TooManyRequests', message, retryAfterSeconds ? { retryAfterSeconds } : undefined)
}

export function unsupportedMediaType(contentType: string, accepted: string[]): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format (${contentType || 'none'}) - accepted media types include: ${accepted.join(', ')}`,
  )
}

export function notAcceptable(message: string): ApiError {
  return new ApiError(406, 'NotAcceptable', message)
}

export function requestEntityTooLarge(message: string): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', message)
}

export function internalError(cause: unknown): ApiError {
  const why = cause instanceof Error ? cause.message : String(cause)
  return new ApiError(500, 'InternalError', `Internal error occurred: ${why}`, { causes: [{ message: why }] })
}

/** Storage did not answer in time (upstream NewServerTimeout). */
export function serverTimeout(gr: GroupResource, operation: string, retryAfterSeconds = 2): ApiError {
  return new ApiError(
    500,
    'ServerTimeout',
    `The ${operation} operation against ${qualifiedResource(gr)} could not be completed at this time, please try again.`,
    { group: gr.group || undefined, kind: gr.resource, retryAfterSeconds },
  )
}

/** The request itself ran past its deadline (upstream NewTimeoutError, 504). */
export function timeout(message: string, retryAfterSeconds = 0): ApiError {
  // NewTimeoutError always sets Details (`"details":{}` without a retry)
  return new ApiError(504, 'Timeout', message, retryAfterSeconds ? { retryAfterSeconds } : {})
}

export function serviceUnavailable(message: string): ApiError {
  return new ApiError(503, 'ServiceUnavailable', message)
}

/** A Status as some upstream writers build it: without kind and apiVersion (a bare metav1.Status). */
export type StatusBody = Omit<Status, 'kind' | 'apiVersion' | 'code'> & { kind?: string; apiVersion?: string; code?: number }

/**
 * The JSON text of a Status as encoding/json writes metav1.Status (json.Marshal; the HTTP
 * answer adds json.Encoder's newline): the struct's field order whatever order the object was
 * built in (kind, apiVersion, metadata, status, message, reason, details, code; StatusDetails:
 * name, group, kind, uid, causes, retryAfterSeconds; StatusCause: reason, message, field;
 * ListMeta: resourceVersion, continue, remainingItemCount), every `omitempty` field
 * left out when empty ("" and 0 and an empty causes list), `metadata` always there (a struct
 * is never empty to encoding/json) and `details` whenever set, even `{}` (a non-nil pointer).
 * Every Status the API server answers with goes through here (rest.ts, watch.ts, podconnect.ts).
 */
export function encodeStatus(s: StatusBody): string {
  const out: Record<string, unknown> = {}
  if (s.kind) out.kind = s.kind
  if (s.apiVersion) out.apiVersion = s.apiVersion
  out.metadata = pick(s.metadata ?? {}, ['resourceVersion', 'continue', 'remainingItemCount'])
  if (s.status) out.status = s.status
  if (s.message) out.message = s.message
  if (s.reason) out.reason = s.reason
  if (s.details) {
    const d = s.details
    const details = pick(d, ['name', 'group', 'kind', 'uid'])
    if (d.causes?.length) details.causes = d.causes.map((c: StatusCause) => pick(c, ['reason', 'message', 'field']))
    if (d.retryAfterSeconds) details.retryAfterSeconds = d.retryAfterSeconds
    out.details = details
  }
  if (s.code) out.code = s.code
  return goJson(JSON.stringify(out))
}

/** The non-empty fields of `o` among `keys`, in that order. */
function pick<T extends object>(o: T, keys: readonly (keyof T)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of keys) {
    const v = o[k]
    if (v !== undefined && v !== null && v !== '' && v !== 0) out[k as string] = v
  }
  return out
}
