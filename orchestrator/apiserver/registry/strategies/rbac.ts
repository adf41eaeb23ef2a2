// The four RBAC strategies (pkg/registry/rbac/<kind>/strategy.go and the policy-based storages
// of pkg/registry/rbac/<kind>/policybased): names are path segments, rules and bindings are
// well formed (pkg/apis/rbac/validation), a binding's roleRef cannot change, and, when the API
// server gives its authorizer, no user can grant what it does not hold (authz/escalation.ts).

import type { FieldError } from '../../../api/errors.js'
import { bindingEscalationCheck, roleEscalationCheck, type EscalationDeps } from '../../authz/escalation.js'
import { arr, obj, stable, str, type Json } from '../semantic.js'
import type { Strategy } from '../strategy.js'

function validateRules(rules: unknown, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = []
  arr(rules).forEach((r, i) => {
    const rule = obj(r) ?? {}
    const p = `rules[${i}]`
    if (arr(rule.verbs).length === 0) errors.push({ type: 'FieldValueRequired', field: `${p}.verbs`, detail: 'verbs must contain at least one value' })
    if (arr(rule.nonResourceURLs).length > 0) {
      if (namespaced)
        errors.push({
          type: 'FieldValueInvalid',
          field: `${p}.nonResourceURLs`,
          value: rule.nonResourceURLs,
          detail: 'namespaced rules cannot apply to non-resource URLs',
        })
      if (arr(rule.apiGroups).length || arr(rule.resources).length || arr(rule.resourceNames).length) {
        errors.push({
          type: 'FieldValueInvalid',
          field: `${p}.nonResourceURLs`,
          value: rule.nonResourceURLs,
          detail: 'rules cannot apply to both regular resources and non-resource URLs',
        })
      }
      return
    }
    if (arr(rule.apiGroups).length === 0)
      errors.push({ type: 'FieldValueRequired', field: `${p}.apiGroups`, detail: 'resource rules must supply at least one api group' })
    if (arr(rule.resources).length === 0)
      errors.push({ type: 'FieldValueRequired', field: `${p}.resources`, detail: 'resource rules must supply at least one resource' })
  })
  return errors
}

const SUBJECT_KINDS = ['ServiceAccount', 'User', 'Group']

function validateBinding(o: Json, clusterScoped: boolean, old: Json | undefined): FieldError[] {
  const errors: FieldError[] = []
  const ref = obj(o.roleRef) ?? {}
  const allowedKinds = clusterScoped ? ['ClusterRole'] : ['Role', 'ClusterRole']
  if (!allowedKinds.includes(str(ref.kind)))
    errors.push({ type: 'FieldValueNotSupported', field: 'roleRef.kind', value: ref.kind ?? '', supported: allowedKinds })
  if (ref.apiGroup !== 'rbac.authorization.k8s.io')
    errors.push({ type: 'FieldValueNotSupported', field: 'roleRef.apiGroup', value: ref.apiGroup ?? '', supported: ['rbac.authorization.k8s.io'] })
  if (!str(ref.name)) errors.push({ type: 'FieldValueRequired', field: 'roleRef.name' })
  arr(o.subjects).forEach((s, i) => {
    const sub = obj(s) ?? {}
    const p = `subjects[${i}]`
    if (!str(sub.name)) errors.push({ type: 'FieldValueRequired', field: `${p}.name` })
    if (!SUBJECT_KINDS.includes(str(sub.kind)))
      errors.push({ type: 'FieldValueNotSupported', field: `${p}.kind`, value: sub.kind ?? '', supported: SUBJECT_KINDS })
    if (sub.kind === 'ServiceAccount' && clusterScoped && !str(sub.namespace)) errors.push({ type: 'FieldValueRequired', field: `${p}.namespace` })
  })
  if (old && stable(old.roleRef) !== stable(o.roleRef)) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'roleRef',
      value: o.roleRef,
      shown: `rbac.RoleRef{APIGroup:${JSON.stringify(str(ref.apiGroup))}, Kind:${JSON.stringify(str(ref.kind))}, Name:${JSON.stringify(str(ref.name))}}`,
      detail: 'cannot change roleRef',
    })
  }
  return errors
}

/** The Role, ClusterRole, RoleBinding and ClusterRoleBinding strategies, by `<group>/<Kind>` key. */
export function rbacStrategies(group: string, escalation?: EscalationDeps): Array<[string, Strategy]> {
  return [
    [
      `${group}/Role`,
      {
        nameRule: 'path-segment',
        validate: (o) => validateRules(o.rules, true),
        ...(escalation && { authorizeWrite: roleEscalationCheck(escalation, 'roles') }),
      },
    ],
    [
      `${group}/ClusterRole`,
      {
        nameRule: 'path-segment',
        validate: (o) => validateRules(o.rules, false),
        ...(escalation && { authorizeWrite: roleEscalationCheck(escalation, 'clusterroles') }),
      },
    ],
    [
      `${group}/RoleBinding`,
      {
        nameRule: 'path-segment',
        validate: (o, old) => validateBinding(o as Json, false, old as Json | undefined),
        ...(escalation && { authorizeWrite: bindingEscalationCheck(escalation, 'rolebindings') }),
      },
    ],
    [
      `${group}/ClusterRoleBinding`,
      {
        nameRule: 'path-segment',
        validate: (o, old) => validateBinding(o as Json, true, old as Json | undefined),
        ...(escalation && { authorizeWrite: bindingEscalationCheck(escalation, 'clusterrolebindings') }),
      },
    ],
  ]
}
