// Running the plugins of a scheduling profile at each extension point, in order: PreFilter
// (a rejection fails every node; Skip turns the plugin's Filter off for this pod), Filter
// (the first rejection decides), PreScore, Score (each plugin's scores normalized, then
// weighted and summed), Bind (the first binder that does not Skip). Plugins come from a
// registry of name -> factory, and a profile lists which run with which score weight.
// Mirrors pkg/scheduler/framework/runtime/framework.go and registry.go.

import type { Client } from '../../client/client.js'
import type { Pod } from '../../api/types.js'
import {
  Code,
  CycleState,
  Status,
  isBind,
  isFilter,
  isPreFilter,
  isPreScore,
  isScore,
  type BindPlugin,
  type FilterPlugin,
  type Handle,
  type Plugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from './interface.js'
import type { NodeInfo, PodInfo } from './nodeinfo.js'

export interface PluginContext {
  handle: Handle
  client: Client
}

export type PluginFactory = (ctx: PluginContext) => Plugin

/** Plugin name -> factory (upstream runtime.Registry). */
export type Registry = Record<string, PluginFactory>

export interface ProfileConfig {
  schedulerName: string
  /** Enabled plugins, in the order their extension points run; `weight` is for Score. */
  plugins: { name: string; weight?: number }[]
}

export class Framework {
  readonly preFilters: PreFilterPlugin[] = []
  readonly filters: FilterPlugin[] = []
  readonly preScores: PreScorePlugin[] = []
  readonly scores: { plugin: ScorePlugin; weight: number }[] = []
  readonly binders: BindPlugin[] = []

  constructor(
    readonly profile: ProfileConfig,
    registry: Registry,
    ctx: PluginContext,
  ) {
    for (const { name, weight } of profile.plugins) {
      const factory = registry[name]
      if (!factory) throw new Error(`scheduler profile ${profile.schedulerName}: no plugin named "${name}" in the registry`)
      const p = factory(ctx)
      if (isPreFilter(p)) this.preFilters.push(p)
      if (isFilter(p)) this.filters.push(p)
      if (isPreScore(p)) this.preScores.push(p)
      if (isScore(p)) this.scores.push({ plugin: p, weight: weight ?? 1 })
      if (isBind(p)) this.binders.push(p)
    }
    if (!this.binders.length) throw new Error(`scheduler profile ${profile.schedulerName} has no Bind plugin`)
  }

  runPreFilter(state: CycleState, pod: PodInfo): Status {
    for (const p of this.preFilters) {
      const s = p.preFilter(state, pod)
      if (s.isSkip()) {
        state.skipFilter.add(p.name)
        continue
      }
      if (!s.isSuccess()) return s.withPlugin(p.name)
    }
    return Status.SUCCESS
  }

  /** The first plugin that rejects the node decides; Success when all accept. */
  runFilter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const filters = (state.activeFilters ??= this.filters.filter((p) => !state.skipFilter.has(p.name)))
    for (let i = 0; i < filters.length; i++) {
      const p = filters[i]!
      const s = p.filter(state, pod, node)
      if (s !== Status.SUCCESS && !s.isSuccess()) return s.withPlugin(p.name)
    }
    return Status.SUCCESS
  }

  runPreScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    for (const p of this.preScores) {
      const s = p.preScore(state, pod, nodes)
      if (s.isSkip()) {
        state.skipScore.add(p.name)
        continue
      }
      if (!s.isSuccess()) return s.withPlugin(p.name)
    }
    return Status.SUCCESS
  }

  /** Weighted, normalized total per node, in the order of `nodes`. */
  runScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): number[] {
    const totals = new Array<number>(nodes.length).fill(0)
    const scores = new Array<number>(nodes.length)
    for (const { plugin, weight } of this.scores) {
      if (state.skipScore.has(plugin.name)) continue
      if (plugin.scoreNodes) plugin.scoreNodes(state, pod, nodes, scores)
      else for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i]!)
      plugin.normalizeScore?.(state, pod, scores)
      for (let i = 0; i < nodes.length; i++) totals[i]! += scores[i]! * weight
    }
    return totals
  }

  async runBind(pod: Pod, nodeName: string): Promise<Status> {
    for (const b of this.binders) {
      const s = await b.bind(pod, nodeName)
      if (s.isSkip()) continue
      return s.withPlugin(b.name)
    }
    return Status.error('no bind plugin bound the pod')
  }
}

/** "0/3 nodes are available: 1 node(s) didn't match pod anti-affinity rules, 2 Insufficient cpu." (upstream FitError.Error). */
export function fitErrorMessage(numAllNodes: number, rejections: Iterable<Status>, preFilterMessage?: string): string {
  let msg = `0/${numAllNodes} nodes are available:`
  if (preFilterMessage) return `${msg} ${preFilterMessage}.`
  const histogram = new Map<string, number>()
  for (const s of rejections) for (const r of s.reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1)
  const parts = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort()
  if (parts.length) msg += ` ${parts.join(', ')}.`
  return msg
}

export { Code, CycleState }
