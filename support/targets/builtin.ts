// The `builtin` target: a fresh reference cluster per scenario, in this process, reached only
// through @kubernetes/client-node with an admin certificate of the cluster's CA (and kubectl
// with the same kubeconfig). It has the trace and faults doors of the built-in orchestrator.

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
    const t: Topology = { name: 'ock' }
    if (topology.nodes !== undefined) t.nodes = topology.nodes
    if (topology.runtime) t.runtime = topology.runtime
    if (topology.store) t.store = topology.store
    const dir = await mkdtemp(join(tmpdir(), 'ock-scenario-'))
    if (topology.admission !== undefined) t.admission = topology.admission
    if (topology.staticTokens !== undefined) {
      t.tokenAuthFile = join(dir, 'tokens.csv')
      await writeFile(t.tokenAuthFile, topology.staticTokens, { mode: 0o600 })
    }
    const auditLogFile = topology.auditLog ? join(dir, 'audit.log') : undefined
    if (auditLogFile) t.audit = { path: auditLogFile }
    let cluster: Cluster
    try {
      cluster = await Cluster.start(t)
    } catch (e) {
      await rm(dir, { recursive: true, force: true })
      throw e
    }
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
        auditLogFile,
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
