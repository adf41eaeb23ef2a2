// Privilege escalation prevention for RBAC objects: a subject may create or update a Role or
// ClusterRole only if it already holds every permission the role grants (in the request's
// namespace, cluster-wide rules included) or may `escalate` that role resource, and a
// ClusterRole with an aggregationRule needs full authority (`*` on everything, or `escalate`);
// it may create or update a RoleBinding or ClusterRoleBinding only if it may `bind` the
// referenced role (in the binding's namespace) or already holds every permission of it.
// system:masters (the API server's own loopback identity included) is never checked. Refusals
// are 403 Forbidden with upstream's wording (`user "x" (groups=[...]) is attempting to grant
// RBAC permissions not currently held:` and the missing rules, compacted).
// Mirrors pkg/registry/rbac/escalation_check.go (EscalationAllowed, RoleEscalationAuthorized,
// BindingAuthorized), the policybased storages of role, clusterrole, rolebinding and
// clusterrolebinding (the check runs after mutating admission and before the strategy
// validates, as their Create/Update wrappers do), pkg/registry/rbac/validation (ConfirmNoEscalation,
// Covers, BreakdownRule, CompactRules) and rbacv1helpers.CompactString.
// Simplifies: the request URL's name is known only for updates (a server-side-apply create asks
// `escalate` without the name, where upstream would pass it).

import { forbidden, notFound } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import type { RequestContext, StorageHooks } from '../registry/strategy.js'

type AuthorizeWrite = NonNullable<StorageHooks['authorizeWrite']>
import type { AuthorizationAttributes, Decision, UserInfo } from '../auth.js'
import type { BindingObject, PolicyRule, RoleObject, RoleRef } from './rbac.js'

const RBAC_GROUP = 'rbac.authorization.k8s.io'
const PRIVILEGED_GROUP = 'system:masters'

// ---------------------------------------------------------------------------------------------
// Covers (pkg/registry/rbac/validation/policy_comparator.go)

const has = (set: readonly string[] | undefined, v: string): boolean => (set ?? []).includes(v)
const hasAll = (set: readonly string[] | undefined, want: readonly string[] | undefined): boolean => (want ?? []).every((w) => has(set, w))

/** Splits a rule into rules of one group, resource, verb and (if any) resource name each; URL rules into one URL and verb each. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = []
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        if (rule.resourceNames?.length) {
          for (const name of rule.resourceNames) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] })
        } else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] })
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs ?? []) out.push({ nonResourceURLs: [url], verbs: [verb] })
  return out
}

function resourceCoversAll(owner: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  if (has(owner, '*') || hasAll(owner, wanted)) return true
  for (const path of wanted ?? []) {
    if (has(owner, path)) continue
    const slash = path.indexOf('/')
    if (slash < 0) return false
    if (!has(owner, `*/${path.slice(slash + 1)}`)) return false
  }
  return true
}

function nonResourceURLCovers(owner: string, sub: string): boolean {
  return owner === sub || (owner.endsWith('*') && sub.startsWith(owner.replace(/\*+$/, '')))
}

/** Whether an owner rule covers a broken-down rule (upstream ruleCovers). */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, '*') || hasAll(owner.verbs, sub.verbs)
  const groups = has(owner.apiGroups, '*') || hasAll(owner.apiGroups, sub.apiGroups)
  const resources = resourceCoversAll(owner.resources, sub.resources)
  const urls = (sub.nonResourceURLs ?? []).every((p) => (owner.nonResourceURLs ?? []).some((o) => nonResourceURLCovers(o, p)))
  const names = sub.resourceNames?.length ? !owner.resourceNames?.length || hasAll(owner.resourceNames, sub.resourceNames) : !owner.resourceNames?.length
  return verbs && groups && resources && names && urls
}

/** Whether `owner` rules cover every `servant` rule, and the broken-down rules they miss (upstream Covers). */
export function covers(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing: PolicyRule[] = []
  for (const sub of servant.flatMap(breakdownRule)) if (!owner.some((o) => ruleCovers(o, sub))) missing.push(sub)
  return { covered: missing.length === 0, missing }
}

/** Merges rules of one group, one resource and at most one name that differ only by verb (upstream CompactRules). */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const compacted: PolicyRule[] = []
  const simple = new Map<string, PolicyRule>()
  for (const r of rules) {
    const isSimple = !r.nonResourceURLs?.length && (r.resourceNames?.length ?? 0) <= 1 && r.apiGroups?.length === 1 && r.resources?.length === 1
    if (!isSimple) {
      compacted.push(r)
      continue
    }
    const key = JSON.stringify([r.apiGroups![0], r.resources![0], r.resourceNames?.[0] ?? null])
    const existing = simple.get(key)
    if (existing) existing.verbs = [...existing.verbs, ...(r.verbs ?? [])]
    else simple.set(key, { ...r, verbs: [...(r.verbs ?? [])] })
  }
  return [...compacted, ...simple.values()]
}

/** Go's %q of a string. */
export function goQuote(s: string): string {
  return JSON.stringify(s)
    .replace(/\\u00([0-9a-f]{2})/g, '\\x$1')
    .replace(/\u007f/g, '\\x7f')
}

/** Go's %q of a []string: `["a" "b"]`. */
export function goQuoteList(list: readonly string[]): string {
  return `[${list.map(goQuote).join(' ')}]`
}

/** A rule as escalation messages show it: `{APIGroups:["*"], Resources:["*"], Verbs:["*"]}` (rbacv1helpers.CompactString). */
export function compactString(r: PolicyRule): string {
  const parts: string[] = []
  if (r.apiGroups?.length) parts.push(`APIGroups:${goQuoteList(r.apiGroups)}`)
  if (r.resources?.length) parts.push(`Resources:${goQuoteList(r.resources)}`)
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuoteList(r.nonResourceURLs)}`)
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goQuoteList(r.resourceNames)}`)
  if (r.verbs?.length) parts.push(`Verbs:${goQuoteList(r.verbs)}`)
  return `{${parts.join(', ')}}`
}

/** Go's sort of strings: by UTF-8 bytes. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

/**
 * Upstream ConfirmNoEscalation: undefined when `owner` (the rules the user holds in the
 * request's namespace) covers `rules`, else the message naming what is missing (sorted,
 * deduplicated) and, if resolving the user's own rules met errors, those.
 */
export function escalationMessage(
  user: Pick<UserInfo, 'name' | 'groups'>,
  owner: readonly PolicyRule[],
  resolutionErrors: readonly string[],
  rules: readonly PolicyRule[],
): string | undefined {
  const { covered, missing } = covers(owner, rules)
  if (covered) return undefined
  const descriptions = [...new Set(compactRules(missing).map(compactString))].sort(byteOrder)
  let msg = `user ${goQuote(user.name)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${descriptions.join('\n')}`
  if (resolutionErrors.length) msg += `; resolution errors: [${aggregate(resolutionErrors)}]`
  return msg
}

function aggregate(errors: readonly string[]): string {
  const seen = [...new Set(errors)]
  return seen.length === 1 ? seen[0]! : `[${seen.join(', ')}]`
}

// ---------------------------------------------------------------------------------------------
// the storage hooks

/** What the checks need from the API server: its union authorizer and the RBAC rule resolver. */
export interface EscalationDeps {
  /** The API server's authorizer (every mode, as upstream hands the policy-based storages). */
  authorize(attrs: AuthorizationAttributes): Promise<{ decision: Decision }>
  /** The rules a user holds in a namespace and the errors met resolving them (RBAC only). */
  rulesFor(user: UserInfo, namespace: string): Promise<{ rules: PolicyRule[]; errors: string[] }>
  /** The rules a roleRef grants in a binding's namespace, or the error to answer (404 when the role is missing). */
  roleReferenceRules(ref: RoleRef, namespace: string): Promise<{ rules: PolicyRule[]; error?: string }>
}

/** Upstream EscalationAllowed: members of system:masters (the API server's loopback identity is one) are never checked. */
export function escalationAllowed(user: Pick<UserInfo, 'groups'>): boolean {
  return user.groups.includes(PRIVILEGED_GROUP)
}

function attrs(user: UserInfo, verb: string, resource: string, namespace: string, name: string, apiGroup = RBAC_GROUP): AuthorizationAttributes {
  return { user, verb, isResourceRequest: true, path: '', apiGroup, apiVersion: '*', resource, subresource: '', namespace, name }
}

/** Upstream RoleEscalationAuthorized: may the user `escalate` this role resource (request namespace and URL name)? */
async function roleEscalationAuthorized(
  deps: EscalationDeps,
  user: UserInfo,
  resource: 'roles' | 'clusterroles',
  namespace: string,
  urlName: string,
): Promise<boolean> {
  return (await deps.authorize(attrs(user, 'escalate', resource, namespace, urlName))).decision === 'allow'
}

/** Upstream BindingAuthorized: may the user `bind` the referenced role in the binding's namespace? */
async function bindingAuthorized(deps: EscalationDeps, user: UserInfo, ref: RoleRef, bindingNamespace: string): Promise<boolean> {
  const resource = ref.kind === 'ClusterRole' ? 'clusterroles' : ref.kind === 'Role' ? 'roles' : undefined
  if (!resource) return false
  return (await deps.authorize(attrs(user, 'bind', resource, bindingNamespace, ref.name, ref.apiGroup ?? ''))).decision === 'allow'
}

/** Upstream IsOnlyMutatingGCFields: an update that only changes owner references and finalizers (the garbage collector's) is not checked. */
export function onlyMutatesGCFields(next: KObject, old: KObject | undefined): boolean {
  if (!old) return false
  const plain = (o: KObject, from: KObject): string => {
    const { resourceVersion: _rv, ...meta } = {
      ...o.metadata,
      ownerReferences: from.metadata?.ownerReferences,
      finalizers: from.metadata?.finalizers,
      managedFields: (from.metadata as { managedFields?: unknown } | undefined)?.managedFields,
    }
    return canonical({ ...o, metadata: meta })
  }
  return plain(next, old) === plain(old, old)
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v)
}

const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
]

function hasAggregationRule(o: KObject | undefined): boolean {
  return ((o as RoleObject | undefined)?.aggregationRule?.clusterRoleSelectors?.length ?? 0) > 0
}

/** The check of a Role or ClusterRole write (role/policybased and clusterrole/policybased Create and Update). */
export function roleEscalationCheck(deps: EscalationDeps, resource: 'roles' | 'clusterroles'): AuthorizeWrite {
  const gr = { group: RBAC_GROUP, resource }
  return async (ctx: RequestContext, operation, namespace, urlName, obj, old) => {
    const user = ctx.user
    if (escalationAllowed(user) || (await roleEscalationAuthorized(deps, user, resource, namespace, urlName))) return
    if (operation === 'UPDATE' && onlyMutatesGCFields(obj, old)) return
    const name = obj.metadata?.name ?? ''
    const { rules: owner, errors } = await deps.rulesFor(user, namespace)
    const why = escalationMessage(user, owner, errors, (obj as RoleObject).rules ?? [])
    if (why) throw forbidden(gr, name, why)
    // an aggregationRule can gather anything: setting or changing one needs full authority
    if (resource === 'clusterroles' && (hasAggregationRule(obj) || (operation === 'UPDATE' && hasAggregationRule(old)))) {
      if (escalationMessage(user, owner, errors, FULL_AUTHORITY)) throw forbidden(gr, name, 'must have cluster-admin privileges to use the aggregationRule')
    }
  }
}

/** The check of a RoleBinding or ClusterRoleBinding write (rolebinding/policybased and clusterrolebinding/policybased). */
export function bindingEscalationCheck(deps: EscalationDeps, resource: 'rolebindings' | 'clusterrolebindings'): AuthorizeWrite {
  const gr = { group: RBAC_GROUP, resource }
  return async (ctx: RequestContext, operation, namespace, _urlName, obj, old) => {
    const user = ctx.user
    if (escalationAllowed(user)) return
    if (operation === 'UPDATE' && onlyMutatesGCFields(obj, old)) return
    const ref = (obj as BindingObject).roleRef
    // a missing or unsupported roleRef is validation's to refuse (422), not a 500 as upstream's resolver error would be
    if (!ref || (ref.kind !== 'Role' && ref.kind !== 'ClusterRole') || typeof ref.name !== 'string' || !ref.name) return
    if (await bindingAuthorized(deps, user, ref, namespace)) return
    // the referenced role must exist: its rules are what the binding grants
    const { rules, error } = await deps.roleReferenceRules(ref, namespace)
    if (error) throw notFound({ group: RBAC_GROUP, resource: ref.kind === 'Role' ? 'roles' : 'clusterroles' }, ref.name)
    const { rules: owner, errors } = await deps.rulesFor(user, namespace)
    const why = escalationMessage(user, owner, errors, rules)
    if (why) throw forbidden(gr, obj.metadata?.name ?? '', why)
  }
}
