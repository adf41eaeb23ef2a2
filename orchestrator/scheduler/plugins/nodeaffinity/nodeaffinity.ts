// NodeAffinity: the pod's nodeSelector (every label must match) and its required node
// affinity (terms ORed, expressions within a term ANDed; operators In, NotIn, Exists,
// DoesNotExist, Gt, Lt; matchFields on metadata.name) filter nodes; preferred node affinity
// terms add their weights to the nodes they match (Score, normalized to 0..100).
// Mirrors pkg/scheduler/framework/plugins/nodeaffinity and
// component-helpers/scheduling/corev1/nodeaffinity.

import { Selector, type Operator, type Requirement } from '../../../api/selectors.js'
import type { NodeSelectorRequirement, NodeSelectorTerm } from '../../../api/types.js'
import {
  MAX_NODE_SCORE,
  Status,
  defaultNormalizeScore,
  type CycleState,
  type FilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/interface.js'
import type { NodeInfo, PodInfo } from '../../framework/nodeinfo.js'

export const NAME = 'NodeAffinity'
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector"

interface CompiledTerm {
  labels: Selector
  fields: Selector
  /** An empty term (no expressions, no fields) matches no node, as upstream. */
  empty: boolean
}

interface State {
  nodeSelector?: Selector
  required?: CompiledTerm[]
  preferred: { weight: number; term: CompiledTerm }[]
}

function requirements(exprs: readonly NodeSelectorRequirement[] | undefined): Requirement[] {
  return (exprs ?? []).map((e) => ({ key: e.key, operator: e.operator as Operator, values: [...(e.values ?? [])] }))
}

export function compileTerm(t: NodeSelectorTerm): CompiledTerm {
  const labels = requirements(t.matchExpressions)
  const fields = requirements(t.matchFields)
  return { labels: new Selector(labels), fields: new Selector(fields), empty: labels.length === 0 && fields.length === 0 }
}

export function termMatches(t: CompiledTerm, node: NodeInfo): boolean {
  if (t.empty) return false
  return t.labels.matches(node.labels) && t.fields.matches({ 'metadata.name': node.name })
}

function compile(pod: PodInfo): State {
  const spec = pod.pod.spec
  const state: State = { preferred: [] }
  if (spec?.nodeSelector && Object.keys(spec.nodeSelector).length) {
    state.nodeSelector = new Selector(Object.entries(spec.nodeSelector).map(([key, v]) => ({ key, operator: 'In' as const, values: [v] })))
  }
  const na = spec?.affinity?.nodeAffinity
  const req = na?.requiredDuringSchedulingIgnoredDuringExecution
  if (req) state.required = req.nodeSelectorTerms.map(compileTerm)
  for (const p of na?.preferredDuringSchedulingIgnoredDuringExecution ?? []) state.preferred.push({ weight: p.weight, term: compileTerm(p.preference) })
  return state
}

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME

  preFilter(state: CycleState, pod: PodInfo): Status {
    const s = compile(pod)
    state.write(NAME, s)
    return s.nodeSelector || s.required ? Status.SUCCESS : Status.SKIP
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const s = state.read<State>(NAME) ?? compile(pod)
    if (s.nodeSelector && !s.nodeSelector.matches(node.labels)) return Status.unresolvable(ERR_REASON_POD)
    if (s.required && !s.required.some((t) => termMatches(t, node))) return Status.unresolvable(ERR_REASON_POD)
    return Status.SUCCESS
  }

  /** Nothing to score without preferred terms (every node would get 0). */
  preScore(state: CycleState, pod: PodInfo): Status {
    const s = state.read<State>(NAME) ?? compile(pod)
    state.write(NAME, s)
    return s.preferred.length ? Status.SUCCESS : Status.SKIP
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const s = state.read<State>(NAME) ?? compile(pod)
    let total = 0
    for (const p of s.preferred) if (termMatches(p.term, node)) total += p.weight
    return total
  }

  normalizeScore(_s: CycleState, _pod: PodInfo, scores: number[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores)
  }
}
