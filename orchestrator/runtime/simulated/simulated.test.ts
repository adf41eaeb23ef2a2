import { describe, it, mock } from 'node:test'
import assert from 'node:assert/strict'
import { runtimeContract } from '../contract.js'
import { ImagePullError } from '../runtime.js'
import { mainScript, parseSimDuration, registryHost, runScript, SimulatedRuntime } from './simulated.js'

runtimeContract('simulated', async () => new SimulatedRuntime(), {
  image: 'registry.internal/ock/app:1',
  missingImage: 'registry.invalid/ock/none:1',
  scripts: {
    runs: () => ({ env: {} }),
    exitsAfter: (ms, code) => ({ env: { OCK_SIM_EXIT_AFTER: `${ms}ms`, OCK_SIM_EXIT_CODE: String(code) } }),
    printsThenRuns: (line) => ({ env: { OCK_SIM_STDOUT: line } }),
    ignoresSigterm: () => ({ env: { OCK_SIM_IGNORE_SIGTERM: 'true' } }),
  },
  exec: { succeeds: ['true'], fails: ['sh', '-c', 'exit 3'], echo: (text) => ['echo', text], cat: ['cat'] },
  timeoutMs: 2_000,
})

describe('simulated runtime scripts', () => {
  it('reads durations', () => {
    for (const [s, ms] of [
      ['500ms', 500],
      ['2s', 2000],
      ['1.5s', 1500],
      ['1m', 60_000],
      ['3', 3000],
    ] as const)
      assert.equal(parseSimDuration(s), ms)
    assert.equal(parseSimDuration('soon'), undefined)
    assert.equal(parseSimDuration(undefined), undefined)
  })

  it('finds the registry host of an image reference', () => {
    for (const [image, host] of [
      ['registry.internal/ock/app:1', 'registry.internal'],
      ['localhost:5000/app', 'localhost'],
      ['busybox', undefined],
      ['library/busybox:1.36', undefined],
      ['registry.invalid/x:1', 'registry.invalid'],
    ] as const) {
      assert.equal(registryHost(image), host, image)
    }
  })

  it('runs its tiny shell', () => {
    const table: [string[], number, string][] = [
      [['true'], 0, ''],
      [['false'], 1, ''],
      [['echo', 'a', 'b'], 0, 'a b\n'],
      [['sh', '-c', 'echo hi; exit 4'], 4, 'hi\n'],
      [['sh', '-c', 'exit 0'], 0, ''],
      [['curl', 'x'], 127, ''],
    ]
    for (const [cmd, code, out] of table) {
      const r = runScript(cmd)
      assert.equal(r.exitCode, code, cmd.join(' '))
      assert.equal(r.stdout, out, cmd.join(' '))
    }
  })

  it('runs a container command of sleeps, echoes and an exit as its process', () => {
    const table: [string[], ReturnType<typeof mainScript>][] = [
      [['/bin/sh', '-c', 'sleep 0.5; exit 1'], { afterMs: 500, exitCode: 1, stdout: [] }],
      [['sh', '-c', 'echo starting; sleep 1; exit 3'], { afterMs: 1000, exitCode: 3, stdout: ['starting'] }],
      [['sh', '-c', 'exit 0'], { afterMs: 0, exitCode: 0, stdout: [] }],
      [['sh', '-c', 'sleep 2'], { afterMs: 2000, exitCode: 0, stdout: [] }],
      [['sh', '-c', 'sleep 1 && false'], { afterMs: 1000, exitCode: 1, stdout: [] }],
      // not a script the runtime can play: the image's app runs
      [['sh', '-c', 'echo hi'], undefined],
      [['sh', '-c', 'sleep 1; exec /bin/app'], undefined],
      [['sh', '-c', 'sleep forever'], undefined],
      [['/bin/app'], undefined],
      [['sh', '-c', 'exit 1', 'extra'], undefined],
      [[], undefined],
    ]
    for (const [argv, want] of table) assert.deepEqual(mainScript(argv), want, argv.join(' '))
  })

  /** One container of pod p/n named c, scripted by `script` (its command or env). */
  const scripted = { podUid: 'p', podName: 'p', podNamespace: 'n', name: 'c', image: 'i:1', podIP: '127.64.0.2', attempt: 0 }

  it('a container whose command sleeps then exits runs that long and exits with its code', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] })
    const rt = new SimulatedRuntime()
    const id = await rt.createContainer({ ...scripted, command: ['/bin/sh', '-c', 'sleep 0.05; exit 3'] })
    await rt.startContainer(id)
    assert.equal((await rt.listContainers())[0]?.state, 'running')
    t.mock.timers.tick(50)
    const [s] = await rt.listContainers()
    assert.equal(s?.state, 'exited')
    assert.equal(s?.exitCode, 3)
    await rt.close()
  })

  it('a container with only an exit code exits as soon as it starts', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] })
    const rt = new SimulatedRuntime()
    const id = await rt.createContainer({ ...scripted, env: { OCK_SIM_EXIT_CODE: '2' } })
    await rt.startContainer(id)
    t.mock.timers.tick(0)
    const [s] = await rt.listContainers()
    assert.equal(s?.state, 'exited')
    assert.equal(s?.exitCode, 2)
    assert.equal(s?.reason, 'Error')
    await rt.close()
  })

  it('a runtime that is down refuses every call, and a pull of an .invalid image fails', async () => {
    const rt = new SimulatedRuntime()
    await assert.rejects(rt.pullImage('example.invalid/app'), ImagePullError)
    rt.setAvailable(false)
    assert.equal((await rt.status()).ready, false)
    await assert.rejects(rt.listContainers(), /down/)
    await rt.close()
  })
  it('integrates CPU over time: scripted use, then a stated pod load shared by its running containers', async () => {
    mock.timers.enable({ apis: ['Date'], now: 1_000_000 })
    try {
      const rt = new SimulatedRuntime()
      const base = { podUid: 'u1', podName: 'web-1', podNamespace: 'shop', image: 'i:1', podIP: '127.64.0.2', attempt: 0 }
      const a = await rt.createContainer({ ...base, name: 'a', env: { OCK_SIM_CPU: '100m', OCK_SIM_MEMORY: '10Mi' } })
      const b = await rt.createContainer({ ...base, name: 'b' })
      await rt.startContainer(a)
      await rt.startContainer(b)
      mock.timers.tick(10_000) // 10 s at the scripted 100m and 1m
      let sa = await rt.stats(a)
      assert.equal(sa.cpuMillis, 100)
      assert.equal(sa.memoryBytes, 10 * 1024 * 1024)
      assert.ok(Math.abs(sa.cpuUsageCoreSeconds - 1) < 1e-9, String(sa.cpuUsageCoreSeconds))
      rt.setPodUsage('shop', 'web-1', { cpuMillis: 800 })
      mock.timers.tick(5_000) // 5 s at 400m each
      sa = await rt.stats(a)
      const sb = await rt.stats(b)
      assert.equal(sa.cpuMillis, 400)
      assert.equal(sa.memoryBytes, 10 * 1024 * 1024, 'memory stays scripted when the load names only CPU')
      assert.ok(Math.abs(sa.cpuUsageCoreSeconds - 3) < 1e-9, String(sa.cpuUsageCoreSeconds))
      assert.ok(Math.abs(sb.cpuUsageCoreSeconds - (0.01 + 2)) < 1e-9, String(sb.cpuUsageCoreSeconds))
      await rt.stopContainer(b, 0) // a carries the whole load from now on
      mock.timers.tick(1_000)
      sa = await rt.stats(a)
      assert.equal(sa.cpuMillis, 800)
      assert.ok(Math.abs(sa.cpuUsageCoreSeconds - 3.8) < 1e-9, String(sa.cpuUsageCoreSeconds))
      rt.setPodUsage('shop', 'web-1', undefined)
      mock.timers.tick(1_000)
      sa = await rt.stats(a)
      assert.equal(sa.cpuMillis, 100)
      assert.ok(Math.abs(sa.cpuUsageCoreSeconds - 3.9) < 1e-9, String(sa.cpuUsageCoreSeconds))
      await rt.close()
    } finally {
      mock.timers.reset()
    }
  })
})
