// metrics-server as its addon manifest installs it (kubernetes-sigs/metrics-server's
// components.yaml, once kubernetes/cluster/addons/metrics-server): its own identity, a Service
// and Endpoints in kube-system, and the APIService v1beta1.metrics.k8s.io naming them (with
// the cluster CA as caBundle), so the API server proxies metrics.k8s.io to it; then it waits
// for the APIService to be Available, as an installer's `kubectl wait` does. Simplified: no
// Deployment or Pod, the server runs in this process (orchestrator/metrics/server.ts), and the
// Endpoints are written by hand instead of by the endpoints controller from a selector.

import type { KeyPair, CertificateAuthority } from '../../pki/pki.js'
import { Identities } from '../../pki/pki.js'
import type { KObject } from '../../api/meta.js'
import type { ApiClient } from '../../client/client.js'
import type { Runnable } from '../../client/runnable.js'
import { MetricsServer } from '../../metrics/server.js'
import type { Topology } from '../topology.js'

/** What the installer needs of the cluster it installs into. */
export interface AddonHost {
  readonly topology: Topology
  readonly ca: CertificateAuthority
  credentials(identity: { commonName: string; organizations: readonly string[] }): Promise<KeyPair>
  client(identity: { commonName: string; organizations: readonly string[] }, userAgent?: string): Promise<ApiClient>
  /** Starts a component and stops it with the cluster. */
  run(c: Runnable): Promise<void>
}

/** Starts metrics-server in `cluster`, registers metrics.k8s.io, and waits until it is Available. */
export async function installMetricsServer(cluster: AddonHost): Promise<MetricsServer> {
  const host = cluster.topology.host ?? '127.0.0.1'
  const serving = await cluster.ca.issue({
    commonName: 'metrics-server',
    dnsNames: ['metrics-server', 'metrics-server.kube-system.svc'],
    ipAddresses: [host],
    usage: 'server',
  })
  const kubeletClient = await cluster.credentials(Identities.metricsServer)
  const server = new MetricsServer(await cluster.client(Identities.metricsServer, 'metrics-server'), {
    host,
    caPem: cluster.ca.certPem,
    serving,
    kubeletClient,
    resolutionMs: cluster.topology.timings?.metricResolutionMs,
  })
  await cluster.run(server)
  const admin = await cluster.client(Identities.admin, 'ock-addons')
  try {
    const labels = { 'k8s-app': 'metrics-server' }
    const ns = 'kube-system'
    await admin.create(
      { group: '', version: 'v1', resource: 'services', namespace: ns },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'metrics-server', namespace: ns, labels },
        spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: server.port }] },
      },
    )
    await admin.create(
      { group: '', version: 'v1', resource: 'endpoints', namespace: ns },
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'metrics-server', namespace: ns, labels },
        subsets: [{ addresses: [{ ip: host }], ports: [{ name: 'https', port: server.port, protocol: 'TCP' }] }],
      },
    )
    await admin.create(
      { group: 'apiregistration.k8s.io', version: 'v1', resource: 'apiservices' },
      {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: 'v1beta1.metrics.k8s.io', labels },
        spec: {
          group: 'metrics.k8s.io',
          version: 'v1beta1',
          service: { namespace: ns, name: 'metrics-server', port: 443 },
          caBundle: Buffer.from(cluster.ca.certPem).toString('base64'),
          groupPriorityMinimum: 100,
          versionPriority: 100,
        },
      },
    )
    // as an installer's `kubectl wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io`
    const deadline = Date.now() + 20_000
    for (;;) {
      const svc = await admin.get<KObject & { status?: { conditions?: { type: string; status: string; message?: string }[] } }>({
        group: 'apiregistration.k8s.io',
        version: 'v1',
        resource: 'apiservices',
        name: 'v1beta1.metrics.k8s.io',
      })
      const available = svc.status?.conditions?.find((c) => c.type === 'Available')
      if (available?.status === 'True') break
      if (Date.now() > deadline) throw new Error(`metrics.k8s.io did not become available within 20 s: ${available?.message ?? 'no Available condition'}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  } finally {
    admin.close()
  }
  return server
}
