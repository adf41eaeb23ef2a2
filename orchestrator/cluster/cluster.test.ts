import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiError } from '../api/errors.js'
import type { KObject } from '../api/meta.js'
import type { Deployment, Node, Pod, ReplicaSet } from '../api/types.js'
import type { ApiClient } from '../client/client.js'
import { Identities } from '../pki/pki.js'
import { Cluster } from './cluster.js'

const ns = 'default'
const pods = { group: '', version: 'v1', resource: 'pods', namespace: ns }
const deployments = { group: 'apps', version: 'v1', resource: 'deployments', namespace: ns }
const replicasets = { group: 'apps', version: 'v1', resource: 'replicasets', namespace: ns }
const nodes = { group: '', version: 'v1', resource: 'nodes' }
const events = { group: '', version: 'v1', resource: 'events', namespace: ns }

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = performance.now() + timeoutMs
  let last: T | undefined
  for (;;) {
    last = await probe()
    if (ok(last)) return last
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}; last: ${JSON.stringify(last, null, 1).slice(0, 1500)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

function deployment(name: string, replicas: number, extra: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.internal/ock/app:1' }], ...extra } },
    },
  }
}

const listPods = async (c: ApiClient, app: string): Promise<Pod[]> => (await c.list<Pod>(pods, { labelSelector: `app=${app}` })).items
const running = (ps: Pod[]): Pod[] => ps.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp)

describe('a reference cluster with three simulated nodes', () => {
  let cluster: Cluster
  let admin: ApiClient

  before(async () => {
    cluster = await Cluster.start({ nodes: 3, timings: { kubelet: { relistPeriodMs: 200 } } })
    admin = await cluster.client(Identities.admin)
  })

  after(async () => {
    admin?.close()
    await cluster?.stop()
  })

  it('registers one Ready node per kubelet with capacity, labels, addresses and a pod CIDR', async () => {
    const list = (await admin.list<Node>(nodes)).items
    assert.deepEqual(list.map((n) => n.metadata?.name).sort(), ['node-1', 'node-2', 'node-3'])
    for (const n of list) {
      assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], n.metadata?.name)
      assert.match(n.spec?.podCIDR ?? '', /^127\.\d+\.\d+\.0\/24$/)
      assert.equal(n.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True')
      assert.match(n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '', /^127\./)
      assert.equal(n.status?.capacity?.pods, '110')
      assert.match(n.status?.nodeInfo?.containerRuntimeVersion ?? '', /^sim:\/\//)
    }
    assert.equal(new Set(list.map((n) => n.spec?.podCIDR)).size, 3, 'pod CIDRs do not overlap')
  })

  it('runs a Deployment: ReplicaSet, pods bound by the scheduler and Running with IPs from their node', async () => {
    await admin.create(deployments, deployment('web', 3))
    const ps = await until(
      '3 running pods',
      () => listPods(admin, 'web'),
      (ps) => running(ps).length === 3,
    )
    const rs = (await admin.list<ReplicaSet>(replicasets)).items.find((r) => r.metadata?.ownerReferences?.[0]?.name === 'web')!
    assert.match(rs.metadata!.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/)
    assert.ok(rs.metadata?.labels?.['pod-template-hash'])
    const nodeList = (await admin.list<Node>(nodes)).items
    for (const p of ps) {
      assert.equal(p.metadata?.ownerReferences?.[0]?.kind, 'ReplicaSet')
      assert.equal(p.metadata?.ownerReferences?.[0]?.controller, true)
      const node = nodeList.find((n) => n.metadata?.name === p.spec?.nodeName)!
      const prefix = node.spec!.podCIDR!.split('.').slice(0, 3).join('.')
      assert.ok(p.status?.podIP?.startsWith(`${prefix}.`), `${p.status?.podIP} in ${node.spec?.podCIDR}`)
      assert.equal(p.status?.qosClass, 'BestEffort')
      assert.deepEqual(
        p.status?.conditions
          ?.filter((c) => c.status === 'True')
          .map((c) => c.type)
          .sort(),
        ['ContainersReady', 'Initialized', 'PodReadyToStartContainers', 'PodScheduled', 'Ready'],
      )
    }
    const d = await until(
      'deployment status',
      () => admin.get<Deployment>({ ...deployments, name: 'web' }),
      (d) => d.status?.availableReplicas === 3,
    )
    assert.equal(d.status?.readyReplicas, 3)
    assert.equal(d.status?.updatedReplicas, 3)
    assert.equal(d.status?.observedGeneration, d.metadata?.generation)
    assert.equal(d.status?.conditions?.find((c) => c.type === 'Available')?.status, 'True')
    const evs = (await admin.list(events)).items as (KObject & { reason?: string; source?: { component?: string } })[]
    for (const reason of ['ScalingReplicaSet', 'SuccessfulCreate', 'Scheduled', 'Pulling', 'Created', 'Started']) {
      assert.ok(
        evs.some((e) => e.reason === reason),
        `an event ${reason}`,
      )
    }
  })

  it('scales up and down, and replaces a deleted pod', async () => {
    await admin.patch({ ...deployments, name: 'web' }, { spec: { replicas: 5 } })
    await until(
      '5 running',
      () => listPods(admin, 'web'),
      (ps) => running(ps).length === 5,
    )
    await admin.patch({ ...deployments, name: 'web' }, { spec: { replicas: 2 } })
    const two = await until(
      '2 pods left',
      () => listPods(admin, 'web'),
      (ps) => ps.length === 2 && running(ps).length === 2,
    )
    const victim = two[0]!
    await admin.delete({ ...pods, name: victim.metadata!.name })
    const after = await until(
      'a replacement',
      () => listPods(admin, 'web'),
      (ps) => running(ps).length === 2 && !ps.some((p) => p.metadata?.uid === victim.metadata?.uid),
    )
    assert.ok(after.every((p) => p.metadata?.name !== victim.metadata?.name))
  })

  it('rolls out a new template through a new ReplicaSet', async () => {
    await admin.patch(
      { ...deployments, name: 'web' },
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.internal/ock/app:2' }] } } } },
    )
    await until(
      'all pods on image 2',
      () => listPods(admin, 'web'),
      (ps) => running(ps).length === 2 && ps.length === 2 && ps.every((p) => p.spec?.containers[0]?.image === 'registry.internal/ock/app:2'),
    )
    const rss = (await admin.list<ReplicaSet>(replicasets)).items.filter((r) => r.metadata?.ownerReferences?.[0]?.name === 'web')
    assert.equal(rss.length, 2)
    assert.deepEqual(rss.map((r) => r.spec?.replicas).sort(), [0, 2])
    const d = await until(
      'complete',
      () => admin.get<Deployment>({ ...deployments, name: 'web' }),
      (d) => d.status?.conditions?.find((c) => c.type === 'Progressing')?.reason === 'NewReplicaSetAvailable',
    )
    assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2')
  })

  it('leaves a pod that fits nowhere Pending with the reason (PodScheduled=False, FailedScheduling)', async () => {
    await admin.create(pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'big', labels: { app: 'big' } },
      spec: { containers: [{ name: 'app', image: 'registry.internal/ock/app:1', resources: { requests: { cpu: '5' } } }] },
    })
    const p = await until(
      'PodScheduled=False',
      () => admin.get<Pod>({ ...pods, name: 'big' }),
      (p) => p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') ?? false,
    )
    const c = p.status!.conditions!.find((c) => c.type === 'PodScheduled')!
    assert.equal(c.reason, 'Unschedulable')
    assert.equal(c.message, '0/3 nodes are available: 3 Insufficient cpu.')
    const ev = await until(
      'FailedScheduling',
      async () => ((await admin.list(events)).items as (KObject & { reason?: string; message?: string })[]).find((e) => e.reason === 'FailedScheduling'),
      (e) => Boolean(e),
    )
    assert.equal(ev!.message, '0/3 nodes are available: 3 Insufficient cpu.')
    await admin.delete({ ...pods, name: 'big' })
  })

  it('retries an unschedulable pod when a node changes so that it fits', async () => {
    await admin.create(pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'picky' },
      spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'app', image: 'registry.internal/ock/app:1' }] },
    })
    const p = await until(
      'unschedulable',
      () => admin.get<Pod>({ ...pods, name: 'picky' }),
      (p) => p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') ?? false,
    )
    assert.equal(
      p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message,
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
    )
    await admin.patch({ ...nodes, name: 'node-3' }, { metadata: { labels: { disk: 'ssd' } } })
    const bound = await until(
      'bound to node-3',
      () => admin.get<Pod>({ ...pods, name: 'picky' }),
      (p) => p.status?.phase === 'Running',
    )
    assert.equal(bound.spec?.nodeName, 'node-3')
    await admin.delete({ ...pods, name: 'picky' })
  })

  it('cascades deletes: background, foreground and orphan', async () => {
    await admin.create(deployments, deployment('fg', 2))
    await until(
      '2 fg pods',
      () => listPods(admin, 'fg'),
      (ps) => running(ps).length === 2,
    )
    await admin.delete({ ...deployments, name: 'fg' }, { propagationPolicy: 'Foreground' })
    await until(
      'fg and its pods gone',
      async () => ({
        d: await admin.get({ ...deployments, name: 'fg' }).catch((e: unknown) => (e instanceof ApiError ? undefined : Promise.reject(e))),
        ps: await listPods(admin, 'fg'),
      }),
      (v) => !v.d && v.ps.length === 0,
    )

    await admin.create(deployments, deployment('orph', 2))
    await until(
      '2 orph pods',
      () => listPods(admin, 'orph'),
      (ps) => running(ps).length === 2,
    )
    await admin.delete({ ...deployments, name: 'orph' }, { propagationPolicy: 'Orphan' })
    await until(
      'deployment gone',
      () => admin.list(deployments),
      (l) => !l.items.some((d) => d.metadata?.name === 'orph'),
    )
    const rs = await until(
      'orphaned replica set',
      async () => (await admin.list<ReplicaSet>(replicasets, { labelSelector: 'app=orph' })).items,
      (l) => l.length === 1 && !l[0]!.metadata?.ownerReferences?.length,
    )
    assert.equal(running(await listPods(admin, 'orph')).length, 2, 'the pods keep running')
    await admin.delete({ ...replicasets, name: rs[0]!.metadata!.name }) // background
    await until(
      'orph pods gone',
      () => listPods(admin, 'orph'),
      (ps) => ps.length === 0,
    )
  })

  it('a restarted kubelet finds its Node again instead of adding one', async () => {
    const before = await admin.get<Node>({ ...nodes, name: 'node-2' })
    await cluster.restartKubelet('node-2')
    const list = (await admin.list<Node>(nodes)).items
    assert.equal(list.filter((n) => n.metadata?.name === 'node-2').length, 1)
    const after = await admin.get<Node>({ ...nodes, name: 'node-2' })
    assert.equal(after.metadata?.uid, before.metadata?.uid)
  })
})

describe('node faults, and healing them all', () => {
  let cluster: Cluster
  let admin: ApiClient

  before(async () => {
    cluster = await Cluster.start({
      nodes: 2,
      timings: {
        kubelet: { nodeStatusUpdateFrequencyMs: 200, nodeLeaseDurationMs: 1_000 },
        nodeLifecycle: { nodeMonitorPeriodMs: 200, nodeMonitorGracePeriodMs: 1_000 },
      },
    })
    admin = await cluster.client(Identities.admin)
  })

  after(async () => {
    admin?.close()
    await cluster?.stop()
  })

  const node = (name: string): Promise<Node> => admin.get<Node>({ ...nodes, name })
  const conditionOf = (n: Node, type: string): string | undefined => n.status?.conditions?.find((c) => c.type === type)?.status
  const taintKeys = (n: Node): string[] => (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort()

  it('shows each fault on its Node, and healNodeFaults() brings both nodes back Ready and untainted', async () => {
    cluster.setRuntimeReachable('node-1', false)
    cluster.setPressure('node-1', 'DiskPressure', true)
    cluster.freezeHeartbeats('node-2', true)
    await until(
      'node-1 NotReady under disk pressure',
      () => node('node-1'),
      (n) => conditionOf(n, 'Ready') === 'False' && conditionOf(n, 'DiskPressure') === 'True',
    )
    await until(
      'node-2 Unknown',
      () => node('node-2'),
      (n) => conditionOf(n, 'Ready') === 'Unknown',
    )
    await until(
      'node-1 tainted not-ready and disk-pressure',
      () => node('node-1'),
      (n) => taintKeys(n).includes('node.kubernetes.io/disk-pressure:NoSchedule') && taintKeys(n).includes('node.kubernetes.io/not-ready:NoExecute'),
    )
    await cluster.setKubeletVersion('node-2', 'v1.20.0')
    await cluster.stopKubelet('node-1')

    await cluster.healNodeFaults()
    for (const name of ['node-1', 'node-2']) {
      const n = await until(
        `${name} Ready without taints`,
        () => node(name),
        (x) => conditionOf(x, 'Ready') === 'True' && taintKeys(x).length === 0,
      )
      assert.equal(conditionOf(n, 'DiskPressure'), 'False')
      assert.notEqual(n.status?.nodeInfo?.kubeletVersion, 'v1.20.0')
    }
  })
})

describe('restart policies on the simulated runtime', () => {
  let cluster: Cluster
  let admin: ApiClient

  before(async () => {
    cluster = await Cluster.start({ nodes: 1, timings: { kubelet: { relistPeriodMs: 100, backOffInitialMs: 300, backOffMaxMs: 1_000 } } })
    admin = await cluster.client(Identities.admin)
  })

  after(async () => {
    admin?.close()
    await cluster?.stop()
  })

  const crashing = (name: string, restartPolicy: string, code: string): KObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      restartPolicy,
      containers: [
        {
          name: 'app',
          image: 'registry.internal/ock/app:1',
          env: [
            { name: 'OCK_SIM_EXIT_AFTER', value: '100ms' },
            { name: 'OCK_SIM_EXIT_CODE', value: code },
          ],
        },
      ],
    },
  })

  it('restarts a container that keeps failing (Always), with back-off between restarts', async () => {
    await admin.create(pods, crashing('crashy', 'Always', '1'))
    const p = await until(
      'a restart and a back-off',
      () => admin.get<Pod>({ ...pods, name: 'crashy' }),
      (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 && p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff',
    )
    const cs = p.status!.containerStatuses![0]!
    assert.equal(cs.lastState?.terminated?.exitCode, 1)
    assert.equal(p.status?.phase, 'Running', 'a crash-looping pod with restartPolicy Always stays Running, as upstream')
    const evs = (await admin.list(events, { fieldSelector: 'involvedObject.name=crashy,reason=BackOff' })).items
    assert.ok(evs.length >= 1, 'a BackOff event')
  })

  it('does not restart a finished container (Never, OnFailure after success) and reports the final phase', async () => {
    await admin.create(pods, crashing('once-ok', 'Never', '0'))
    await admin.create(pods, crashing('once-bad', 'Never', '3'))
    await admin.create(pods, crashing('retry-ok', 'OnFailure', '0'))
    const ok = await until(
      'Succeeded',
      () => admin.get<Pod>({ ...pods, name: 'once-ok' }),
      (p) => p.status?.phase === 'Succeeded',
    )
    const bad = await until(
      'Failed',
      () => admin.get<Pod>({ ...pods, name: 'once-bad' }),
      (p) => p.status?.phase === 'Failed',
    )
    const retry = await until(
      'Succeeded',
      () => admin.get<Pod>({ ...pods, name: 'retry-ok' }),
      (p) => p.status?.phase === 'Succeeded',
    )
    assert.equal(ok.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed')
    assert.equal(bad.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 3)
    assert.equal(retry.status?.containerStatuses?.[0]?.restartCount, 0)
  })

  it('reports an image that cannot be pulled as ErrImagePull, then ImagePullBackOff', async () => {
    await admin.create(pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'nopull' },
      spec: { containers: [{ name: 'app', image: 'registry.invalid/ock/none:1' }] },
    })
    const p = await until(
      'ImagePullBackOff',
      () => admin.get<Pod>({ ...pods, name: 'nopull' }),
      (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff',
    )
    assert.equal(p.status?.phase, 'Pending')
    assert.match(p.status!.containerStatuses![0]!.state!.waiting!.message!, /no such host/)
  })
})

describe('stopping a cluster while its resources are given back in the background', () => {
  it('stops serving before stopComponents() resolves, frees the network slot once reclaimed, and is idempotent', async () => {
    const cluster = await Cluster.start({ nodes: 1 })
    const slotFile = join(tmpdir(), `ock-netlease-slot-${cluster.lease.slot}.lock`)
    assert.ok(existsSync(slotFile), 'the running cluster holds its network slot')
    const { hostname, port } = new URL(cluster.url)
    const connects = (): Promise<boolean> =>
      new Promise((resolve) => {
        const socket = connect({ host: hostname, port: Number(port) })
        socket.once('connect', () => (socket.destroy(), resolve(true)))
        socket.once('error', () => resolve(false))
      })
    assert.ok(await connects(), 'the API server listens while the cluster runs')
    const first = await cluster.stopComponents()
    assert.ok(!(await connects()), 'no API server listens once the components are stopped')
    const second = await cluster.stopComponents()
    assert.equal(second.reclaimed, first.reclaimed, 'a second call waits for the same reclaim')
    await first.reclaimed
    assert.ok(!existsSync(slotFile), 'the slot is released once the resources are reclaimed')
    await cluster.stop() // a no-op now
  })
})
