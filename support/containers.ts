// Real-container facts, observed from outside the cluster the way a person at the machine
// would: `docker ps` on the local Docker engine, filtered by the labels the kit's runtime puts
// on every container (ock.dev/pod-uid, ock.dev/pod-name, ...), and `kubectl exec` into pods.
// Only scenarios on the built-in target with the `docker` capability use the engine door.

import { execa } from 'execa'
import { LABELS } from '../orchestrator/runtime/docker/engine.js'
import { CoreV1Api, type CoreV1Event, type KubeConfig, type V1Pod } from '@kubernetes/client-node'
import { kubectlArgs, type CommandResult } from './kubectl.js'
import type { RuntimeDoor } from './targets/target.js'
import type { OckWorld, ThatPod } from './world.js'

export interface RuntimeContainer {
  /** The engine's full id (64 hex digits), as pod.status.containerStatuses[].containerID carries it after docker://. */
  id: string
  state: string
  image: string
  labels: Record<string, string>
}

export { LABELS as CONTAINER_LABELS }

function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const kv of s.split(',')) {
    const i = kv.indexOf('=')
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1)
  }
  return out
}

/** `docker ps -a` for the containers of one pod (by uid), or of every kit container with a label. */
export async function runtimeContainers(filter: { podUid?: string; label?: string } = {}): Promise<RuntimeContainer[]> {
  const args = ['ps', '-a', '--no-trunc', '--format', '{{json .}}']
  if (filter.podUid) args.push('--filter', `label=${LABELS.podUid}=${filter.podUid}`)
  if (filter.label) args.push('--filter', `label=${filter.label}`)
  const r = await execa('docker', args, { reject: false, timeout: 30_000 })
  if (r.exitCode !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.exitCode}): ${r.stderr}`)
  return String(r.stdout)
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const j = JSON.parse(line) as { ID: string; State: string; Image: string; Labels: string }
      return { id: j.ID, state: j.State, image: j.Image, labels: parseLabels(j.Labels) }
    })
}

/** `docker logs` of one container (stdout and stderr together), read from the engine, not through the API. */
export async function runtimeLog(id: string): Promise<string> {
  const r = await execa('docker', ['logs', id], { reject: false, timeout: 30_000, all: true })
  if (r.exitCode !== 0) throw new Error(`docker logs ${id.slice(0, 12)} failed (${r.exitCode}): ${r.stderr}`)
  return String(r.all ?? '')
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
