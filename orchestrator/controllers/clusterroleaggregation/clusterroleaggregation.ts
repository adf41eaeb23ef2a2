// The clusterrole-aggregation controller: the rules of a ClusterRole with an aggregationRule are
// the union of the rules of every other ClusterRole its selectors match (in name order, without
// duplicates), written by this controller and by nothing else: rules a user writes into an
// aggregated role are overwritten at the next sync. Any ClusterRole change re-syncs every
// aggregated role, so chains (view into edit into admin) settle. Mirrors
// pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go (syncClusterRole,
// ruleExists, enqueue), which kube-controller-manager runs as "clusterrole-aggregation".
// Simplifies: writes with an update (upstream's fallback when server-side apply is not there)
// instead of an apply with the controller's field manager.

import { ApiError } from '../../api/errors.js'
import type { KObject, LabelSelector } from '../../api/meta.js'
import { lookupResource } from '../../api/resources.js'
import { fromLabelSelector } from '../../api/selectors.js'
import { refFor, type ReadWriter } from '../../client/client.js'
import type { Informer } from '../../client/informer.js'
import { Controller, type Reconciler } from '../controller.js'
import type { ControllerContext } from '../controller.js'

const CLUSTER_ROLES = lookupResource('rbac.authorization.k8s.io', 'clusterroles')!

export interface PolicyRule {
  verbs?: string[]
  apiGroups?: string[]
  resources?: string[]
  resourceNames?: string[]
  nonResourceURLs?: string[]
}

export interface ClusterRole extends KObject {
  rules?: PolicyRule[] | null
  aggregationRule?: { clusterRoleSelectors?: LabelSelector[] | null } | null
}

const RULE_FIELDS = ['apiGroups', 'nonResourceURLs', 'resourceNames', 'resources', 'verbs'] as const

/** A rule as equality.Semantic sees it: empty and missing lists are the same. */
function ruleKey(r: PolicyRule): string {
  return JSON.stringify(RULE_FIELDS.map((f) => (r[f]?.length ? r[f] : null)))
}

function rulesEqual(a: readonly PolicyRule[] | null | undefined, b: readonly PolicyRule[] | null | undefined): boolean {
  const x = a ?? []
  const y = b ?? []
  return x.length === y.length && x.every((r, i) => ruleKey(r) === ruleKey(y[i]!))
}

/**
 * The rules an aggregated ClusterRole should hold given every ClusterRole there is: for each
 * selector in order, the rules of the matching roles (by name, the role itself excepted) not
 * seen before. Undefined for a role without an aggregationRule.
 */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] | undefined {
  if (!role.aggregationRule) return undefined
  const out: PolicyRule[] = []
  const seen = new Set<string>()
  for (const sel of role.aggregationRule.clusterRoleSelectors ?? []) {
    const selector = fromLabelSelector(sel)
    const matching = all
      .filter((r) => r.metadata?.name !== role.metadata?.name && selector.matches(r.metadata?.labels))
      .sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1))
    for (const r of matching) {
      for (const rule of r.rules ?? []) {
        const key = ruleKey(rule)
        if (seen.has(key)) continue
        seen.add(key)
        out.push(structuredClone(rule))
      }
    }
  }
  return out
}

export class ClusterRoleAggregationController implements Reconciler {
  readonly name = 'clusterrole-aggregation-controller'
  private readonly client: ReadWriter
  private readonly roles: Informer<ClusterRole>
  private readonly controller: Controller

  constructor(ctx: ControllerContext) {
    this.client = ctx.client
    this.roles = ctx.informers.informer<ClusterRole>(CLUSTER_ROLES)
    this.controller = new Controller(this, { workers: 1 })
    // any change of any ClusterRole may change what an aggregated one gathers
    this.roles.on({ add: () => this.enqueueAggregated(), update: () => this.enqueueAggregated(), delete: () => this.enqueueAggregated() })
  }

  private enqueueAggregated(): void {
    for (const r of this.roles.list()) if (r.aggregationRule) this.controller.enqueue(r.metadata?.name ?? '')
  }

  async start(): Promise<void> {
    this.controller.start()
    this.enqueueAggregated()
  }

  async stop(): Promise<void> {
    await this.controller.stop()
  }

  async reconcile(name: string): Promise<void> {
    const role = this.roles.get(name)
    if (!role) return
    const want = aggregatedRules(role, this.roles.list())
    if (want === undefined || rulesEqual(want, role.rules)) return
    const next: ClusterRole = { ...structuredClone(role), rules: want }
    try {
      await this.client.update(refFor(CLUSTER_ROLES, undefined, name), next)
    } catch (e) {
      // gone meanwhile: nothing to aggregate; a conflict is retried with the informer's newer copy
      if (e instanceof ApiError && e.code === 404) return
      throw e
    }
  }
}
