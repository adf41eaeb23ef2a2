// The `builtin` target: a fresh reference cluster per scenario, in this process, reached only
// through @kubernetes/client-node with an admin certificate of the cluster's CA (and kubectl
// with the same kubeconfig). It has the trace and faults doors of the built-in orchestrator.
// Unless a scenario configures it, the cluster has DEFAULT_NODES simulated worker nodes, as
// `ock up` does.

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { Cluster, type Topology } from '../../orchestrator/cluster/cluster.js'
import { TraceReader } from '../trace.js'
import { createNamespace } from '../kube.js'
import type { Capability, ScenarioTopology, Session, Target } from './target.js'

export class BuiltinTarget implements Target {
  readonly name = 'builtin'

  async capabilities(): Promise<{ available: Set<Capability>; missing: Map<Capability, string> }> {
    const available = new Set<Capability>(['api', 'faults', 'trace', 'config'])
    const missing = new Map<Capability, string>([
      ['docker', 'real containers are not built into this kit yet (the Docker runtime arrives with the real-containers work)'],
      ['etcd', 'the etcd store is not built into this kit yet (it arrives with the etcd work)'],
    ])
    return { available, missing }
  }

  async open(scenarioId: string, topology: ScenarioTopology): Promise<Session> {
    const cluster = await Cluster.start(clusterTopology(topology))
    const dir = await mkdtemp(join(tmpdir(), 'ock-scenario-'))
    try {
      const namespace = `ock-${scenarioId}`
      const kubeconfigFile = join(dir, 'kubeconfig')
      const yaml = cluster.adminKubeconfig(namespace)
      await writeFile(kubeconfigFile, yaml, { mode: 0o600 })
      const kc = new KubeConfig()
      kc.loadFromString(yaml)
      await createNamespace(kc, namespace)
      return {
        kubeconfig: kc,
        kubeconfigFile,
        namespace,
        server: cluster.url,
        caPem: cluster.ca.certPem,
        trace: new TraceReader(kc, cluster.url),
        credentialsFor: (user, groups) => cluster.credentials({ commonName: user, organizations: groups }),
        faults: {
          stopKubelet: (node) => cluster.stopKubelet(node),
          startKubelet: (node) => cluster.startKubelet(node),
          restartKubelet: (node) => cluster.restartKubelet(node),
        },
        close: async () => {
          await cluster.stop()
          await rm(dir, { recursive: true, force: true })
        },
      }
    } catch (e) {
      await cluster.stop()
      await rm(dir, { recursive: true, force: true })
      throw e
    }
  }

  async dispose(): Promise<void> {}
}

/** Worker nodes of a scenario's cluster when the scenario does not say (as `ock up`). */
export const DEFAULT_NODES = 3

/** Scenario timing names -> the reference cluster's configuration (all in ms). */
const TIMINGS: Record<string, (t: NonNullable<Topology['timings']>, ms: number) => void> = {
  kubeletRelistPeriod: (t, ms) => void ((t.kubelet ??= {}).relistPeriodMs = ms),
  kubeletSyncFrequency: (t, ms) => void ((t.kubelet ??= {}).syncFrequencyMs = ms),
  nodeStatusUpdateFrequency: (t, ms) => void ((t.kubelet ??= {}).nodeStatusUpdateFrequencyMs = ms),
  containerRestartBackOff: (t, ms) => void ((t.kubelet ??= {}).backOffInitialMs = ms),
  podInitialBackoff: (t, ms) => void ((t.scheduler ??= {}).podInitialBackoffMs = ms),
  podMaxBackoff: (t, ms) => void ((t.scheduler ??= {}).podMaxBackoffMs = ms),
}

/** What the reference cluster should look like for a scenario's topology. */
export function clusterTopology(s: ScenarioTopology): Topology {
  const t: Topology = { name: 'ock', nodes: s.nodes ?? DEFAULT_NODES }
  if (s.node) t.node = { ...s.node }
  if (s.runtime) t.runtime = s.runtime
  if (s.store) t.store = s.store
  for (const [name, ms] of Object.entries(s.timings ?? {})) {
    const set = TIMINGS[name]
    if (!set) throw new Error(`the built-in cluster has no timing named "${name}"; known: ${Object.keys(TIMINGS).join(', ')}`)
    set((t.timings ??= {}), ms)
  }
  return t
}
