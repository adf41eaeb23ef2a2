// Reviews: objects a client creates to ask the API server a question about itself, answered
// at once and never stored. SelfSubjectAccessReview ("may I do this?", `kubectl auth can-i`)
// runs the request's attributes through the same union authorizer every request passes, and
// SelfSubjectReview (`kubectl auth whoami`) echoes the authenticated user. Mirrors
// pkg/registry/authorization/selfsubjectaccessreview and pkg/registry/authentication/selfsubjectreview.
// Simplifies: no SubjectAccessReview for other users, no SelfSubjectRulesReview (`can-i --list`).

import { badRequest, invalid, type FieldError } from '../api/errors.js'
import { nowTimestamp, type KObject } from '../api/meta.js'
import type { ResourceInfo } from '../api/resources.js'
import type { AuthorizationAttributes, Decision, UserInfo } from './auth.js'

interface ResourceAttributes {
  namespace?: string
  verb?: string
  group?: string
  version?: string
  resource?: string
  subresource?: string
  name?: string
}

interface SelfSubjectAccessReview extends KObject {
  spec?: { resourceAttributes?: ResourceAttributes | null; nonResourceAttributes?: { path?: string; verb?: string } | null }
}

/** The union authorizer's verdict for a set of attributes (the API server's own decide()). */
export type Decide = (attrs: AuthorizationAttributes) => Promise<{ decision: Decision; reason?: string; reasons: string[] }>

/** Contract: answers the review `body` for `user`; throws ApiError (400/422) for a malformed one. */
export async function answerReview(info: ResourceInfo, body: unknown, user: UserInfo, decide: Decide): Promise<KObject> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`the body of the request is not a ${info.kind} object`)
  const apiVersion = `${info.group}/${info.version}`
  const metadata = { creationTimestamp: nowTimestamp() }
  if (info.kind === 'SelfSubjectReview') {
    const userInfo = { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) }
    return { apiVersion, kind: info.kind, metadata, status: { userInfo } } as KObject
  }
  const review = body as SelfSubjectAccessReview
  const ra = review.spec?.resourceAttributes ?? undefined
  const nra = review.spec?.nonResourceAttributes ?? undefined
  const errors: FieldError[] = []
  if (!ra && !nra) errors.push({ type: 'FieldValueRequired', field: 'spec.resourceAttributes', detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' })
  if (ra && nra) errors.push({ type: 'FieldValueInvalid', field: 'spec.nonResourceAttributes', value: nra, detail: 'cannot be specified in combination with resourceAttributes' })
  if (errors.length) throw invalid({ group: info.group, kind: info.kind }, '', errors)

  const attrs: AuthorizationAttributes = ra
    ? { user, verb: ra.verb ?? '', isResourceRequest: true, path: '', apiGroup: ra.group ?? '', apiVersion: ra.version ?? '', resource: ra.resource ?? '', subresource: ra.subresource ?? '', namespace: ra.namespace ?? '', name: ra.name ?? '' }
    : { user, verb: nra!.verb ?? '', isResourceRequest: false, path: nra!.path ?? '', apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' }
  const { decision, reason, reasons } = await decide(attrs)
  const status: Record<string, unknown> = { allowed: decision === 'allow' }
  if (decision === 'deny') status.denied = true
  const why = decision === 'allow' ? reason : reasons.filter(Boolean).join(', ')
  if (why) status.reason = why
  return { apiVersion, kind: info.kind, metadata, spec: review.spec, status } as KObject
}
