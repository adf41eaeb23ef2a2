// The `builtin` target: a fresh reference cluster per scenario, in this process, reached only
// through @kubernetes/client-node with an admin certificate of the cluster's CA (and kubectl
// with the same kubeconfig). It has the trace and faults doors of the built-in orchestrator.
// Its first capability check asks the Docker engine whether it answers, which also removes the
// containers that interrupted OCK runs left behind.

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { Cluster, dockerEngineStatus, type Topology } from '../../orchestrator/cluster/cluster.js'
import { TraceReader } from '../trace.js'
import { createNamespace } from '../kube.js'
import type { Capability, ScenarioTopology, Session, Target } from './target.js'

export class BuiltinTarget implements Target {
  readonly name = 'builtin'
  private docker?: Promise<string>

  async capabilities(): Promise<{ available: Set<Capability>; missing: Map<Capability, string> }> {
    const available = new Set<Capability>(['api', 'faults', 'trace', 'config'])
    const missing = new Map<Capability, string>([
      ['docker', await (this.docker ??= this.dockerReason())],
      ['etcd', 'the etcd store is not built into this kit yet (it arrives with the etcd work)'],
    ])
    return { available, missing }
  }

  /** Why `docker` is missing: the engine does not answer, or no kubelet drives the Docker runtime yet. */
  private async dockerReason(): Promise<string> {
    const engine = await dockerEngineStatus()
    if (!engine.available) return `the Docker engine does not answer (${engine.reason}); start dockerd to run real-container scenarios`
    return `the Docker engine answers (${engine.version}) and OCK's Docker runtime is built, but no kubelet drives it yet: real-container scenarios arrive with the kubelet`
  }

  async open(scenarioId: string, topology: ScenarioTopology): Promise<Session> {
    const t: Topology = { name: 'ock' }
    if (topology.nodes !== undefined) t.nodes = topology.nodes
    if (topology.runtime) t.runtime = topology.runtime
    if (topology.store) t.store = topology.store
    // the service proxy and ingress forward to pod IPs, which only real containers listen on
    t.proxy = topology.runtime === 'docker'
    const cluster = await Cluster.start(t)
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
