// The scheduling framework's contracts: a plugin implements the extension points it needs
// (PreFilter, Filter, PreScore, Score with NormalizeScore, Bind) and answers with a typed
// Status (a code, the reasons a person reads in "0/3 nodes are available: ...", and the plugin
// that said it); per-cycle scratch data lives in a CycleState that plugins share.
// Mirrors staging/src/k8s.io/kube-scheduler/framework/interface.go and cycle_state.go.
// Simplifies: no Reserve/Permit/PreBind/PostBind/PostFilter (no volumes, no preemption);
// a scheduling cycle is synchronous, so plugins read the scheduler's cache directly instead of
// a copied snapshot (nothing can change it in the middle of a cycle).

import type { Pod } from '../../api/types.js'
import type { NodeInfo, PodInfo } from './nodeinfo.js'

export enum Code {
  /** The plugin is fine with the pod (on this node). */
  Success = 'Success',
  /** An unexpected problem: the pod goes back to the queue with back-off. */
  Error = 'Error',
  /** Does not fit now, but could after something changes (preemption could help upstream). */
  Unschedulable = 'Unschedulable',
  /** Does not fit and no preemption could change that (e.g. a node selector mismatch). */
  UnschedulableAndUnresolvable = 'UnschedulableAndUnresolvable',
  /** PreFilter/PreScore: the plugin has nothing to do for this pod; its Filter/Score are skipped. */
  Skip = 'Skip',
}

export class Status {
  private constructor(
    readonly code: Code,
    readonly reasons: readonly string[],
    public plugin = '',
  ) {}

  static readonly SUCCESS = new Status(Code.Success, [])
  static readonly SKIP = new Status(Code.Skip, [])

  static unschedulable(...reasons: string[]): Status {
    return new Status(Code.Unschedulable, reasons)
  }

  static unresolvable(...reasons: string[]): Status {
    return new Status(Code.UnschedulableAndUnresolvable, reasons)
  }

  static error(message: string): Status {
    return new Status(Code.Error, [message])
  }

  isSuccess(): boolean {
    return this.code === Code.Success
  }

  isSkip(): boolean {
    return this.code === Code.Skip
  }

  isRejected(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable
  }

  withPlugin(name: string): Status {
    if (this.code === Code.Success || this.code === Code.Skip) return this
    return new Status(this.code, this.reasons, name)
  }

  message(): string {
    return this.reasons.join(', ')
  }
}

/** Scratch data of one scheduling cycle, keyed by plugin (upstream CycleState). */
export class CycleState {
  private readonly data = new Map<string, unknown>()
  /** Plugins whose PreFilter said Skip: their Filter is not run this cycle. */
  readonly skipFilter = new Set<string>()
  readonly skipScore = new Set<string>()
  /** The Filter plugins that run this cycle (set once PreFilter is done; the hot loop reads it). */
  activeFilters?: FilterPlugin[]

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined
  }

  write(key: string, value: unknown): void {
    this.data.set(key, value)
  }
}

/** What plugins may use besides their arguments: the cluster as the scheduler sees it. */
export interface Handle {
  /** Every node the scheduler knows, with its pods (including assumed ones). */
  nodeInfos(): readonly NodeInfo[]
  /** Nodes that carry at least one pod with (anti-)affinity terms, for InterPodAffinity. */
  nodesWithAffinityPods(): readonly NodeInfo[]
  nodesWithRequiredAntiAffinityPods(): readonly NodeInfo[]
}

export interface Plugin {
  readonly name: string
}

export interface PreFilterPlugin extends Plugin {
  /** Computes per-pod state once per cycle; Skip disables this plugin's Filter; a rejection fails every node. */
  preFilter(state: CycleState, pod: PodInfo): Status
}

export interface FilterPlugin extends Plugin {
  /** Can the pod run on this node? Must not change anything. */
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status
}

export interface ScorePlugin extends Plugin {
  /** A raw score for a feasible node; NormalizeScore (if any) maps raw scores to 0..100. */
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number
  /** Optional: the raw scores of many nodes at once (same result as score() per node, faster). */
  scoreNodes?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], out: number[]): void
  normalizeScore?(state: CycleState, pod: PodInfo, scores: number[]): void
}

export interface BindPlugin extends Plugin {
  /** Records the decision through the API (pods/binding). Resolves Skip to let the next binder try. */
  bind(pod: Pod, nodeName: string): Promise<Status>
}

export const MAX_NODE_SCORE = 100

export function isPreFilter(p: Plugin): p is PreFilterPlugin {
  return typeof (p as PreFilterPlugin).preFilter === 'function'
}

export function isFilter(p: Plugin): p is FilterPlugin {
  return typeof (p as FilterPlugin).filter === 'function'
}

export function isPreScore(p: Plugin): p is PreScorePlugin {
  return typeof (p as PreScorePlugin).preScore === 'function'
}

export function isScore(p: Plugin): p is ScorePlugin {
  return typeof (p as ScorePlugin).score === 'function'
}

export function isBind(p: Plugin): p is BindPlugin {
  return typeof (p as BindPlugin).bind === 'function'
}

/** Upstream DefaultNormalizeScore: scales scores to 0..max by the highest one, optionally reversed. */
export function defaultNormalizeScore(max: number, reverse: boolean, scores: number[]): void {
  let highest = 0
  for (const s of scores) if (s > highest) highest = s
  if (highest === 0) {
    if (reverse) for (let i = 0; i < scores.length; i++) scores[i] = max
    return
  }
  for (let i = 0; i < scores.length; i++) {
    let s = Math.floor((max * scores[i]!) / highest)
    if (reverse) s = max - s
    scores[i] = s
  }
}
