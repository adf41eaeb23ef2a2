// `ock up` with each kubelet its own OS process, end to end: `node bin/ock.js up` as a child in
// a temp directory, watched through the API with an admin certificate of the cluster's CA
// (.ock/pki) and through .ock/processes.json. Freezing a kubelet with SIGSTOP makes its node
// Ready=Unknown, tainted unreachable and its pod evicted (short upstream-named timing flags);
// SIGCONT brings it back; a node's pressure set with `ock fault` outlives a restart of its kubelet
// process. On Docker, a kubelet killed with SIGKILL (`ock fault stopKubelet`)
// leaves its container running, a restarted one re-adopts it (same container, the restart count
// it had), and `kill -9` of `ock up` leaves no kubelet process and no container behind. A
// kubelet whose Node was deleted while it was stopped registers it again when it starts.

import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, describe, test } from 'node:test'
import { lookupResource } from '../api/resources.js'
import type { Node, Pod } from '../api/types.js'
import { ApiClient, refFor } from '../client/client.js'
import { Identities, loadCertificateAuthority } from '../pki/pki.js'
import { engineStatus } from '../runtime/docker/engine.js'
import { eventually, holdsWithin } from '../testing/eventually.js'
import type { ProcessesState } from './faultcontrol.js'
import { KubeletProcesses, type KubeletProcessSpec } from './kubeletprocs.js'

const OCK = fileURLToPath(new URL('../../bin/ock.js', import.meta.url))
const PODS = lookupResource('', 'pods')!
const NODES = lookupResource('', 'nodes')!

interface Up {
  dir: string
  child: ChildProcess
  exited: Promise<void>
  output: () => string
  client: ApiClient
  state: () => Promise<ProcessesState>
}

const started: Up[] = []

async function up(args: string[]): Promise<Up> {
  const dir = await mkdtemp(join(tmpdir(), 'ock-procs-test-'))
  let out = ''
  const child = spawn(process.execPath, [OCK, 'up', '--kubeconfig', 'kubeconfig', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const state = async (): Promise<ProcessesState> => JSON.parse(await readFile(join(dir, '.ock/processes.json'), 'utf8')) as ProcessesState
  const u: Up = { dir, child, exited, output: () => out, client: undefined as unknown as ApiClient, state }
  started.push(u)
  await eventually(
    `ock up ${args.join(' ')} to be up (output: ${out})`,
    () => (child.exitCode === null ? /Press Ctrl-C/.test(out) : Promise.reject(new Error(out))),
    120_000,
    200,
  )
  const caPem = await readFile(join(dir, '.ock/pki/ca.crt'), 'utf8')
  const ca = await loadCertificateAuthority(caPem, await readFile(join(dir, '.ock/pki/ca.key'), 'utf8'))
  const admin = await ca.issue({ ...Identities.admin, usage: 'client' })
  const url = JSON.parse(await readFile(join(dir, '.ock/up.json'), 'utf8')) as { url: string }
  u.client = new ApiClient({ server: url.url, caPem, certPem: admin.certPem, keyPem: admin.keyPem, userAgent: 'kubeletprocs-test' })
  return u
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  // a zombie still answers kill 0
  const stat = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim()
  return stat !== '' && !stat.startsWith('Z')
}

function fault(u: Up, op: string, ...args: string[]): void {
  const r = spawnSync(process.execPath, [OCK, 'fault', op, ...args, '--dir', join(u.dir, '.ock')], { encoding: 'utf8', timeout: 60_000 })
  assert.equal(r.status, 0, `ock fault ${op} ${args.join(' ')}: ${r.stderr}`)
}

function pod(name: string, node: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: node, terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'registry.internal/ock/app:1' }] },
  } as Pod
}

const ready = (n: Node): string | undefined => n.status?.conditions?.find((c) => c.type === 'Ready')?.status

after(async () => {
  for (const u of started) {
    u.client?.close()
    if (u.child.exitCode === null && u.child.signalCode === null) u.child.kill('SIGKILL')
    await u.exited
    await rm(u.dir, { recursive: true, force: true })
  }
})

describe('KubeletProcesses, with stand-in kubelets', () => {
  const spec = (name: string): KubeletProcessSpec => ({
    kubelet: { nodeName: name, nodeIP: '127.0.0.1', capacity: { cpu: '1', memory: '1Gi', pods: 10 } },
    server: 'https://127.0.0.1:1',
    caPem: 'CA',
    client: { certPem: 'CERT', keyPem: 'KEY' },
    serving: { certPem: 'SCERT', keyPem: 'SKEY' },
    port: 0,
    userAgent: 'test',
    metricsReaders: [],
    runtime: 'sim',
  })
  const node = (script: string): string[] => [process.execPath, '-e', script, '--']

  test('writes the node files 0600, reports the started port, stops and signals by pid; a kubelet that dies before starting is an error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ock-kubeletprocs-'))
    try {
      // a stand-in that reports its start, as bin/ock.js kubelet does, and then idles
      const procs = new KubeletProcesses(dir, node("process.send({ type: 'started', port: 4242 }); setInterval(() => {}, 1000)"), 10_000)
      let changes = 0
      procs.onChange(() => changes++)
      assert.equal(await procs.start(spec('node-1')), 4242)
      assert.equal(await procs.start(spec('node-1')), undefined, 'a second start of a running kubelet is a no-op')
      const pid = procs.pid('node-1')!
      assert.ok(alive(pid))
      assert.deepEqual(procs.pids(), { 'node-1': pid })
      for (const f of ['ca.crt', 'kubelet-client.crt', 'kubelet-client.key', 'kubelet.crt', 'kubelet.key', 'config.json']) {
        const st = await stat(join(dir, 'nodes/node-1', f))
        assert.equal(st.mode & 0o777, 0o600, f)
      }
      const config = JSON.parse(await readFile(join(dir, 'nodes/node-1/config.json'), 'utf8')) as Record<string, unknown>
      assert.equal(config.clientKeyFile, join(dir, 'nodes/node-1/kubelet-client.key'))
      assert.equal(config.caPem, undefined, 'no PEM in the config file, only paths')
      assert.ok(procs.signal('node-1', 'SIGSTOP'))
      await procs.stop('node-1') // SIGCONT first, else the SIGTERM would wait for it
      assert.equal(procs.isRunning('node-1'), false)
      assert.ok(!alive(pid))
      assert.ok(changes >= 2, `changes: ${changes}`)
      const dead = new KubeletProcesses(dir, node('process.exit(3)'), 10_000)
      await assert.rejects(dead.start(spec('node-2')), /the kubelet of node-2 exited before it started \(code 3/)
      const failed = new KubeletProcesses(dir, node("process.send({ type: 'failed', message: 'no CA' }); setInterval(() => {}, 1000)"), 10_000)
      await assert.rejects(failed.start(spec('node-3')), /the kubelet of node-3 failed to start: no CA/)
      await eventually('the failed kubelet is killed', () => !failed.isRunning('node-3'), 5_000)
      await procs.stopAll()
      assert.ok(!existsSync(join(dir, 'nodes')), 'stopAll removes the nodes files')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('ock up: kubelets as processes', { timeout: 240_000 }, () => {
  test('kill -STOP of a kubelet makes its node NotReady, tainted and its pod evicted; kill -CONT brings it back; Ctrl-C leaves nothing', async () => {
    const u = await up([
      '--nodes',
      '2',
      '--node-monitor-period',
      '500ms',
      '--node-monitor-grace-period',
      '2s',
      '--node-lease-duration-seconds',
      '1',
      '--node-status-update-frequency',
      '500ms',
      '--default-not-ready-toleration-seconds',
      '2',
      '--default-unreachable-toleration-seconds',
      '2',
    ])
    const s = await u.state()
    assert.deepEqual(Object.keys(s.nodes), ['node-1', 'node-2'])
    const pids = Object.values(s.nodes) as number[]
    assert.ok(
      pids.every((p) => p && p !== s.pid && alive(p)),
      `kubelet pids ${JSON.stringify(s.nodes)}, ock up ${s.pid}`,
    )
    await u.client.create(refFor(PODS, 'default'), pod('victim', 'node-2'))
    await eventually(
      'pod victim Running on node-2',
      async () => (await u.client.get<Pod>(refFor(PODS, 'default', 'victim'))).status?.phase === 'Running',
      30_000,
      100,
    )

    const stoppedAt = Date.now()
    process.kill(s.nodes['node-2']!, 'SIGSTOP')
    const node = await eventually(
      'node-2 Ready=Unknown and tainted node.kubernetes.io/unreachable:NoExecute',
      async () => {
        const n = await u.client.get<Node>(refFor(NODES, undefined, 'node-2'))
        return ready(n) === 'Unknown' && n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') && n
      },
      15_000,
      100,
    )
    assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.message, 'Kubelet stopped posting node status.')
    await eventually(
      'pod victim evicted (deleted, or terminating)',
      async () => {
        try {
          return Boolean((await u.client.get<Pod>(refFor(PODS, 'default', 'victim'))).metadata?.deletionTimestamp)
        } catch (e) {
          return (e as { code?: number }).code === 404
        }
      },
      15_000,
      100,
    )
    const evictedAfterMs = Date.now() - stoppedAt
    assert.equal(ready(await u.client.get<Node>(refFor(NODES, undefined, 'node-1'))), 'True', 'node-1 stays Ready')

    process.kill(s.nodes['node-2']!, 'SIGCONT')
    await eventually(
      'node-2 Ready again and untainted',
      async () => {
        const n = await u.client.get<Node>(refFor(NODES, undefined, 'node-2'))
        return ready(n) === 'True' && !n.spec?.taints?.some((t) => t.key.startsWith('node.kubernetes.io/'))
      },
      15_000,
      100,
    )
    process.stderr.write(`kill -STOP: pod evicted ${evictedAfterMs} ms after the kubelet stopped\n`)

    // pressure is the machine's: `ock fault` sets it in the kubelet process, and a kubelet
    // restarted (a new process) still reports it until it is cleared
    const diskPressure = async (): Promise<string | undefined> =>
      (await u.client.get<Node>(refFor(NODES, undefined, 'node-1'))).status?.conditions?.find((c) => c.type === 'DiskPressure')?.status
    fault(u, 'setPressure', 'node-1', 'DiskPressure')
    await eventually('node-1 DiskPressure=True', async () => (await diskPressure()) === 'True', 15_000, 100)
    const before = (await u.state()).nodes['node-1']
    fault(u, 'restartKubelet', 'node-1')
    const after = (await u.state()).nodes['node-1']
    assert.ok(after && after !== before, `a new kubelet process (${before} -> ${after})`)
    // the new kubelet posts its status within a second (--node-status-update-frequency 500ms)
    assert.equal(await holdsWithin(async () => (await diskPressure()) !== 'True', 3_000, 100), false, 'DiskPressure stays True across the restart')
    fault(u, 'clearPressure', 'node-1', 'DiskPressure')
    await eventually('node-1 DiskPressure=False', async () => (await diskPressure()) === 'False', 15_000, 100)

    // a kubelet whose Node was deleted while it was stopped registers it again when it starts,
    // as a real kubelet does (the cluster target takes surplus nodes out this way)
    const uid = (await u.client.get<Node>(refFor(NODES, undefined, 'node-2'))).metadata?.uid
    fault(u, 'stopKubelet', 'node-2')
    await u.client.delete(refFor(NODES, undefined, 'node-2'))
    fault(u, 'startKubelet', 'node-2')
    await eventually(
      'node-2 registered again (a new Node) and Ready',
      async () => {
        const n = await u.client.get<Node>(refFor(NODES, undefined, 'node-2')).catch(() => undefined)
        return Boolean(n && n.metadata?.uid !== uid && ready(n) === 'True')
      },
      15_000,
      100,
    )
    pids.push((await u.state()).nodes['node-2']!)

    u.child.kill('SIGINT')
    await u.exited
    assert.equal(u.child.exitCode, 0, u.output())
    assert.ok(!pids.some(alive), `kubelets left: ${pids.filter(alive).join(', ')}`)
    assert.ok(!existsSync(join(u.dir, '.ock')), 'the state directory is removed')
  })

  test('docker: a killed kubelet leaves its container running, a restarted one re-adopts it; kill -9 of ock up leaves nothing', async (t) => {
    const engine = await engineStatus()
    if (!engine.available) return t.skip(`no Docker engine: ${engine.reason}`)
    const u = await up(['--nodes', '1', '--runtime', 'docker'])
    const docker = (...args: string[]): string => spawnSync('docker', args, { encoding: 'utf8' }).stdout.trim()
    const containers = (): string[] => docker('ps', '-q', '--no-trunc', '--filter', `label=ock.dev/owner-pid=${u.child.pid}`).split('\n').filter(Boolean)
    await u.client.create(refFor(PODS, 'default'), pod('web', 'node-1'))
    const running = await eventually(
      'pod web Running on a real container',
      async () => {
        const p = await u.client.get<Pod>(refFor(PODS, 'default', 'web'))
        return p.status?.phase === 'Running' && p
      },
      60_000,
      200,
    )
    const first = running.status!.containerStatuses![0]!.containerID!.replace('docker://', '')
    assert.deepEqual(containers(), [first])
    // one restart before the kubelet dies, so there is a count to keep
    docker('kill', first)
    const restarted = await eventually(
      'pod web restarted once, in a new container',
      async () => {
        const cs = (await u.client.get<Pod>(refFor(PODS, 'default', 'web'))).status?.containerStatuses?.[0]
        return cs?.restartCount === 1 && cs.ready && cs.containerID !== `docker://${first}` && cs
      },
      30_000,
      200,
    )
    const id = restarted.containerID!.replace('docker://', '')
    assert.deepEqual(containers(), [id])

    const before = (await u.state()).nodes['node-1']!
    fault(u, 'stopKubelet', 'node-1')
    assert.equal((await u.state()).nodes['node-1'], null)
    assert.ok(!alive(before), 'the kubelet process is gone')
    assert.deepEqual(containers(), [id], 'its container keeps running')

    fault(u, 'startKubelet', 'node-1')
    const now = (await u.state()).nodes['node-1']!
    assert.ok(now && now !== before && alive(now))
    await eventually(
      'the restarted kubelet reports the same container, restart count still 1',
      async () => {
        const p = await u.client.get<Pod>(refFor(PODS, 'default', 'web'))
        const cs = p.status?.containerStatuses?.[0]
        return cs?.containerID === `docker://${id}` && cs.restartCount === 1 && cs.ready
      },
      30_000,
      200,
    )
    // for a few relists (1 s each), still the one container: no duplicate was started
    assert.equal(await holdsWithin(() => containers().join() !== id, 3_000, 250), false, `no duplicate container: ${containers().join(', ')}`)

    u.child.kill('SIGKILL')
    await u.exited
    await eventually('the kubelet process exits with its parent', () => !alive(now), 15_000, 100)
    await eventually('the node containers are removed', () => containers().length === 0, 30_000, 200)
    await eventually('the node files (keys) are removed', () => !existsSync(join(u.dir, '.ock/nodes')), 10_000, 100)
  })
})
