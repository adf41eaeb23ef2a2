import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import https from 'node:https'
import { createCertificateAuthority, Identities, type KeyPair } from '../pki/pki.js'
import type { Pod } from '../api/types.js'
import { SimulatedRuntime } from '../runtime/simulated/simulated.js'
import { KubeletServer } from './server.js'
import { goFloat, mountResourceMetrics, resourceMetricsAuthorizer, resourceMetricsText, ResourceStats, type UsageSnapshot } from './stats.js'

describe('resource metrics of the kubelet', () => {
  it('writes floats as Go (and so Prometheus) does', () => {
    for (const [f, s] of [
      [0, '0'],
      [1.5, '1.5'],
      [12345, '12345'],
      [123456, '123456'],
      [1234567, '1.234567e+06'],
      [1e21, '1e+21'],
      [0.0001, '0.0001'],
      [0.00001234, '1.234e-05'],
      [4194304, '4.194304e+06'],
    ] as const) {
      assert.equal(goFloat(f), s, String(f))
    }
  })

  it('writes the Prometheus text metrics-server parses', () => {
    const snap: UsageSnapshot = {
      nodeName: 'node-1',
      timestamp: 1700000000123,
      node: { cpuSeconds: 12.5, cpuMillis: 250, memoryBytes: 8388608, startTime: 0 },
      pods: [
        {
          namespace: 'shop',
          name: 'web-1',
          uid: 'u',
          containers: [{ name: 'app', startTime: 1699999999000, cpuSeconds: 2.25, cpuMillis: 200, memoryBytes: 4194304 }],
        },
      ],
      errors: 0,
    }
    const text = resourceMetricsText(snap)
    assert.match(text, /^# HELP container_cpu_usage_seconds_total \[STABLE\] Cumulative cpu time consumed by the container in core-seconds$/m)
    assert.match(text, /^# TYPE container_cpu_usage_seconds_total counter$/m)
    assert.match(text, /^container_cpu_usage_seconds_total\{container="app",namespace="shop",pod="web-1"\} 2\.25 1700000000123$/m)
    assert.match(text, /^container_memory_working_set_bytes\{container="app",namespace="shop",pod="web-1"\} 4\.194304e\+06 1700000000123$/m)
    assert.match(text, /^container_start_time_seconds\{container="app",namespace="shop",pod="web-1"\} 1\.699999999e\+09 1700000000123$/m)
    assert.match(text, /^pod_cpu_usage_seconds_total\{namespace="shop",pod="web-1"\} 2\.25 1700000000123$/m)
    assert.match(text, /^node_cpu_usage_seconds_total 12\.5 1700000000123$/m)
    assert.match(text, /^node_memory_working_set_bytes 8\.388608e\+06 1700000000123$/m)
    assert.match(text, /^resource_scrape_error 0$/m)
  })

  it('keeps the node CPU counter growing when containers go away', async () => {
    const rt = new SimulatedRuntime()
    const pods = new Map<string, Pod>([['u1', { metadata: { name: 'web-1', namespace: 'shop', uid: 'u1' } } as Pod]])
    const stats = new ResourceStats({ nodeName: 'node-1', runtime: rt, podOf: (uid) => pods.get(uid) })
    const id = await rt.createContainer({
      podUid: 'u1',
      podName: 'web-1',
      podNamespace: 'shop',
      name: 'app',
      image: 'i:1',
      podIP: '127.64.0.2',
      attempt: 0,
      env: { OCK_SIM_CPU: '500m' },
    })
    await rt.startContainer(id)
    const orphan = await rt.createContainer({ podUid: 'gone', podName: 'x', podNamespace: 'shop', name: 'app', image: 'i:1', podIP: '127.64.0.3', attempt: 0 })
    await rt.startContainer(orphan)
    await new Promise((r) => setTimeout(r, 30))
    const first = await stats.collect()
    assert.equal(first.pods.length, 1, 'containers of pods the kubelet does not know are counted for the node only')
    assert.equal(first.pods[0]!.containers[0]!.cpuMillis, 500)
    assert.ok(first.node.cpuSeconds > 0)
    await rt.stopContainer(id, 0)
    await rt.removeContainer(id)
    const second = await stats.collect()
    assert.ok(second.node.cpuSeconds >= first.node.cpuSeconds, `${second.node.cpuSeconds} >= ${first.node.cpuSeconds}`)
    assert.equal(second.pods.length, 0)
    await rt.close()
  })

  describe('on the kubelet endpoint', () => {
    let server: KubeletServer
    let caPem: string
    let collector: KeyPair
    let stranger: KeyPair
    let admin: KeyPair
    const rt = new SimulatedRuntime()

    before(async () => {
      const ca = await createCertificateAuthority()
      caPem = ca.certPem
      const serving = await ca.issue({ commonName: 'node-1', ipAddresses: ['127.0.0.1'], usage: 'server' })
      collector = await ca.issue({ commonName: 'system:serviceaccount:kube-system:metrics-server', usage: 'client' })
      stranger = await ca.issue({ commonName: 'alice', usage: 'client' })
      admin = await ca.issue({ ...Identities.apiserverKubeletClient, usage: 'client' })
      server = new KubeletServer({
        host: '127.0.0.1',
        caPem,
        serving,
        authorize: resourceMetricsAuthorizer(['system:serviceaccount:kube-system:metrics-server']),
      })
      server.route('/containerLogs/', (_req, res) => void res.end('logs'))
      mountResourceMetrics(server, { nodeName: 'node-1', runtime: rt, podOf: () => undefined })
      await server.start()
    })

    after(async () => {
      await server.stop()
      await rt.close()
    })

    const get = (path: string, creds: KeyPair): Promise<{ code: number; body: string; type?: string }> =>
      new Promise((resolve, reject) => {
        const req = https.get({ host: '127.0.0.1', port: server.port, path, ca: caPem, cert: creds.certPem, key: creds.keyPem, agent: false }, (res) => {
          let body = ''
          res.on('data', (c: Buffer) => (body += c.toString()))
          res.on('end', () => resolve({ code: res.statusCode ?? 0, body, type: res.headers['content-type'] }))
        })
        req.on('error', reject)
      })

    it('lets the metrics collector read usage, and nothing else', async () => {
      const m = await get('/metrics/resource', collector)
      assert.equal(m.code, 200)
      assert.match(m.type ?? '', /^text\/plain; version=0\.0\.4/)
      assert.match(m.body, /^node_cpu_usage_seconds_total /m)
      const s = await get('/stats/summary', collector)
      assert.equal(s.code, 200)
      assert.equal((JSON.parse(s.body) as { node: { nodeName: string } }).node.nodeName, 'node-1')
      assert.equal((await get('/containerLogs/a/b/c', collector)).code, 403)
      assert.equal((await get('/metrics/resource', stranger)).code, 403)
      assert.equal((await get('/metrics/resource', admin)).code, 200)
    })
  })
})
