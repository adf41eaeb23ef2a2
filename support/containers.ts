// Real-container facts through the Kubernetes API, as on any cluster: what the pod status says
// each container is doing (containerID, state), what a container logged (pods/log, also the
// one a pod was restarted from), commands run in it (`kubectl exec`, pods/exec), and what the
// kubelet reported doing to it (Events). The container engine beside the API (Session.engine,
// support/engine.ts) is only an extra check on the reference target.

import { CoreV1Api, type CoreV1Event, type KubeConfig, type V1Pod } from '@kubernetes/client-node'
import { kubectlArgs, type CommandResult } from './kubectl.js'
import type { RuntimeDoor } from './targets/target.js'
import type { OckWorld, ThatPod } from './world.js'

export { CONTAINER_LABELS } from './engine.js'

/**
 * What the pod status says about the pod's containers, as problems (none when every container
 * of its spec is reported running, with a containerID, and none is reported that the spec lacks).
 */
export function runningContainerProblems(p: V1Pod): string[] {
  const want = (p.spec?.containers ?? []).map((c) => c.name).sort()
  const statuses = p.status?.containerStatuses ?? []
  const problems: string[] = []
  const have = statuses.map((c) => c.name).sort()
  if (JSON.stringify(have) !== JSON.stringify(want))
    problems.push(`status.containerStatuses names ${have.join(', ') || 'no container'}, the spec ${want.join(', ')}`)
  for (const c of statuses) {
    if (!c.containerID) problems.push(`${c.name} has no containerID`)
    if (!c.state?.running) problems.push(`${c.name} is not running (${Object.keys(c.state ?? {}).join(', ') || 'no state'})`)
  }
  return problems
}

/** The containerID of each container of the pod status (`docker://<id>`), by container name. */
export function containerIDs(p: V1Pod): Map<string, string> {
  return new Map((p.status?.containerStatuses ?? []).filter((c) => c.containerID).map((c) => [c.name, c.containerID!]))
}

/** The runtime's own id in a containerID (`docker://abc` -> `abc`). */
export function runtimeId(containerID: string): string {
  return containerID.replace(/^[a-z0-9-]+:\/\//, '')
}

/** A container's log through the API (pods/log; `previous`: the container it was restarted from). */
export async function podLog(kc: KubeConfig, namespace: string, name: string, opts: { container?: string; previous?: boolean } = {}): Promise<string> {
  return kc.makeApiClient(CoreV1Api).readNamespacedPodLog({ name, namespace, container: opts.container, previous: opts.previous })
}

/** `kubectl exec <pod> [-c container] -- <command...>` with the scenario's kubeconfig. */
export function execInPod(kubeconfigFile: string, pod: string, command: string[], container?: string): Promise<CommandResult> {
  return kubectlArgs(['exec', pod, ...(container ? ['-c', container] : []), '--', ...command], kubeconfigFile)
}

export function rememberThatPod(world: OckWorld, pod: V1Pod): void {
  world.remembered.thatPod = { name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '', containerID: pod.status?.containerStatuses?.[0]?.containerID }
}

export function thatPod(world: OckWorld): ThatPod {
  const p = world.remembered.thatPod
  if (!p) throw new Error('no earlier step acted on a pod ("When I run ... in one of the pods labelled ...")')
  return p
}

/**
 * The Events kubelets wrote in a namespace (source.component "kubelet"), in the order the API
 * stored them (resourceVersion; numeric on the built-in cluster and on etcd-backed ones).
 */
export async function kubeletEvents(kc: KubeConfig, namespace: string): Promise<CoreV1Event[]> {
  const { items } = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace })
  return items.filter((e) => e.source?.component === 'kubelet').sort((a, b) => Number(a.metadata?.resourceVersion) - Number(b.metadata?.resourceVersion))
}

/**
 * Which containers of the pod (by uid) the kubelet reported stopping (its `Killing` events,
 * "Stopping container <name>"), as `<container>` names; the kubelet of `node` when given.
 */
export function stoppedContainers(events: readonly CoreV1Event[], podUid: string, node?: string): string[] {
  return events
    .filter((e) => e.reason === 'Killing' && e.involvedObject?.uid === podUid && (!node || e.source?.host === node))
    .map((e) => /\{(.+)\}$/.exec(e.involvedObject?.fieldPath ?? '')?.[1] ?? /Stopping container (\S+)/.exec(e.message ?? '')?.[1] ?? '?')
}

/**
 * Every container each node's runtime created, held against where the API says its pod is
 * bound: `wrong` lists those created for a pod bound elsewhere (or to no node, or unknown to the
 * API), `missing` the pods of `expected` no container was created for on their node.
 */
export function runtimeCallsAgainstBindings(
  door: RuntimeDoor,
  pods: readonly V1Pod[],
  expected: readonly V1Pod[],
): { wrong: string[]; missing: string[]; created: string[] } {
  const byUid = new Map(pods.map((p) => [p.metadata?.uid ?? '', p]))
  const wrong: string[] = []
  const created: string[] = []
  const ranOn = new Set<string>()
  for (const node of door.nodes()) {
    for (const c of door.containersCreatedOn(node)) {
      const pod = byUid.get(c.podUid)
      created.push(`${node}: ${c.podNamespace}/${c.podName} ${c.container}`)
      // other namespaces (system pods) are not this scenario's
      if (!pod && c.podNamespace !== pods[0]?.metadata?.namespace) continue
      if (pod?.spec?.nodeName !== node)
        wrong.push(
          `${node} created ${c.container} of ${c.podNamespace}/${c.podName}, a pod ${pod ? `bound to ${pod.spec?.nodeName ?? 'no node'}` : 'the API does not know'}`,
        )
      else ranOn.add(c.podUid)
    }
  }
  const missing = expected.filter((p) => !ranOn.has(p.metadata?.uid ?? '')).map((p) => `${p.metadata?.name} (bound to ${p.spec?.nodeName ?? 'no node'})`)
  return { wrong, missing, created }
}
