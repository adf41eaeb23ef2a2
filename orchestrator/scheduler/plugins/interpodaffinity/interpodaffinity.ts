// InterPodAffinity: "run this pod in a topology domain (a node, a zone: the value of the node
// label named by topologyKey) that already runs pods matching a selector" (affinity), or "that
// runs none" (anti-affinity). Required terms filter nodes; existing pods' required
// anti-affinity also keeps matching newcomers away (symmetry); preferred terms add or subtract
// their weights per domain (Score, normalized to 0..100). The first pod of a group that has
// affinity to its own labels may go anywhere, or nothing would ever start.
// Mirrors pkg/scheduler/framework/plugins/interpodaffinity (filtering.go, scoring.go), with
// hardPodAffinityWeight 1. Simplifies: namespaceSelector is "all namespaces" when empty and
// otherwise ignored in favour of the namespaces list.

import {
  Status,
  MAX_NODE_SCORE,
  type CycleState,
  type FilterPlugin,
  type Handle,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/interface.js'
import { termMatches, type AffinityTerm, type NodeInfo, type PodInfo } from '../../framework/nodeinfo.js'

export const NAME = 'InterPodAffinity'
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules"
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"

const HARD_POD_AFFINITY_WEIGHT = 1

/** Counts per topology domain: topologyKey -> value -> count. */
type Counts = Map<string, Map<string, number>>

function bump(c: Counts, key: string, value: string, by: number): void {
  let byValue = c.get(key)
  if (!byValue) c.set(key, (byValue = new Map()))
  byValue.set(value, (byValue.get(value) ?? 0) + by)
}

function count(c: Counts, key: string, value: string | undefined): number {
  return value === undefined ? 0 : (c.get(key)?.get(value) ?? 0)
}

interface FilterState {
  existingAntiAffinity: Counts
  affinity: Counts
  antiAffinity: Counts
  affinityCountsEmpty: boolean
}

interface ScoreState {
  scores: Counts
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME

  constructor(private readonly handle: Handle) {}

  preFilter(state: CycleState, pod: PodInfo): Status {
    const s: FilterState = { existingAntiAffinity: new Map(), affinity: new Map(), antiAffinity: new Map(), affinityCountsEmpty: true }
    for (const node of this.handle.nodesWithRequiredAntiAffinityPods()) {
      for (const existing of node.podsWithRequiredAntiAffinity) {
        if (existing.uid === pod.uid) continue
        for (const t of existing.requiredAntiAffinity) {
          const v = node.labels[t.topologyKey]
          if (v !== undefined && termMatches(t, pod.pod)) bump(s.existingAntiAffinity, t.topologyKey, v, 1)
        }
      }
    }
    const hasOwn = pod.requiredAffinity.length > 0 || pod.requiredAntiAffinity.length > 0
    if (hasOwn) {
      for (const node of this.handle.nodeInfos()) {
        if (!node.pods.size) continue
        for (const existing of node.pods.values()) {
          if (existing.uid === pod.uid) continue
          if (pod.requiredAffinity.length && pod.requiredAffinity.every((t) => termMatches(t, existing.pod))) {
            for (const t of pod.requiredAffinity) {
              const v = node.labels[t.topologyKey]
              if (v !== undefined) {
                bump(s.affinity, t.topologyKey, v, 1)
                s.affinityCountsEmpty = false
              }
            }
          }
          for (const t of pod.requiredAntiAffinity) {
            const v = node.labels[t.topologyKey]
            if (v !== undefined && termMatches(t, existing.pod)) bump(s.antiAffinity, t.topologyKey, v, 1)
          }
        }
      }
    }
    if (!hasOwn && s.existingAntiAffinity.size === 0) return Status.SKIP
    state.write(NAME, s)
    return Status.SUCCESS
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const s = state.read<FilterState>(NAME)
    if (!s) return Status.SUCCESS
    // upstream's order: the pod's affinity, its anti-affinity, then existing pods' anti-affinity
    if (!satisfiesAffinity(s, pod, node)) return Status.unresolvable(ERR_REASON_AFFINITY)
    for (const t of pod.requiredAntiAffinity) {
      if (count(s.antiAffinity, t.topologyKey, node.labels[t.topologyKey]) > 0) return Status.unschedulable(ERR_REASON_ANTI_AFFINITY)
    }
    for (const [key, byValue] of s.existingAntiAffinity) {
      const v = node.labels[key]
      if (v !== undefined && (byValue.get(v) ?? 0) > 0) return Status.unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY)
    }
    return Status.SUCCESS
  }

  preScore(state: CycleState, pod: PodInfo): Status {
    const hasPreferred = pod.preferredAffinity.length > 0 || pod.preferredAntiAffinity.length > 0
    // without preferred terms of its own, only pods with affinity terms can matter (symmetry)
    const nodes = hasPreferred ? this.handle.nodeInfos() : this.handle.nodesWithAffinityPods()
    if (!hasPreferred && nodes.length === 0) return Status.SKIP
    const scores: Counts = new Map()
    const add = (t: AffinityTerm, node: NodeInfo, w: number): void => {
      const v = node.labels[t.topologyKey]
      if (v !== undefined) bump(scores, t.topologyKey, v, w)
    }
    for (const node of nodes) {
      const existingPods = hasPreferred ? node.pods.values() : node.podsWithAffinity.values()
      for (const existing of existingPods) {
        if (existing.uid === pod.uid) continue
        for (const t of pod.preferredAffinity) if (termMatches(t, existing.pod)) add(t, node, t.weight)
        for (const t of pod.preferredAntiAffinity) if (termMatches(t, existing.pod)) add(t, node, -t.weight)
        for (const t of existing.requiredAffinity) if (termMatches(t, pod.pod)) add(t, node, HARD_POD_AFFINITY_WEIGHT)
        for (const t of existing.preferredAffinity) if (termMatches(t, pod.pod)) add(t, node, t.weight)
        for (const t of existing.preferredAntiAffinity) if (termMatches(t, pod.pod)) add(t, node, -t.weight)
      }
    }
    if (scores.size === 0) return Status.SKIP
    state.write(`${NAME}/score`, { scores } satisfies ScoreState)
    return Status.SUCCESS
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const s = state.read<ScoreState>(`${NAME}/score`)
    if (!s) return 0
    let total = 0
    for (const [key, byValue] of s.scores) {
      const v = node.labels[key]
      if (v !== undefined) total += byValue.get(v) ?? 0
    }
    return total
  }

  normalizeScore(_s: CycleState, _pod: PodInfo, scores: number[]): void {
    let min = Infinity
    let max = -Infinity
    for (const s of scores) {
      if (s < min) min = s
      if (s > max) max = s
    }
    const diff = max - min
    for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.floor((MAX_NODE_SCORE * (scores[i]! - min)) / diff) : 0
  }
}

function satisfiesAffinity(s: FilterState, pod: PodInfo, node: NodeInfo): boolean {
  let podsExist = true
  for (const t of pod.requiredAffinity) {
    const v = node.labels[t.topologyKey]
    if (v === undefined) return false // every topology label must exist on the node
    if (count(s.affinity, t.topologyKey, v) <= 0) podsExist = false
  }
  if (podsExist) return true
  // the first pod of a group with affinity to itself: allowed when nothing else matches
  return s.affinityCountsEmpty && pod.requiredAffinity.every((t) => termMatches(t, pod.pod))
}
