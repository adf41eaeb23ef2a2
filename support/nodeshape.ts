// "A cluster of N nodes [with C CPUs [and M of memory] each]" on any target, and a shared
// cluster's nodes left as the scenario found them. The built-in target starts a cluster of that
// shape for the scenario (capability `config`); on a cluster the kit cannot configure, the
// running one must have it: exactly N nodes, all Ready, none cordoned or tainted, each with that
// much allocatable. One with more is fitted for the scenario's length, as upstream's e2e does
// (./reshape.ts): surplus nodes taken out through the fault provider, the room beyond the asked
// CPU and memory reserved by filler pods; otherwise the scenario is not served there (skipped
// with the reason).
// Such a cluster is shared and outlives the scenario, so before a scenario first changes a node
// (a label, a taint, a cordon) every node's labels, taints and cordon are noted, and an After
// hook (support/hooks.ts) puts back whatever differs when the scenario ends, passed or failed.

import { PatchStrategy, setHeaderOptions, type CoreV1Api, type KubeConfig, type V1Node, type V1Taint } from '@kubernetes/client-node'
import { toStatus } from './kube.js'
import { eventually } from './eventually.js'
import { formatTaint, type NodeMarks } from './nodes.js'
import { describeFiller, planShape, reshape, unshape, type Reshaped } from './reshape.js'
import { UnservedOperationError, type Session } from './targets/target.js'
import { configurable, configure } from './topology.js'
import { core, isReady, nodes } from './workloads.js'
import type { OckWorld } from './world.js'
import { sameQuantity, type NodeShape } from './quantities.js'

// ---------------------------------------------------------------------------------------------
// the shape a scenario asks for

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`
}

function cpus(q: string): string {
  return `${q} CPU${sameQuantity(q, '1') ? '' : 's'}`
}

/** "node-1", "node-1 and node-2", "node-1, node-2 and node-3". */
function names(ns: string[]): string {
  return ns.length < 2 ? (ns[0] ?? '') : `${ns.slice(0, -1).join(', ')} and ${ns.at(-1)}`
}

/** What a node has allocatable, in the terms of the shape asked (CPUs, memory, or both). */
function allocatable(n: V1Node, want: NodeShape): { text: string; fits: boolean } {
  const have = n.status?.allocatable ?? {}
  const parts: string[] = []
  let fits = true
  if (want.cpu !== undefined) {
    parts.push(have['cpu'] === undefined ? 'no CPU' : cpus(have['cpu']))
    fits &&= have['cpu'] !== undefined && sameQuantity(have['cpu'], want.cpu)
  }
  if (want.memory !== undefined) {
    parts.push(have['memory'] === undefined ? 'no memory' : `${have['memory']} of memory`)
    fits &&= have['memory'] !== undefined && sameQuantity(have['memory'], want.memory)
  }
  return { text: parts.join(' and '), fits }
}

/**
 * Why a cluster whose nodes are `all` is not the shape a scenario asks for, or undefined when it
 * is: exactly `want.nodes` nodes, every one Ready, schedulable and untainted, and (when asked)
 * every one with exactly that CPU and memory allocatable.
 */
export function shapeMismatch(all: readonly V1Node[], want: NodeShape): string | undefined {
  const name = (n: V1Node): string => n.metadata?.name ?? '(unnamed)'
  const notReady = all.filter((n) => !isReady(n)).map(name)
  if (all.length !== want.nodes) {
    const has = notReady.length ? `${count(all.length, 'node')}, ${all.length - notReady.length} of them Ready` : count(all.length, 'Ready node')
    return `the cluster has ${has}; this scenario needs exactly ${want.nodes}`
  }
  const needs = `this scenario needs ${count(want.nodes, 'Ready node')}, schedulable and untainted`
  if (notReady.length) return `${names(notReady)} ${notReady.length === 1 ? 'is' : 'are'} not Ready; ${needs}`
  const marked = all.flatMap((n) => [
    ...(n.spec?.unschedulable ? [`${name(n)} is cordoned`] : []),
    ...(n.spec?.taints?.length ? [`${name(n)} is tainted ${n.spec.taints.map(formatTaint).join(', ')}`] : []),
  ])
  if (marked.length) return `${marked.join('; ')}; ${needs}`
  if (want.cpu === undefined && want.memory === undefined) return undefined
  const sized = all.map((n) => ({ name: name(n), ...allocatable(n, want) }))
  if (sized.every((s) => s.fits)) return undefined
  const wanted = [...(want.cpu !== undefined ? [cpus(want.cpu)] : []), ...(want.memory !== undefined ? [`${want.memory} of memory`] : [])].join(' and ')
  const groups = new Map<string, string[]>()
  for (const s of sized) groups.set(s.text, [...(groups.get(s.text) ?? []), s.name])
  const has =
    groups.size === 1
      ? `the cluster's nodes have ${sized[0]!.text} allocatable`
      : [...groups].map(([text, ns]) => `${names(ns)} ${ns.length === 1 ? 'has' : 'have'} ${text} allocatable`).join(', ')
  return `${has}; this scenario needs ${wanted} each`
}

/**
 * The steps "a cluster of N nodes ...": shapes the built-in cluster before it starts, or
 * checks that the running cluster has that shape (UnservedOperationError with the reason when
 * it has not) and notes its nodes as found, for the scenario's changes to be undone.
 */
export async function clusterOfNodes(world: OckWorld, want: NodeShape): Promise<void> {
  if (await configurable(world)) {
    return configure(world, (t) => {
      t.nodes = want.nodes
      if (want.cpu !== undefined || want.memory !== undefined)
        t.node = { ...(t.node ?? {}), ...(want.cpu !== undefined ? { cpu: want.cpu } : {}), ...(want.memory !== undefined ? { memory: want.memory } : {}) }
    })
  }
  const s = await world.cluster()
  const all = await nodes(s.kubeconfig)
  const why = shapeMismatch(all, want)
  if (!why) return keepNodesAsFound(world, all)
  // a shared cluster of another shape: fitted to this one for the scenario's length (./reshape.ts)
  const sized = want.cpu !== undefined || want.memory !== undefined
  const pods = sized ? (await core(s.kubeconfig).listPodForAllNamespaces()).items : []
  const plan = planShape(all, pods, want, { noRemoval: noRemoval(s), text: world.scenarioText }, shapeMismatch)
  if (typeof plan === 'string') throw new UnservedOperationError(plan)
  await keepNodesAsFound(world, all)
  const done: Reshaped = { removed: [], lingering: [], tookMs: 0 }
  world.remembered.reshaped = done
  await reshape(s.kubeconfig, s.faults!, plan, `${s.namespace}-fillers`, s.images, done)
  const what = [
    ...(plan.remove.length ? [`took out ${plan.remove.join(', ')} (kubelet stopped, Node deleted)`] : []),
    ...plan.fillers.map((f) => `reserved ${describeFiller(f)} on ${f.node} with a filler pod`),
    ...(done.lingering.length ? [`pods still bound to the nodes taken out, left to them: ${done.lingering.join(', ')}`] : []),
  ]
  world.log(`the shared cluster was fitted to the scenario (${why}): ${what.join('; ')}, in ${Math.round(done.tookMs)} ms`)
  // what the scenario now finds is the shape it asked for, or this is a mistake of the kit
  const after = shapeMismatch(await nodes(s.kubeconfig), { nodes: want.nodes })
  if (after) throw new Error(`the shared cluster was fitted to the scenario, yet: ${after}`)
}

/** Why surplus nodes cannot be taken out on this session's cluster, or undefined when they can. */
function noRemoval(s: Session): string | undefined {
  const faults = s.faults
  if (!faults) return 'no fault provider to stop their kubelets'
  const lacking = (['stopKubelet', 'startKubelet'] as const).filter((op) => faults.can && !faults.can(op))
  return lacking.length ? `the fault provider has no ${lacking.join(' or ')}` : undefined
}

// ---------------------------------------------------------------------------------------------
// a shared cluster's nodes, left as found

export function marksOf(n: V1Node): NodeMarks {
  return {
    name: n.metadata!.name!,
    labels: { ...(n.metadata?.labels ?? {}) },
    taints: [...(n.spec?.taints ?? [])],
    unschedulable: n.spec?.unschedulable ?? false,
  }
}

/**
 * Taints the control plane puts on and takes off by itself (not ready, unreachable, cordoned,
 * pressure, a cloud node not yet initialised): never the scenario's to put back, they follow
 * the node's state.
 */
function managedByControlPlane(t: V1Taint): boolean {
  return t.key.startsWith('node.kubernetes.io/') || t.key.startsWith('node.cloudprovider.kubernetes.io/')
}

function sameTaints(a: V1Taint[], b: V1Taint[]): boolean {
  const key = (ts: V1Taint[]): string[] => ts.map(formatTaint).sort()
  return JSON.stringify(key(a)) === JSON.stringify(key(b))
}

/**
 * The JSON merge patch that puts a node's labels, taints and cordon back as `before` noted
 * them, or undefined when none differs. Taints the control plane manages stay as they are now.
 * The patch carries the node's resourceVersion: a taint list written meanwhile is not overwritten
 * (409 Conflict, and the caller reads the node again).
 */
export function restorePatch(before: NodeMarks, now: V1Node): { metadata: Record<string, unknown>; spec?: Record<string, unknown> } | undefined {
  const after = marksOf(now)
  const labels: Record<string, string | null> = {}
  for (const k of Object.keys(after.labels)) if (!(k in before.labels)) labels[k] = null
  for (const [k, v] of Object.entries(before.labels)) if (after.labels[k] !== v) labels[k] = v
  const taints = [...before.taints.filter((t) => !managedByControlPlane(t)), ...after.taints.filter(managedByControlPlane)]
  const spec: Record<string, unknown> = {}
  if (!sameTaints(taints, after.taints)) spec['taints'] = taints.length ? taints : null
  if (after.unschedulable !== before.unschedulable) spec['unschedulable'] = before.unschedulable || null
  if (!Object.keys(labels).length && !Object.keys(spec).length) return undefined
  return {
    metadata: { resourceVersion: now.metadata?.resourceVersion, ...(Object.keys(labels).length ? { labels } : {}) },
    ...(Object.keys(spec).length ? { spec } : {}),
  }
}

const CORDON_TAINT = 'node.kubernetes.io/unschedulable'
/** How long the control plane may take to untaint a node it saw uncordoned. */
const UNCORDONED_WITHIN_MS = 10_000

/** Puts one node back as noted; a node gone since is left alone. A taint list written meanwhile (409) is read again. */
async function restoreNode(api: CoreV1Api, before: NodeMarks): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let body: ReturnType<typeof restorePatch>
    try {
      body = restorePatch(before, await api.readNode({ name: before.name }))
      if (body) await api.patchNode({ name: before.name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))
    } catch (e) {
      const status = toStatus(e)
      if (status.code === 404) return
      if (status.code === 409 && attempt < 5) continue
      throw new Error(status.message)
    }
    // the taint Kubernetes' node lifecycle controller gives a cordoned node goes soon after the
    // uncordon: the next scenario must not find it
    if (body?.spec?.['unschedulable'] === null)
      await eventually(
        async () => ((await api.readNode({ name: before.name })).spec?.taints ?? []).map(formatTaint),
        (taints) => !taints.some((t) => t.startsWith(`${CORDON_TAINT}:`)),
        UNCORDONED_WITHIN_MS,
        { describe: `the control plane to take the taint ${CORDON_TAINT} off the uncordoned node` },
      )
    return
  }
}

/** Puts every noted node back as it was; throws with every node it could not restore. */
export async function restoreNodes(kc: KubeConfig, before: NodeMarks[]): Promise<void> {
  const failures: string[] = []
  for (const b of before) {
    try {
      await restoreNode(core(kc), b)
    } catch (e) {
      failures.push(`${b.name}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  if (failures.length) throw new Error(`the shared cluster's nodes could not all be put back as the scenario found them: ${failures.join('; ')}`)
}

/**
 * Before a scenario's first change to a node of a shared cluster (a target without `config`):
 * notes every node's labels, taints and cordon (`found`: the nodes as just listed), once per
 * scenario; the After hook restores them. Nothing on the built-in target, whose cluster is the
 * scenario's own and goes with it.
 */
export async function keepNodesAsFound(world: OckWorld, found?: V1Node[]): Promise<void> {
  if (world.remembered.nodesAsFound || (await configurable(world))) return
  const s = await world.cluster()
  world.remembered.nodesAsFound = (found ?? (await nodes(s.kubeconfig))).map(marksOf)
}

/**
 * The After hook's part: takes the fillers away and brings removed nodes back (./reshape.ts),
 * then restores the nodes a scenario noted, if it noted any; a node that did not come back, or
 * could not be put back as found, fails the hook.
 */
export async function restoreNodesAsFound(world: OckWorld): Promise<void> {
  const before = world.remembered.nodesAsFound
  const reshaped = world.remembered.reshaped
  const s = world.currentSession
  if (!s) return
  world.remembered.nodesAsFound = undefined
  world.remembered.reshaped = undefined
  let unshapeFailed: unknown
  if (reshaped) {
    const started = performance.now()
    try {
      await unshape(s.kubeconfig, s.faults, reshaped)
    } catch (e) {
      unshapeFailed = e
    }
    if (!unshapeFailed) world.log(`the shared cluster's nodes were brought back in ${Math.round(performance.now() - started)} ms`)
  }
  if (before) await restoreNodes(s.kubeconfig, before)
  if (unshapeFailed) throw unshapeFailed
}
