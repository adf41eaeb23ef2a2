// RBAC authorization: a request is allowed when some rule of a Role or ClusterRole, bound to the
// user (by name), one of its groups, or its service account through a RoleBinding (in the
// request's namespace) or a ClusterRoleBinding, covers its verb, API group, resource (with
// subresource: `pods/status`, `*/scale`), resource name, or non-resource URL. Mirrors
// plugin/pkg/auth/authorizer/rbac (RuleAllows, appliesTo, the "RBAC: allowed by ..." reasons) and
// the privileged-group authorizer that lets `system:masters` do everything.
// It is also the rule resolver upstream's escalation checks and SelfSubjectRulesReview use
// (pkg/registry/rbac/validation DefaultRuleResolver: RulesFor, GetRoleReferenceRules).
// Simplifies: rules are read from the API server's own storage on every decision (no informer
// cache), which the memory store serves in microseconds; aggregated ClusterRoles hold the rules
// the clusterrole-aggregation controller wrote into them, as upstream.

import type { KObject } from '../../api/meta.js'
import type { AuthorizationAttributes, Authorizer, Decision, UserInfo } from '../auth.js'

export interface PolicyRule {
  verbs: string[]
  apiGroups?: string[]
  resources?: string[]
  resourceNames?: string[]
  nonResourceURLs?: string[]
}

export interface Subject {
  kind: string
  name: string
  namespace?: string
  apiGroup?: string
}

export interface RoleRef {
  apiGroup?: string
  kind: string
  name: string
}

export interface RoleObject extends KObject {
  rules?: PolicyRule[]
  aggregationRule?: { clusterRoleSelectors?: unknown[] } | null
}

export interface BindingObject extends KObject {
  subjects?: Subject[]
  roleRef?: RoleRef
}

export type RbacResource = 'roles' | 'rolebindings' | 'clusterroles' | 'clusterrolebindings'

/** Read access to RBAC objects as stored (frozen, never modified by the caller). */
export interface RbacSource {
  list(resource: RbacResource, namespace: string): Promise<readonly KObject[]>
  get(resource: 'roles' | 'clusterroles', namespace: string, name: string): Promise<KObject | undefined>
}

// ---------------------------------------------------------------------------------------------
// rule matching (rbacv1helpers)

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return (rule.verbs ?? []).some((v) => v === '*' || v === verb)
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === '*' || g === group)
}

export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true
    if (subresource && r === `*/${subresource}`) return true
  }
  return false
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? []
  return names.length === 0 || names.includes(name)
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true
    if (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''))) return true
  }
  return false
}

/** Whether one rule allows the request (upstream RuleAllows). */
export function ruleAllows(
  a: Pick<AuthorizationAttributes, 'isResourceRequest' | 'verb' | 'apiGroup' | 'resource' | 'subresource' | 'name' | 'path'>,
  rule: PolicyRule,
): boolean {
  if (a.isResourceRequest) {
    const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource
    return verbMatches(rule, a.verb) && apiGroupMatches(rule, a.apiGroup) && resourceMatches(rule, combined, a.subresource) && resourceNameMatches(rule, a.name)
  }
  return verbMatches(rule, a.verb) && nonResourceURLMatches(rule, a.path)
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`
}

/** Whether a binding subject names the user (upstream appliesToUser). */
export function subjectMatches(subject: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name
    case 'Group':
      return user.groups.includes(subject.name)
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace
      return Boolean(ns) && user.name === serviceAccountUsername(ns, subject.name)
    }
    default:
      return false
  }
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `ServiceAccount "${s.name}/${s.namespace || bindingNamespace}"`
  return `${s.kind} "${s.name}"`
}

// ---------------------------------------------------------------------------------------------
// the authorizer

/** What granted a rule to a user: the binding, its role and the subject that matched. */
export interface RuleSource {
  rule: PolicyRule
  /** `ClusterRoleBinding "x" of ClusterRole "y" to User "alice"`, as upstream's describers. */
  describe: string
}

/** A visit of the rules that apply to a user: a rule with its source, or an error resolving one binding's role. */
export type RuleVisit = RuleSource | { error: string }

/** Every rule a user holds in a namespace, with the errors met resolving them (upstream RulesFor). */
export interface ResolvedRules {
  rules: PolicyRule[]
  errors: string[]
}

/** The rules a user holds, for reviews (SelfSubjectRulesReview) and escalation checks (upstream's RuleResolver). */
export interface RuleResolution {
  resourceRules: PolicyRule[]
  nonResourceRules: PolicyRule[]
  /** True when the resolver cannot list everything the user may do (the Node authorizer). */
  incomplete: boolean
  /** Errors met resolving the rules (a binding whose role is missing); the rules found still count. */
  errors: string[]
}

/** An authorizer that can also list what it would allow (upstream authorizer.RuleResolver). */
export interface RuleResolver {
  resolveRules(user: UserInfo, namespace: string): Promise<RuleResolution> | RuleResolution
}

/**
 * How a missing role is reported: the authorizer reads informer listers, whose NotFound names
 * the singular resource (`clusterrole.rbac.authorization.k8s.io "x" not found`); the RBAC REST
 * storage's resolver reads the registry, which names the plural (`clusterroles.rbac...`).
 */
export type NotFoundStyle = 'lister' | 'registry'

function roleNotFound(kind: 'Role' | 'ClusterRole', name: string, style: NotFoundStyle): string {
  const resource = kind === 'Role' ? 'role' : 'clusterrole'
  return `${style === 'lister' ? resource : `${resource}s`}.rbac.authorization.k8s.io "${name}" not found`
}

/** The aggregate message of errors (utilerrors.NewAggregate(...).Error(): one as is, several deduplicated in brackets). */
export function aggregateMessage(errors: readonly string[]): string {
  const seen = [...new Set(errors)]
  if (errors.length === 1 || seen.length === 1) return seen[0] ?? ''
  return `[${seen.join(', ')}]`
}

export class RBACAuthorizer implements Authorizer, RuleResolver {
  readonly name = 'RBAC'

  constructor(private readonly source: RbacSource) {}

  async authorize(a: AuthorizationAttributes): Promise<{ decision: Decision; reason?: string }> {
    for await (const r of this.visitRulesFor(a.user, a.namespace)) {
      if ('rule' in r && ruleAllows(a, r.rule)) return { decision: 'allow', reason: `RBAC: allowed by ${r.describe}` }
    }
    return { decision: 'noOpinion', reason: '' }
  }

  /**
   * Every rule that applies to the user in `namespace` (cluster-wide rules first), lazily, so a
   * decision stops at the first rule that allows (upstream VisitRulesFor); a binding whose role
   * cannot be found is visited as an error.
   */
  async *visitRulesFor(user: UserInfo, namespace: string, style: NotFoundStyle = 'lister'): AsyncGenerator<RuleVisit> {
    for (const b of (await this.source.list('clusterrolebindings', '')) as BindingObject[]) {
      const subject = (b.subjects ?? []).find((s) => subjectMatches(s, user, ''))
      if (!subject || !b.roleRef) continue
      const { rules, error } = await this.roleReferenceRules(b.roleRef, '', style)
      if (error) {
        yield { error }
        continue
      }
      const describe = `ClusterRoleBinding "${b.metadata?.name}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${describeSubject(subject, '')}`
      for (const rule of rules) yield { rule, describe }
    }
    if (!namespace) return
    for (const b of (await this.source.list('rolebindings', namespace)) as BindingObject[]) {
      const subject = (b.subjects ?? []).find((s) => subjectMatches(s, user, namespace))
      const ref = b.roleRef
      if (!subject || !ref) continue
      const { rules, error } = await this.roleReferenceRules(ref, namespace, style)
      if (error) {
        yield { error }
        continue
      }
      const describe = `RoleBinding "${b.metadata?.name}/${namespace}" of ${ref.kind} "${ref.name}" to ${describeSubject(subject, namespace)}`
      for (const rule of rules) yield { rule, describe }
    }
  }

  /** The rules a binding's roleRef grants in the binding's namespace (upstream GetRoleReferenceRules). */
  async roleReferenceRules(ref: RoleRef, bindingNamespace: string, style: NotFoundStyle = 'registry'): Promise<{ rules: PolicyRule[]; error?: string }> {
    if (ref.kind === 'ClusterRole') {
      const role = (await this.source.get('clusterroles', '', ref.name)) as RoleObject | undefined
      return role ? { rules: role.rules ?? [] } : { rules: [], error: roleNotFound('ClusterRole', ref.name, style) }
    }
    if (ref.kind === 'Role') {
      const role = bindingNamespace ? ((await this.source.get('roles', bindingNamespace, ref.name)) as RoleObject | undefined) : undefined
      return role ? { rules: role.rules ?? [] } : { rules: [], error: roleNotFound('Role', ref.name, style) }
    }
    return { rules: [], error: `unsupported role reference kind: ${JSON.stringify(ref.kind)}` }
  }

  /** Every rule the user holds in `namespace`, and the errors met (upstream DefaultRuleResolver.RulesFor). */
  async rulesFor(user: UserInfo, namespace: string, style: NotFoundStyle = 'registry'): Promise<ResolvedRules> {
    const out: ResolvedRules = { rules: [], errors: [] }
    for await (const v of this.visitRulesFor(user, namespace, style)) {
      if ('rule' in v) out.rules.push(v.rule)
      else out.errors.push(v.error)
    }
    return out
  }

  /** Upstream RBACAuthorizer.RulesFor: resource and non-resource rules, never incomplete. */
  async resolveRules(user: UserInfo, namespace: string): Promise<RuleResolution> {
    const { rules, errors } = await this.rulesFor(user, namespace, 'lister')
    const resourceRules: PolicyRule[] = []
    const nonResourceRules: PolicyRule[] = []
    for (const r of rules) {
      if (r.resources?.length) resourceRules.push({ verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources, resourceNames: r.resourceNames })
      if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })
    }
    return { resourceRules, nonResourceRules, incomplete: false, errors }
  }
}

/**
 * `system:masters` may do anything, whatever the bindings say (upstream's privileged groups
 * authorizer). Like upstream's, it lists no rules in a SelfSubjectRulesReview: the
 * cluster-admin binding of the bootstrap policy is what shows there.
 */
export class PrivilegedGroupsAuthorizer implements Authorizer {
  readonly name = 'PrivilegedGroups'

  constructor(private readonly groups: readonly string[] = ['system:masters']) {}

  authorize(a: AuthorizationAttributes): { decision: Decision } {
    return { decision: a.user.groups.some((g) => this.groups.includes(g)) ? 'allow' : 'noOpinion' }
  }
}
