// Reviews: objects a client creates to ask the API server a question about itself, answered
// at once and never stored. SelfSubjectAccessReview ("may I do this?", `kubectl auth can-i`)
// runs the request's attributes through the same union authorizer every request passes, and
// SelfSubjectRulesReview (`kubectl auth can-i --list`) lists the rules every authorizer that
// can enumerate its rules grants the caller in a namespace (RBAC; the Node authorizer says its
// answer is incomplete), and SelfSubjectReview (`kubectl auth whoami`) echoes the authenticated
// user. Mirrors pkg/registry/authorization/selfsubjectaccessreview,
// pkg/registry/authorization/selfsubjectrulesreview (with the union rule resolver of
// k8s.io/apiserver/pkg/authorization/union) and pkg/registry/authentication/selfsubjectreview.
// Simplifies: no SubjectAccessReview for other users.

import { badRequest, invalid, type FieldError } from '../../api/errors.js'
import { nowTimestamp, type KObject } from '../../api/meta.js'
import type { ResourceInfo } from '../../api/resources.js'
import type { AuthorizationAttributes, Authorizer, Decision, UserInfo } from '../auth.js'
import { aggregateMessage, type PolicyRule, type RuleResolver } from '../authz/rbac.js'

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

/**
 * Contract: answers the review `body` for `user`; throws ApiError (400/422) for a malformed one.
 * `authorizers` are the API server's, in order: those that can list their rules answer a
 * SelfSubjectRulesReview.
 */
export async function answerReview(
  info: ResourceInfo,
  body: unknown,
  user: UserInfo,
  decide: Decide,
  authorizers: readonly Authorizer[] = [],
): Promise<KObject> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`the body of the request is not a ${info.kind} object`)
  const apiVersion = `${info.group}/${info.version}`
  if (info.kind === 'SelfSubjectRulesReview') return answerRulesReview(apiVersion, body as SelfSubjectRulesReview, user, authorizers)
  const metadata = { creationTimestamp: nowTimestamp() }
  if (info.kind === 'SelfSubjectReview') {
    const userInfo = { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) }
    return { apiVersion, kind: info.kind, metadata, status: { userInfo } } as KObject
  }
  const review = body as SelfSubjectAccessReview
  const ra = review.spec?.resourceAttributes ?? undefined
  const nra = review.spec?.nonResourceAttributes ?? undefined
  const errors: FieldError[] = []
  if (!ra && !nra)
    errors.push({
      type: 'FieldValueRequired',
      field: 'spec.resourceAttributes',
      detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified',
    })
  if (ra && nra)
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.nonResourceAttributes',
      value: nra,
      detail: 'cannot be specified in combination with resourceAttributes',
    })
  if (errors.length) throw invalid({ group: info.group, kind: info.kind }, '', errors)

  const attrs: AuthorizationAttributes = ra
    ? {
        user,
        verb: ra.verb ?? '',
        isResourceRequest: true,
        path: '',
        apiGroup: ra.group ?? '',
        apiVersion: ra.version ?? '',
        resource: ra.resource ?? '',
        subresource: ra.subresource ?? '',
        namespace: ra.namespace ?? '',
        name: ra.name ?? '',
      }
    : {
        user,
        verb: nra!.verb ?? '',
        isResourceRequest: false,
        path: nra!.path ?? '',
        apiGroup: '',
        apiVersion: '',
        resource: '',
        subresource: '',
        namespace: '',
        name: '',
      }
  const { decision, reason, reasons } = await decide(attrs)
  const status: Record<string, unknown> = { allowed: decision === 'allow' }
  if (decision === 'deny') status.denied = true
  const why = decision === 'allow' ? reason : reasons.filter(Boolean).join(', ')
  if (why) status.reason = why
  return { apiVersion, kind: info.kind, metadata, spec: review.spec, status } as KObject
}

interface SelfSubjectRulesReview extends KObject {
  spec?: { namespace?: string } | null
}

function isRuleResolver(a: Authorizer): a is Authorizer & RuleResolver {
  return typeof (a as Partial<RuleResolver>).resolveRules === 'function'
}

/**
 * Upstream selfsubjectrulesreview REST Create: the namespace is required (400 "no namespace on
 * request"); the rules of every resolver are listed in authorizer order; `incomplete` when any
 * resolver cannot enumerate, and the resolvers' errors (deduplicated) in evaluationError.
 */
async function answerRulesReview(apiVersion: string, review: SelfSubjectRulesReview, user: UserInfo, authorizers: readonly Authorizer[]): Promise<KObject> {
  const namespace = typeof review.spec?.namespace === 'string' ? review.spec.namespace : ''
  if (!namespace) throw badRequest('no namespace on request')
  const resourceRules: PolicyRule[] = []
  const nonResourceRules: PolicyRule[] = []
  const errors: string[] = []
  let incomplete = false
  for (const a of authorizers.filter(isRuleResolver)) {
    const r = await a.resolveRules(user, namespace)
    resourceRules.push(...r.resourceRules)
    nonResourceRules.push(...r.nonResourceRules)
    errors.push(...r.errors)
    incomplete ||= r.incomplete
  }
  const status: Record<string, unknown> = {
    resourceRules: resourceRules.map((r) => ({
      verbs: r.verbs ?? [],
      ...(r.apiGroups?.length ? { apiGroups: r.apiGroups } : {}),
      ...(r.resources?.length ? { resources: r.resources } : {}),
      ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
    })),
    nonResourceRules: nonResourceRules.map((r) => ({ verbs: r.verbs ?? [], ...(r.nonResourceURLs?.length ? { nonResourceURLs: r.nonResourceURLs } : {}) })),
    incomplete,
  }
  if (errors.length) status.evaluationError = aggregateMessage(errors)
  return { apiVersion, kind: 'SelfSubjectRulesReview', metadata: {}, spec: {}, status } as KObject
}
