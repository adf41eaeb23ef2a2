// RBAC authorization: a request is allowed when some rule of a Role or ClusterRole, bound to the
// user (by name), one of its groups, or its service account through a RoleBinding (in the
// request's namespace) or a ClusterRoleBinding, covers its verb, API group, resource (with
// subresource: `pods/status`, `*/scale`), resource name, or non-resource URL. Mirrors
// plugin/pkg/auth/authorizer/rbac (RuleAllows, appliesTo, the "RBAC: allowed by ..." reasons) and
// the privileged-group authorizer that lets `system:masters` do everything.
// Simplifies: no aggregation rules (bootstrap roles are written flat); rules are read from the
// API server's own storage on every decision (no informer cache), which the memory store serves
// in microseconds.

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

interface RoleObject extends KObject {
  rules?: PolicyRule[]
}

interface BindingObject extends KObject {
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
export function ruleAllows(a: Pick<AuthorizationAttributes, 'isResourceRequest' | 'verb' | 'apiGroup' | 'resource' | 'subresource' | 'name' | 'path'>, rule: PolicyRule): boolean {
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

export class RBACAuthorizer implements Authorizer {
  readonly name = 'RBAC'

  constructor(private readonly source: RbacSource) {}

  async authorize(a: AuthorizationAttributes): Promise<{ decision: Decision; reason?: string }> {
    for await (const r of this.rulesFor(a.user, a.namespace)) {
      if (ruleAllows(a, r.rule)) return { decision: 'allow', reason: `RBAC: allowed by ${r.describe}` }
    }
    return { decision: 'noOpinion', reason: '' }
  }

  /**
   * Every rule that applies to the user in `namespace` (cluster-wide rules first), lazily, so a
   * decision stops at the first rule that allows (upstream VisitRulesFor).
   */
  async *rulesFor(user: UserInfo, namespace: string): AsyncGenerator<RuleSource> {
    for (const b of (await this.source.list('clusterrolebindings', '')) as BindingObject[]) {
      const subject = (b.subjects ?? []).find((s) => subjectMatches(s, user, ''))
      if (!subject || b.roleRef?.kind !== 'ClusterRole') continue
      const role = (await this.source.get('clusterroles', '', b.roleRef.name)) as RoleObject | undefined
      const describe = `ClusterRoleBinding "${b.metadata?.name}" of ClusterRole "${b.roleRef.name}" to ${describeSubject(subject, '')}`
      for (const rule of role?.rules ?? []) yield { rule, describe }
    }
    if (!namespace) return
    for (const b of (await this.source.list('rolebindings', namespace)) as BindingObject[]) {
      const subject = (b.subjects ?? []).find((s) => subjectMatches(s, user, namespace))
      const ref = b.roleRef
      if (!subject || !ref) continue
      const role = (ref.kind === 'ClusterRole'
        ? await this.source.get('clusterroles', '', ref.name)
        : ref.kind === 'Role'
          ? await this.source.get('roles', namespace, ref.name)
          : undefined) as RoleObject | undefined
      const describe = `RoleBinding "${b.metadata?.name}/${namespace}" of ${ref.kind} "${ref.name}" to ${describeSubject(subject, namespace)}`
      for (const rule of role?.rules ?? []) yield { rule, describe }
    }
  }
}

/** `system:masters` may do anything, whatever the bindings say (upstream's privileged groups authorizer). */
export class PrivilegedGroupsAuthorizer implements Authorizer {
  readonly name = 'PrivilegedGroups'

  constructor(private readonly groups: readonly string[] = ['system:masters']) {}

  authorize(a: AuthorizationAttributes): { decision: Decision } {
    return { decision: a.user.groups.some((g) => this.groups.includes(g)) ? 'allow' : 'noOpinion' }
  }
}
