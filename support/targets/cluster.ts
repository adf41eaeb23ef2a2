// The `cluster` target: any Kubernetes-compatible API named by a kubeconfig (KUBECONFIG or the
// `kubeconfig` world parameter). Each scenario gets its own namespace, deleted afterwards.
// Only the `api` capability: no trace, no store door, no faults, no control over the cluster's topology.

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { createNamespace, deleteNamespace } from '../kube.js'
import type { Capability, ScenarioTopology, Session, Target } from './target.js'

export class ClusterTarget implements Target {
  readonly name = 'cluster'
  private readonly base: KubeConfig

  constructor(kubeconfigPath: string | undefined) {
    this.base = new KubeConfig()
    if (kubeconfigPath) this.base.loadFromFile(kubeconfigPath)
    else this.base.loadFromDefault()
    if (!this.base.getCurrentCluster()) {
      throw new Error('the cluster target needs a kubeconfig: set KUBECONFIG (for example KUBECONFIG=reports/kubeconfig after `npx ock up`)')
    }
  }

  async capabilities(): Promise<{ available: Set<Capability>; missing: Map<Capability, string> }> {
    const why = 'the cluster target reaches the cluster only through its API'
    return {
      available: new Set<Capability>(['api']),
      missing: new Map<Capability, string>([
        ['trace', `${why}; the request trace is a door of the built-in orchestrator`],
        ['faults', `${why}; fault injection is a door of the built-in orchestrator`],
        ['config', `${why}; it cannot reconfigure a running cluster's timings, admission or topology`],
        ['docker', `${why}; real-container facts are checked on the built-in orchestrator`],
        ['etcd', `${why}; etcd members are started and killed by the built-in target`],
        ['load', `${why}; a stated load is put on pods through the built-in simulated runtime`],
        ['store', `${why}; its store is read beside the API server only on the built-in orchestrator`],
        ['runtime', `${why}; what each node's container runtime was asked is a door of the built-in orchestrator`],
      ]),
    }
  }

  async open(scenarioId: string, _topology: ScenarioTopology): Promise<Session> {
    const namespace = `ock-${scenarioId}`
    const kc = new KubeConfig()
    kc.loadFromString(this.base.exportConfig())
    const ctx = kc.getContextObject(kc.getCurrentContext())
    if (ctx) kc.contexts = kc.contexts.map((c) => (c.name === ctx.name ? { ...c, namespace } : c))
    const dir = await mkdtemp(join(tmpdir(), 'ock-scenario-'))
    const kubeconfigFile = join(dir, 'kubeconfig')
    await writeFile(kubeconfigFile, kc.exportConfig(), { mode: 0o600 })
    const cluster = kc.getCurrentCluster()!
    const caPem = cluster.caData ? Buffer.from(cluster.caData, 'base64').toString('utf8') : ''
    await createNamespace(kc, namespace)
    return {
      kubeconfig: kc,
      kubeconfigFile,
      namespace,
      server: cluster.server,
      caPem,
      close: async () => {
        await deleteNamespace(kc, namespace).catch(() => undefined)
        await rm(dir, { recursive: true, force: true })
      },
    }
  }

  async dispose(): Promise<void> {}
}
