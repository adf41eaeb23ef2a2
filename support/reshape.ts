// Fitting a shared cluster to the node shape a scenario asks for ("a cluster of N nodes [with C
// CPUs [and M of memory] each]"), as upstream's e2e does on a real cluster, for the scenario's
// length only, and putting it back when the scenario ends (passed or failed):
// - fewer nodes: with a fault provider that stops and starts kubelets, the surplus nodes (ones
//   the scenario does not name, the highest-numbered first) are taken out: their kubelet stopped
//   through the provider and their Node deleted through the API, so the cluster truly has N nodes
//   ("0/2 nodes are available" stays true). Afterwards the kubelets start again and register
//   their Nodes anew, as a real kubelet does at start when its Node is missing; the After hook
//   waits until each is back and Ready, with its labels, taints and cordon as found. Pods still
//   bound to a removed node are left to it (upstream's pod garbage collector would delete them
//   after its 40 s quarantine; the node is back sooner): the scheduler ignores pods of a node it
//   no longer has, and the scenario's own pods are in its own, new namespace.
// - smaller nodes: what each node has allocatable beyond the wanted CPU and memory is reserved
//   by a filler pod bound to it (spec.nodeName, requests = allocatable - wanted - what its pods
//   already request, tolerating every taint), in a namespace of the kit's so the scenario's pod
//   listings never see it, as upstream's scheduler e2e "validates resource limits of pods that
//   are allowed to run" fills its nodes. A scenario that checks what a filler falsifies (a
//   node's allocatable as the API reports it, a drain) is still not served there.
// The built-in target never comes here: it starts a cluster of the asked shape.

import type { KubeConfig, V1Node, V1Pod } from '@kubernetes/client-node'
import { eventually } from './eventually.js'
import { mapImage, type ImageMap } from './images.js'
import { createNamespace, deleteNamespace, toStatus } from './kube.js'
import { quantityNanos, type NodeShape } from './quantities.js'
import { core, isReady, nodes } from './workloads.js'
import type { Faults } from './targets/target.js'

// ---------------------------------------------------------------------------------------------
// the plan (pure)

const nameOf = (n: V1Node): string => n.metadata?.name ?? '(unnamed)'

/** The cluster's node names that the scenario's text names, as whole words ("node-1", not "node-10"). */
export function namedNodes(text: string, names: readonly string[]): Set<string> {
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new Set(names.filter((n) => new RegExp(`(?<![\\w.-])${esc(n)}(?![\\w-])`).test(text)))
}

/** Node names in natural order ("node-2" before "node-10"). */
export function byNaturalName(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true })
}

/**
 * Which nodes to take out so `want` remain: never one the scenario names, the highest-numbered
 * first. A string says why it cannot be done.
 */
export function nodesToRemove(names: readonly string[], want: number, named: ReadonlySet<string>): string[] | string {
  const surplus = names.length - want
  if (surplus <= 0) return []
  const candidates = names
    .filter((n) => !named.has(n))
    .sort(byNaturalName)
    .reverse()
  if (candidates.length < surplus) {
    const kept = names.filter((n) => named.has(n)).sort(byNaturalName)
    return `the scenario names ${kept.length} nodes (${kept.join(', ')}) and needs exactly ${want}: no surplus node it does not name can be taken out`
  }
  return candidates.slice(0, surplus)
}

/** What a pod takes off its node, as the scheduler counts it: max(sum of containers, largest init container) + overhead; CPU in millicores, memory in bytes (rounded up, as the scheduler's MilliValue / Value). */
export function podRequests(p: V1Pod): { cpu: bigint; memory: bigint } {
  const of = (r: Record<string, string> | undefined, key: string, unit: bigint): bigint => {
    const q = r?.[key]
    if (q === undefined) return 0n
    const n = quantityNanos(q)
    return (n + unit - 1n) / unit
  }
  const sum = { cpu: 0n, memory: 0n }
  for (const c of p.spec?.containers ?? []) {
    sum.cpu += of(c.resources?.requests, 'cpu', 1_000_000n)
    sum.memory += of(c.resources?.requests, 'memory', 1_000_000_000n)
  }
  for (const c of p.spec?.initContainers ?? []) {
    const cpu = of(c.resources?.requests, 'cpu', 1_000_000n)
    const memory = of(c.resources?.requests, 'memory', 1_000_000_000n)
    if (cpu > sum.cpu) sum.cpu = cpu
    if (memory > sum.memory) sum.memory = memory
  }
  sum.cpu += of(p.spec?.overhead, 'cpu', 1_000_000n)
  sum.memory += of(p.spec?.overhead, 'memory', 1_000_000_000n)
  return sum
}

/** A pod that still holds its node's resources (bound, not Succeeded or Failed). */
function holds(p: V1Pod, node: string): boolean {
  return p.spec?.nodeName === node && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'
}

/** One filler pod: what it requests on its node (millicores, bytes; 0 = nothing of that). */
export interface Filler {
  node: string
  cpuMillis: bigint
  memoryBytes: bigint
}

/**
 * The fillers that leave each node exactly `want`'s CPU and memory free: allocatable - wanted -
 * what the node's pods already request. A string says why a node cannot be made that small (it
 * is smaller already, or its pods take more than the difference).
 */
export function fillerSizes(kept: readonly V1Node[], pods: readonly V1Pod[], want: NodeShape): Filler[] | string {
  const fillers: Filler[] = []
  const problems: string[] = []
  for (const n of kept) {
    const name = nameOf(n)
    const alloc = n.status?.allocatable ?? {}
    const used = pods
      .filter((p) => holds(p, name))
      .reduce(
        (s, p) => {
          const r = podRequests(p)
          return { cpu: s.cpu + r.cpu, memory: s.memory + r.memory }
        },
        { cpu: 0n, memory: 0n },
      )
    const size = (key: 'cpu' | 'memory', wanted: string | undefined, unit: bigint, show: (v: bigint) => string): bigint => {
      if (wanted === undefined) return 0n
      const have = alloc[key]
      if (have === undefined) {
        problems.push(`${name} reports no ${key} allocatable`)
        return 0n
      }
      const a = quantityNanos(have) / unit
      const w = (quantityNanos(wanted) + unit - 1n) / unit
      const u = key === 'cpu' ? used.cpu : used.memory
      if (a < w) problems.push(`${name} has ${have} ${key === 'cpu' ? 'CPU' : 'of memory'} allocatable, less than the ${wanted} wanted`)
      else if (a - w < u)
        problems.push(
          `${name}'s pods already request ${show(u)} ${key === 'cpu' ? 'CPU' : 'of memory'}, more than the ${show(a - w)} a filler would have to take`,
        )
      else return a - w - u
      return 0n
    }
    const cpuMillis = size('cpu', want.cpu, 1_000_000n, (v) => `${v}m`)
    const memoryBytes = size('memory', want.memory, 1_000_000_000n, (v) => `${v} bytes`)
    if (cpuMillis > 0n || memoryBytes > 0n) fillers.push({ node: name, cpuMillis, memoryBytes })
  }
  if (problems.length) return `no filler pod can make them that size: ${problems.join('; ')}`
  return fillers
}

/**
 * Checks a filler pod would make untrue: what the scenario's text does (steps, their tables and
 * documents) that sees the node as it is rather than the room left on it. Upstream's e2e makes
 * the same distinction: its fillers serve the scheduling checks, never a node's reported size.
 */
const FALSIFIED_BY_FILLERS: readonly [RegExp, string][] = [
  [
    /status\.(allocatable|capacity)\b/,
    "it reads a node's allocatable or capacity through the API, which a filler pod does not change (the node still reports its own)",
  ],
  [/\bdrain\b/i, 'it drains a node, which would evict the filler pod too'],
  [/kubectl (top|describe) nodes?\b/, 'it reads a node through kubectl, which shows the filler pod and its requests'],
]

/** Why filler pods cannot make this scenario's nodes smaller, or undefined when they can. */
export function fillerFalsifies(text: string): string | undefined {
  return FALSIFIED_BY_FILLERS.find(([re]) => re.test(text))?.[1]
}

/** What the kit does to a shared cluster for a scenario: nodes to take out, fillers to place. */
export interface ShapePlan {
  remove: string[]
  fillers: Filler[]
}

/** What the plan can use: the provider's kubelet operations, and the scenario's text. */
export interface ShapeMeans {
  /** Why surplus nodes cannot be taken out (no fault provider, no stopKubelet/startKubelet), or undefined when they can. */
  noRemoval?: string
  /** The scenario's steps, tables and documents. */
  text: string
}

/**
 * How to give the scenario the shape it wants on this cluster (every node Ready, untainted and
 * schedulable; the surplus taken out; the room left on each kept node cut to size), or why it
 * cannot be done. `mismatch` tells why nodes are not of a shape (shapeMismatch): the reason
 * given when the kit cannot fit them. Nothing is changed if any part cannot be done.
 */
export function planShape(
  all: readonly V1Node[],
  pods: readonly V1Pod[],
  want: NodeShape,
  means: ShapeMeans,
  mismatch: (nodes: readonly V1Node[], want: NodeShape) => string | undefined,
): ShapePlan | string {
  const asIs = mismatch(all, want) ?? 'the cluster is not the shape asked'
  // a node that is not Ready now could not be told back from one that did not come back
  if (all.some((n) => !isReady(n)) || all.length < want.nodes) return asIs
  const names = all.map(nameOf)
  let remove: string[] = []
  if (all.length > want.nodes) {
    if (means.noRemoval) return `${asIs} (the surplus cannot be taken out: ${means.noRemoval})`
    const r = nodesToRemove(names, want.nodes, namedNodes(means.text, names))
    if (typeof r === 'string') return `${asIs} (${r})`
    remove = r
  }
  const kept = all.filter((n) => !remove.includes(nameOf(n)))
  // the right number, but cordoned or tainted: not the kit's to change
  const placed = mismatch(kept, { nodes: want.nodes })
  if (placed) return placed
  const sized = mismatch(kept, want)
  if (!sized) return { remove, fillers: [] }
  const fillers = fillerSizes(kept, pods, want)
  if (typeof fillers === 'string') return `${sized}: ${fillers}`
  const falsified = fillerFalsifies(means.text)
  if (falsified) return `${sized}; filler pods could reserve the difference, but this scenario cannot run beside them: ${falsified}`
  return { remove, fillers }
}
// ---------------------------------------------------------------------------------------------
// doing it, and undoing it

/** How long a restarted kubelet may take to register its Node again and be Ready. */
export const NODE_BACK_WITHIN_MS = 30_000
/** How long a filler pod may take to run. */
const FILLER_RUNNING_WITHIN_MS = 30_000
/** The kit's image a filler pod runs (mapped to the name the cluster's nodes pull). */
const FILLER_IMAGE = 'registry.internal/ock/app:1'

/** What the kit changed for one scenario, for the After hook to undo. */
export interface Reshaped {
  /** Nodes whose kubelet was (or was being) stopped and Node deleted. */
  removed: string[]
  /** The kit's namespace holding the filler pods, once created. */
  fillerNamespace?: string
  /** Pods of other namespaces still bound to the nodes taken out (`namespace/name`), as found once they were gone. */
  lingering: string[]
  /** How long taking the surplus out and placing the fillers took, ms. */
  tookMs: number
}

/** "3000m CPU and 6Gi of memory": what a filler takes, for the scenario's log. */
export function describeFiller(f: Filler): string {
  const bytes = (b: bigint): string => {
    for (const [unit, size] of [
      ['Gi', 1n << 30n],
      ['Mi', 1n << 20n],
      ['Ki', 1n << 10n],
    ] as const)
      if (b % size === 0n) return `${b / size}${unit}`
    return `${b}`
  }
  return [...(f.cpuMillis ? [`${f.cpuMillis}m CPU`] : []), ...(f.memoryBytes ? [`${bytes(f.memoryBytes)} of memory`] : [])].join(' and ')
}

export function fillerPod(f: Filler, namespace: string, images: ImageMap | undefined): V1Pod {
  const requests: Record<string, string> = {}
  if (f.cpuMillis > 0n) requests['cpu'] = `${f.cpuMillis}m`
  if (f.memoryBytes > 0n) requests['memory'] = `${f.memoryBytes}`
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `filler-${f.node}`, namespace, labels: { 'ock.dev/filler': 'true' } },
    spec: {
      nodeName: f.node,
      tolerations: [{ operator: 'Exists' }],
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'filler', image: mapImage(FILLER_IMAGE, images), resources: { requests } }],
    },
  }
}

/**
 * Carries the plan out; `done` is filled as it goes, so the After hook undoes whatever was done
 * even when a step of it failed.
 */
export async function reshape(
  kc: KubeConfig,
  faults: Faults,
  plan: ShapePlan,
  fillerNamespace: string,
  images: ImageMap | undefined,
  done: Reshaped,
): Promise<void> {
  const started = performance.now()
  const api = core(kc)
  for (const node of plan.remove) {
    done.removed.push(node)
    await faults.stopKubelet(node)
    await api.deleteNode({ name: node }).catch((e: unknown) => {
      if (toStatus(e).code !== 404) throw new Error(`deleting the Node ${node}: ${toStatus(e).message}`)
    })
  }
  if (plan.remove.length) {
    await eventually(
      async () => (await nodes(kc)).map((n) => n.metadata?.name ?? ''),
      (names) => !names.some((n) => plan.remove.includes(n)),
      10_000,
      { describe: `the Nodes ${plan.remove.join(', ')} to be gone (their kubelets stopped)` },
    )
    for (const p of (await api.listPodForAllNamespaces()).items)
      if (plan.remove.includes(p.spec?.nodeName ?? '')) done.lingering.push(`${p.metadata?.namespace}/${p.metadata?.name}`)
  }
  if (plan.fillers.length) {
    await createNamespace(kc, fillerNamespace)
    done.fillerNamespace = fillerNamespace
    for (const f of plan.fillers) await api.createNamespacedPod({ namespace: fillerNamespace, body: fillerPod(f, fillerNamespace, images) })
    await eventually(
      async () => (await api.listNamespacedPod({ namespace: fillerNamespace })).items,
      (pods) => pods.length === plan.fillers.length && pods.every((p) => p.status?.phase === 'Running'),
      FILLER_RUNNING_WITHIN_MS,
      { describe: `the filler pods in ${fillerNamespace} to run` },
    )
  }
  done.tookMs = performance.now() - started
}

/**
 * Undoes `done`: the filler pods deleted at once (and their namespace), the removed nodes'
 * kubelets started again, and each of those nodes back (registered anew) and Ready within
 * NODE_BACK_WITHIN_MS. Every part is tried; what failed is thrown together, naming the nodes
 * that did not come back. Labels, taints and cordon are the caller's (restoreNodes).
 */
export async function unshape(kc: KubeConfig, faults: Faults | undefined, done: Reshaped): Promise<void> {
  const failures: string[] = []
  if (done.fillerNamespace) {
    const namespace = done.fillerNamespace
    try {
      const api = core(kc)
      await api.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 })
      await deleteNamespace(kc, namespace)
      await eventually(
        async () => (await api.listNamespacedPod({ namespace })).items.length,
        (n) => n === 0,
        10_000,
        { describe: `the filler pods in ${namespace} to be gone` },
      )
    } catch (e) {
      failures.push(`the filler pods in ${namespace}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  const restarted: string[] = []
  for (const node of done.removed) {
    try {
      if (!faults) throw new Error('no fault door to start its kubelet')
      await faults.startKubelet(node)
      restarted.push(node)
    } catch (e) {
      failures.push(`starting the kubelet of ${node}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  if (restarted.length) {
    try {
      await eventually(
        async () => (await nodes(kc)).filter((n) => restarted.includes(n.metadata?.name ?? '') && isReady(n)).map((n) => n.metadata!.name!),
        (back) => back.length === restarted.length,
        NODE_BACK_WITHIN_MS,
        { describe: `the node${restarted.length === 1 ? '' : 's'} ${restarted.join(', ')} to register again and be Ready` },
      )
    } catch (e) {
      failures.push(`${e instanceof Error ? e.message : String(e)}`)
    }
  }
  if (failures.length) throw new Error(`the shared cluster's nodes could not all be brought back as the scenario found them: ${failures.join('; ')}`)
}
