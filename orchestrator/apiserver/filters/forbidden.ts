// The 403 an authorizer's denial turns into, worded as upstream's
// k8s.io/apiserver/pkg/endpoints/handlers/responsewriters.forbiddenMessage:
// `deployments.apps is forbidden: User "alice" cannot create resource "deployments" in API
// group "apps" in the namespace "team-a"`.

import { ApiError, forbidden } from '../../api/errors.js'
import type { AuthorizationAttributes } from '../auth.js'

export function forbiddenMessage(a: AuthorizationAttributes, reasons: string[]): ApiError {
  const reason = reasons.filter(Boolean).join(', ')
  const suffix = reason ? `: ${reason}` : ''
  if (!a.isResourceRequest) {
    return new ApiError(403, 'Forbidden', `forbidden: User "${a.user.name}" cannot ${a.verb} path "${a.path}"${suffix}`)
  }
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource
  let msg = `User "${a.user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}"`
  msg += a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope'
  return forbidden({ group: a.apiGroup, resource: a.resource }, a.name || undefined, msg + suffix)
}
