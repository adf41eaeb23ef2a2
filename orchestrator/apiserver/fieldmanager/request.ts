// Who writes, as a create, update or patch request says it: the fieldManager query parameter, or
// for clients that send none the start of their user agent ("kubectl" for kubectl/v1.32.0 ...),
// whether it is an apply, and force. Mirrors k8s.io/apiserver's handlers (managerOrUserAgent,
// prefixFromUserAgent) and apimachinery's ValidateCreateOptions / ValidateUpdateOptions /
// ValidatePatchOptions: apply needs a fieldManager, force is for apply only, 128 bytes at most,
// printable characters only.

import { invalid, type FieldError } from '../../api/errors.js'

export type Operation = 'Apply' | 'Update'

/** Who writes, as the request says it: the fieldManager (or the user agent's), apply or not, force. */
export interface FieldManagerRequest {
  manager: string
  operation: Operation
  force: boolean
}

/** upstream's validation.FieldManagerMaxLength */
const FIELD_MANAGER_MAX_LENGTH = 128

/** prefixFromUserAgent: what precedes the first `/`, printable characters only, at most 128 bytes. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0]!
  // the common case, printable ASCII within the limit, as it is
  if (prefix.length <= FIELD_MANAGER_MAX_LENGTH && /^[\x20-\x7e]*$/.test(prefix)) return prefix
  let out = ''
  for (const ch of (userAgent ?? '').split('/')[0]!) {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) continue
    if (Buffer.byteLength(out + ch) > FIELD_MANAGER_MAX_LENGTH) break
    out += ch
  }
  return out
}

/**
 * The manager of a create, update or patch (managerOrUserAgent), refused as upstream's
 * ValidateCreateOptions / ValidateUpdateOptions / ValidatePatchOptions refuse it.
 * `force` is undefined when the request has no force parameter.
 */
export function requestManager(
  verb: 'create' | 'update' | 'patch',
  apply: boolean,
  fieldManager: string | null,
  force: boolean | undefined,
  userAgent: string | undefined,
): FieldManagerRequest {
  const errors: FieldError[] = []
  if (verb === 'patch' && !apply && force !== undefined)
    errors.push({ type: 'FieldValueForbidden', field: 'force', detail: 'may not be specified for non-apply patch' })
  if (apply && !fieldManager) errors.push({ type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' })
  if (fieldManager && Buffer.byteLength(fieldManager) > FIELD_MANAGER_MAX_LENGTH)
    errors.push({ type: 'FieldValueTooLong', field: 'fieldManager', detail: `may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes` })
  if (fieldManager && !/^[\x20-\x7e]*$/.test(fieldManager) && [...fieldManager].some((ch) => !/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)))
    errors.push({ type: 'FieldValueInvalid', field: 'fieldManager', value: fieldManager, detail: 'invalid characters' })
  if (errors.length) {
    const kind = verb === 'create' ? 'CreateOptions' : verb === 'update' ? 'UpdateOptions' : 'PatchOptions'
    throw invalid({ group: 'meta.k8s.io', kind }, '', errors)
  }
  return { manager: fieldManager || managerFromUserAgent(userAgent), operation: apply ? 'Apply' : 'Update', force: force === true }
}
