// The ContainerRuntime contract against the real Docker engine (real containers of OCK's
// images, on loopback pod IPs). Every container is removed at the end, even on failure.

import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { hostname } from 'node:os'
import { runtimeContract } from '../contract.js'
import { ContainerNotFoundError, ImagePullError, RuntimeUnavailableError, type ContainerConfig, type ContainerStatus } from '../runtime.js'
import { DockerRuntime, runtimeError } from './docker.js'
import { demux } from './streams.js'
import { engine, engineStatus, LABELS, sweepOrphans } from './engine.js'
import { images, qualifiedReference } from './images.js'
import { eventually as eventuallyWithin } from '../../testing/eventually.js'

const APP = 'registry.internal/ock/app:1'
const used = new Set<string>()

/** A loopback address nobody listens on at :8080 (tests use 127.90-99.x.y, outside cluster leases). */
async function podIP(): Promise<string> {
  for (;;) {
    const ip = `127.${90 + Math.floor(Math.random() * 10)}.${Math.floor(Math.random() * 256)}.${2 + Math.floor(Math.random() * 250)}`
    if (used.has(ip)) continue
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer()
      s.once('error', () => resolve(false))
      s.listen(8080, ip, () => s.close(() => resolve(true)))
    })
    if (free) {
      used.add(ip)
      return ip
    }
  }
}

/** Containers take longer than in-memory objects: 15 s by default, polled every 100 ms. */
const eventually = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> => eventuallyWithin(what, fn, timeoutMs, 100)

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) })
  return { status: res.status, body: await res.text() }
}

function config(over: Partial<ContainerConfig> & { podIP: string }): ContainerConfig {
  return { podUid: `uid-${Math.random().toString(16).slice(2, 10)}`, podName: 'web-0', podNamespace: 'test', name: 'app', image: APP, attempt: 0, ...over }
}

// Without a Docker engine these tests are skipped with the reason, unless OCK_REQUIRE_DOCKER=1 (CI)
const docker = await engineStatus()
const skip = docker.available || process.env.OCK_REQUIRE_DOCKER === '1' ? false : `no Docker engine: ${docker.reason}`

// The same contract the simulated runtime passes, on real containers: scripts are shell
// commands in the app image (PID 1 is `sh`, which traps SIGTERM or ignores it as asked).
const idle = 'while :; do sleep 1 & wait $!; done'
if (skip) describe('ContainerRuntime contract: docker', { skip }, () => undefined)
else
  runtimeContract('docker', async () => new DockerRuntime({ nodeName: 'contract' }), {
    image: APP,
    missingImage: 'registry.internal/ock/nope:1',
    scripts: {
      runs: () => ({ command: ['sh', '-c', `trap 'exit 0' TERM; ${idle}`] }),
      exitsAfter: (ms, code) => ({ command: ['sh', '-c', `sleep ${(ms / 1000).toFixed(3)}; exit ${code}`] }),
      printsThenRuns: (line) => ({ command: ['sh', '-c', `trap 'exit 0' TERM; echo "$LINE"; ${idle}`], env: { LINE: line } }),
      ignoresSigterm: () => ({ command: ['sh', '-c', `trap '' TERM; while :; do sleep 1; done`] }),
    },
    exec: { succeeds: ['true'], fails: ['sh', '-c', 'exit 3'], echo: (text) => ['echo', text], cat: ['cat'] },
    timeoutMs: 15_000,
  })

describe('DockerRuntime on the real engine', { timeout: 180_000, skip }, () => {
  const rt = new DockerRuntime({ nodeName: 'test-node' })
  let status: (id: string) => Promise<ContainerStatus | undefined>

  before(async () => {
    status = async (id) => (await rt.listContainers()).find((c) => c.id === id)
  })
  after(async () => {
    await rt.close()
  })

  test('reports the engine version and readiness', async () => {
    assert.match(await rt.version(), /^docker:\/\/\d+\.\d+\.\d+$/)
    assert.deepEqual(await rt.status(), { ready: true })
  })

  test('pulls OCK images by building them once; unknown images fail like a failed pull', async () => {
    const first = await rt.pullImage(APP)
    assert.match(first.imageId, /^sha256:[0-9a-f]{64}$/)
    const t0 = performance.now()
    assert.deepEqual(await rt.pullImage(APP), first)
    assert.ok(performance.now() - t0 < 500, 'a second pull is served from the cache')
    for (const ref of ['ock-no-such-image:1', 'registry.internal/ock/nope:1']) {
      await assert.rejects(rt.pullImage(ref), (e: unknown) => {
        assert.ok(e instanceof ImagePullError)
        assert.equal(e.image, ref)
        assert.ok(e.message.startsWith(`Failed to pull image "${ref}": rpc error: code = NotFound`), e.message)
        return true
      })
    }
    assert.equal(qualifiedReference('nginx'), 'docker.io/library/nginx:latest')
    assert.equal(qualifiedReference('registry.internal/ock/app:1'), 'registry.internal/ock/app:1')
  })

  test('create gives a created container; start runs the app on its pod IP with PID 1 being the app', async () => {
    const ip = await podIP()
    const cfg = config({ podIP: ip, podName: 'web-1', attempt: 0 })
    const id = await rt.createContainer(cfg)
    const created = await status(id)
    assert.equal(created?.state, 'created')
    assert.equal(created?.podUid, cfg.podUid)
    assert.equal(created?.name, 'app')
    assert.equal(created?.image, APP)
    assert.equal(created?.attempt, 0)
    await rt.startContainer(id)
    await rt.startContainer(id) // starting a running container is a no-op
    const running = await status(id)
    assert.equal(running?.state, 'running')
    assert.ok(running?.pid && running.pid > 0)
    assert.ok(running?.startedAt && Date.parse(running.startedAt) >= Date.parse(running.createdAt) - 1000)
    const page = await eventually('the app answers', async () => (await get(`http://${ip}:8080/`)).body)
    assert.match(page, /^pod=web-1 namespace=test ip=127\./)
    assert.equal((await get(`http://${ip}:8080/healthz`)).status, 200)
    assert.equal((await get(`http://${ip}:8080/ready`)).status, 200)
    const pid1 = await rt.exec(id, ['cat', '/proc/1/cmdline'])
    assert.equal(pid1.stdout.split('\0').filter(Boolean).join(' '), '/bin/sh /bin/app')
    const env = await rt.exec(id, ['sh', '-c', 'echo "$POD_IP $POD_NAME $POD_NAMESPACE"; echo oops >&2; exit 3'])
    assert.deepEqual(env, { exitCode: 3, stdout: `${ip} web-1 test\n`, stderr: 'oops\n' })
    // readiness and liveness follow files, changed through exec
    await rt.exec(id, ['rm', '/tmp/ready'])
    assert.equal((await get(`http://${ip}:8080/ready`)).status, 404)
    await rt.exec(id, ['touch', '/tmp/ready'])
    assert.equal((await get(`http://${ip}:8080/ready`)).status, 200)
  })

  test('two pods use the same containerPort on their own pod IPs', async () => {
    const [a, b] = [await podIP(), await podIP()]
    const ids = await Promise.all([config({ podIP: a, podName: 'a' }), config({ podIP: b, podName: 'b' })].map((c) => rt.createContainer(c)))
    await Promise.all(ids.map((id) => rt.startContainer(id)))
    assert.match(await eventually('pod a answers', async () => (await get(`http://${a}:8080/`)).body), /^pod=a /)
    assert.match(await eventually('pod b answers', async () => (await get(`http://${b}:8080/`)).body), /^pod=b /)
    for (const id of ids) await rt.removeContainer(id)
  })

  test('stop sends SIGTERM (the app exits at once), is a no-op when repeated; logs and tail', async () => {
    const ip = await podIP()
    const id = await rt.createContainer(config({ podIP: ip, podName: 'stopper' }))
    await rt.startContainer(id)
    await eventually('the app answers', async () => (await get(`http://${ip}:8080/`)).status === 200)
    const t0 = performance.now()
    await rt.stopContainer(id, 10)
    const took = performance.now() - t0
    assert.ok(took < 5_000, `stop took ${took.toFixed(0)} ms: the app must not wait for SIGKILL`)
    const s = await status(id)
    assert.equal(s?.state, 'exited')
    assert.equal(s?.exitCode, 0)
    assert.equal(s?.reason, 'Completed')
    assert.ok(s?.finishedAt)
    await rt.stopContainer(id, 10)
    const logs = await rt.logs(id)
    assert.match(logs, /listening on 127\.[0-9.]+:8080/)
    assert.match(logs, /SIGTERM received, shutting down/)
    assert.equal((await rt.logs(id, { tailLines: 1 })).trim().split('\n').length, 1)
    await assert.rejects(rt.startContainer(id), /already run and exited/)
  })

  test('a process that exits shows up as exited with its code; logs --previous reads the attempt before', async () => {
    const ip = await podIP()
    const base = config({ podIP: ip, podName: 'crasher', command: ['sh', '-c', 'echo "attempt $ATTEMPT"; exit 3'] })
    const first = await rt.createContainer({ ...base, env: { ATTEMPT: '0' } })
    await rt.startContainer(first)
    const exited = await eventually('the first attempt exits', async () => {
      const s = await status(first)
      return s?.state === 'exited' && s
    })
    assert.equal(exited.exitCode, 3)
    assert.equal(exited.reason, 'Error')
    const second = await rt.createContainer({ ...base, attempt: 1, env: { ATTEMPT: '1' } })
    assert.notEqual(second, first)
    await rt.startContainer(second)
    await eventually('the second attempt exits', async () => (await status(second))?.state === 'exited')
    assert.equal((await rt.logs(second)).trim(), 'attempt 1')
    assert.equal((await rt.logs(second, { previous: true })).trim(), 'attempt 0')
    await assert.rejects(rt.logs(first, { previous: true }), /previous terminated container "app" in pod "crasher" not found/)
    const ofPod = await rt.listContainers({ podUid: base.podUid })
    assert.deepEqual(ofPod.map((c) => c.attempt).sort(), [0, 1])
  })

  test('an app asked to exit exits with that code; a command that cannot run is a start error', async () => {
    const ip = await podIP()
    const id = await rt.createContainer(config({ podIP: ip, podName: 'quitter' }))
    await rt.startContainer(id)
    await eventually('the app answers', async () => (await get(`http://${ip}:8080/`)).status === 200)
    await get(`http://${ip}:8080/cgi-bin/exit?code=7`)
    const s = await eventually('the app exits', async () => {
      const x = await status(id)
      return x?.state === 'exited' && x
    })
    assert.equal(s.exitCode, 7)
    const bad = await rt.createContainer(config({ podIP: ip, podName: 'bad', command: ['/no/such/binary'] }))
    await assert.rejects(rt.startContainer(bad), /failed to start container/)
    const b = await status(bad)
    assert.equal(b?.state, 'exited')
    assert.equal(b?.reason, 'StartError')
    assert.match(b?.message ?? '', /no such file or directory/)
  })

  test('exec honours a timeout and never throws for a non-zero exit', async () => {
    const ip = await podIP()
    const id = await rt.createContainer(config({ podIP: ip, podName: 'execer' }))
    await rt.startContainer(id)
    assert.equal((await rt.exec(id, ['false'])).exitCode, 1)
    await assert.rejects(rt.exec(id, ['sleep', '5'], { timeoutMs: 300 }), /timed out after 300 ms/)
  })

  test('stats report CPU in millicores and memory in bytes; limits reach the engine', async () => {
    const ip = await podIP()
    const id = await rt.createContainer(config({ podIP: ip, podName: 'burner', limits: { cpuMillis: 500, memoryBytes: 64 * 1024 * 1024 } }))
    await rt.startContainer(id)
    await eventually('the app answers', async () => (await get(`http://${ip}:8080/`)).status === 200)
    await rt.stats(id)
    await get(`http://${ip}:8080/cgi-bin/cpu?ms=800`)
    const s = await rt.stats(id)
    assert.ok(s.cpuMillis > 50 && s.cpuMillis <= 1000, `cpuMillis ${s.cpuMillis}`)
    assert.ok(s.memoryBytes > 0 && s.memoryBytes < 64 * 1024 * 1024, `memoryBytes ${s.memoryBytes}`)
    assert.ok(Date.parse(s.timestamp) > 0)
    const info = await (await engine()).container.dockerode.getContainer(id).inspect()
    assert.equal(info.HostConfig.NanoCpus, 500_000_000)
    assert.equal(info.HostConfig.Memory, 64 * 1024 * 1024)
    assert.equal(info.HostConfig.NetworkMode, 'host')
    assert.equal(info.Config.Labels[LABELS.node], 'test-node')
  })

  test('images carrying different versions of the same tool run side by side', async () => {
    const out: string[] = []
    for (const image of ['registry.internal/ock/tool:1', 'registry.internal/ock/tool:2']) {
      const id = await rt.createContainer(config({ podIP: await podIP(), podName: image.slice(-1), image }))
      await rt.startContainer(id)
      out.push((await rt.exec(id, ['tool', '--version'])).stdout.trim())
    }
    assert.deepEqual(out, ['tool 1.4.2', 'tool 2.0.1'])
    const ip = await podIP()
    const v2 = await rt.createContainer(config({ podIP: ip, podName: 'v2', image: 'registry.internal/ock/app:2' }))
    await rt.startContainer(v2)
    assert.equal(await eventually('app:2 answers', async () => (await get(`http://${ip}:8080/version`)).body), '2\n')
  })

  test("unknown ids and other runtimes' containers are not found", async () => {
    await assert.rejects(rt.stopContainer('0123456789ab', 1), ContainerNotFoundError)
    await assert.rejects(rt.removeContainer('0123456789ab'), ContainerNotFoundError)
    const other = new DockerRuntime()
    const id = await other.createContainer(config({ podIP: await podIP() }))
    try {
      await assert.rejects(rt.startContainer(id), ContainerNotFoundError)
      assert.equal(
        (await rt.listContainers()).some((c) => c.id === id),
        false,
      )
    } finally {
      await other.close()
    }
    assert.deepEqual(await other.listContainers(), [])
  })

  test('close removes every container of the instance and is idempotent', async () => {
    const own = new DockerRuntime()
    const id = await own.createContainer(config({ podIP: await podIP() }))
    await own.startContainer(id)
    await own.close()
    await own.close()
    assert.deepEqual(await own.listContainers(), [])
    await assert.rejects((await engine()).container.dockerode.getContainer(id).inspect(), (e: { statusCode?: number }) => e.statusCode === 404)
  })

  test('a sweep removes containers of OCK runs whose process is gone, and only those', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!
    const docker = (await engine()).container.dockerode
    const built = await images.resolve(APP)
    const orphan = await docker.createContainer({
      Image: built.localRef,
      Labels: { [LABELS.run]: 'ock-orphan-test', [LABELS.ownerPid]: String(dead), [LABELS.host]: hostname() },
      HostConfig: { NetworkMode: 'host' },
      Env: [`POD_IP=${await podIP()}`],
    })
    await orphan.start()
    const mine = await rt.createContainer(config({ podIP: await podIP() }))
    const removed = await sweepOrphans()
    assert.ok(removed.includes(orphan.id))
    assert.ok(!removed.includes(mine))
    assert.ok(await status(mine))
  })
})

test("engine failures map to the contract's errors", () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' })
  assert.ok(runtimeError(refused) instanceof RuntimeUnavailableError)
  assert.ok(runtimeError(Object.assign(new Error('socket hang up'), {})) instanceof RuntimeUnavailableError)
  assert.ok(runtimeError(Object.assign(new Error('no such container'), { statusCode: 404 }), 'abc') instanceof ContainerNotFoundError)
  const conflict = Object.assign(new Error('conflict'), { statusCode: 409 })
  assert.equal(runtimeError(conflict, 'abc'), conflict)
})

test('demux splits Docker stream frames', () => {
  const frame = (t: number, s: string) => Buffer.concat([Buffer.from([t, 0, 0, 0]), Buffer.from([0, 0, 0, Buffer.byteLength(s)]), Buffer.from(s)])
  const d = demux(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, 'more\n')]))
  assert.deepEqual(d, { stdout: 'out\nmore\n', stderr: 'err\n', combined: 'out\nerr\nmore\n' })
  assert.equal(demux(Buffer.from('plain tty output')).combined, 'plain tty output')
})
