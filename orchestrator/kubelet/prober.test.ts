import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import type { Pod } from '../api/types.js'
import type { ContainerStatus, ExecResult } from '../runtime/runtime.js'
import { httpOutcome, probeSettings, resolvePort, runProbe, type ProbeType } from './prober.js'
import { ProbeManager } from './prober-manager.js'
import { initialResult, nextDelayMs, ProbeCounter, probeStep } from './prober-worker.js'

describe('probe settings', () => {
  it('applies upstream defaults and minimums', () => {
    const table: [ProbeType, object, Partial<ReturnType<typeof probeSettings>>][] = [
      ['readiness', { httpGet: { port: 8080 } }, { initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1_000, successThreshold: 1, failureThreshold: 3 }],
      ['liveness', { tcpSocket: { port: 80 }, periodSeconds: 2, failureThreshold: 1 }, { periodMs: 2_000, failureThreshold: 1 }],
      ['readiness', { exec: { command: ['true'] }, successThreshold: 2, initialDelaySeconds: 5 }, { successThreshold: 2, initialDelayMs: 5_000 }],
      // successThreshold must be 1 for liveness and startup probes
      ['liveness', { exec: { command: ['true'] }, successThreshold: 3 }, { successThreshold: 1 }],
      ['startup', { exec: { command: ['true'] }, periodSeconds: 0, timeoutSeconds: 0 }, { periodMs: 1_000, timeoutMs: 1_000, successThreshold: 1 }],
    ]
    for (const [type, probe, want] of table) assert.deepEqual({ ...probeSettings(type, probe), ...want }, probeSettings(type, probe), JSON.stringify(probe))
  })

  it('reads the action of each handler', () => {
    assert.deepEqual(probeSettings('readiness', { httpGet: { port: 'http', path: 'ready', scheme: 'https' } }).action, {
      kind: 'http',
      scheme: 'HTTPS',
      host: undefined,
      port: 'http',
      path: 'ready',
      headers: [],
    })
    assert.deepEqual(probeSettings('liveness', { exec: { command: ['cat', '/tmp/healthy'] } }).action, { kind: 'exec', command: ['cat', '/tmp/healthy'] })
    assert.throws(() => probeSettings('liveness', {}), /no handler/)
  })

  it('starts readiness as Failure, liveness as Success and startup as Unknown', () => {
    assert.deepEqual((['readiness', 'liveness', 'startup'] as const).map(initialResult), ['failure', 'success', 'unknown'])
  })

  it('resolves ports by number or by the container port name', () => {
    const c = { ports: [{ name: 'http', containerPort: 8080 }] }
    assert.equal(resolvePort(8080, c), 8080)
    assert.equal(resolvePort('http', c), 8080)
    assert.equal(resolvePort('9090', c), 9090)
    assert.throws(() => resolvePort('metrics', c), /couldn't find port: metrics/)
  })

  it('counts 200-399 as success for httpGet', () => {
    for (const [code, result] of [
      [200, 'success'],
      [204, 'success'],
      [302, 'success'],
      [399, 'success'],
      [400, 'failure'],
      [404, 'failure'],
      [500, 'failure'],
      [199, 'failure'],
    ] as const) {
      assert.equal(httpOutcome(code).result, result, String(code))
    }
    assert.equal(httpOutcome(503).output, 'HTTP probe failed with statuscode: 503')
  })
})

describe('thresholds', () => {
  it('publishes a change only after enough results in a row', () => {
    const table: { initial: 'success' | 'failure' | 'unknown'; thresholds: [number, number]; results: ('success' | 'failure')[]; published: string[] }[] = [
      {
        initial: 'success',
        thresholds: [1, 3],
        results: ['failure', 'failure', 'failure', 'success'],
        published: ['success', 'success', 'failure', 'success'],
      },
      {
        initial: 'success',
        thresholds: [1, 3],
        results: ['failure', 'failure', 'success', 'failure', 'failure'],
        published: ['success', 'success', 'success', 'success', 'success'],
      },
      {
        initial: 'failure',
        thresholds: [2, 1],
        results: ['success', 'failure', 'success', 'success'],
        published: ['failure', 'failure', 'failure', 'success'],
      },
      { initial: 'unknown', thresholds: [1, 2], results: ['success'], published: ['success'] },
    ]
    for (const t of table) {
      const c = new ProbeCounter({ successThreshold: t.thresholds[0], failureThreshold: t.thresholds[1] }, t.initial)
      assert.deepEqual(
        t.results.map((r) => (c.record(r), c.published)),
        t.published,
        JSON.stringify(t),
      )
    }
  })
})

describe('when a worker probes', () => {
  const base = {
    type: 'liveness' as ProbeType,
    container: { state: 'running' as const, startedAt: new Date(10_000).toISOString() },
    onHold: false,
    started: true,
    deleting: false,
    initialDelayMs: 0,
    nowMs: 20_000,
  }
  it('probes a running, started container after its initial delay', () => {
    const table: [Partial<Parameters<typeof probeStep>[0]>, string][] = [
      [{}, 'probe'],
      [{ container: { state: 'exited' } }, 'wait'],
      [{ container: undefined }, 'wait'],
      [{ onHold: true }, 'wait'],
      [{ deleting: true }, 'wait'],
      [{ deleting: true, type: 'readiness' }, 'probe'],
      [{ initialDelayMs: 15_000 }, 'wait'],
      [{ initialDelayMs: 10_000 }, 'probe'],
      [{ started: false }, 'wait'],
      [{ started: false, type: 'startup' }, 'probe'],
      [{ started: true, type: 'startup' }, 'wait'],
    ]
    for (const [over, want] of table) assert.equal(probeStep({ ...base, ...over }).do, want, JSON.stringify(over))
    assert.deepEqual(probeStep({ ...base, initialDelayMs: 15_000 }), { do: 'wait', untilMs: 25_000, why: 'initialDelaySeconds has not passed' })
  })

  it('re-probes readiness of an unready container sooner, backing off to the period', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 10].map((n) => nextDelayMs('readiness', 'failure', 1000, n, 25)),
      [25, 50, 100, 200, 1000],
    )
    assert.equal(nextDelayMs('readiness', 'success', 1000, 0, 25), 1000)
    assert.equal(nextDelayMs('liveness', 'failure', 1000, 0, 25), 1000)
  })
})

describe('running probes', () => {
  let server: http.Server
  let port = 0
  let status = 200
  before(async () => {
    server = http.createServer((_req, res) => res.writeHead(status).end('x'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as AddressInfo).port
  })
  after(() => server.close())
  const container = { name: 'app', ports: [{ name: 'http', containerPort: 0 }] }
  const noExec = { exec: async (): Promise<ExecResult> => assert.fail('no exec expected') }

  it('gets podIP:port over HTTP and fails with the status code', async () => {
    container.ports[0]!.containerPort = port
    const s = probeSettings('readiness', { httpGet: { port: 'http', path: '/ready' } })
    assert.deepEqual(await runProbe(s, { podIP: '127.0.0.1', container, containerId: 'c1' }, noExec), { result: 'success', output: '' })
    status = 404
    assert.deepEqual(await runProbe(s, { podIP: '127.0.0.1', container, containerId: 'c1' }, noExec), {
      result: 'failure',
      output: 'HTTP probe failed with statuscode: 404',
    })
    status = 200
  })

  it('reports a refused connection as Go does', async () => {
    const free = await new Promise<number>((r) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port
        s.close(() => r(p))
      })
    })
    const h = await runProbe(
      probeSettings('liveness', { httpGet: { port: free, path: '/healthz' } }),
      { podIP: '127.0.0.1', container, containerId: 'c' },
      noExec,
    )
    assert.deepEqual(h, { result: 'failure', output: `Get "http://127.0.0.1:${free}/healthz": dial tcp 127.0.0.1:${free}: connect: connection refused` })
    const t = await runProbe(probeSettings('liveness', { tcpSocket: { port: free } }), { podIP: '127.0.0.1', container, containerId: 'c' }, noExec)
    assert.deepEqual(t, { result: 'failure', output: `dial tcp 127.0.0.1:${free}: connect: connection refused` })
    assert.equal(
      (await runProbe(probeSettings('liveness', { tcpSocket: { port } }), { podIP: '127.0.0.1', container, containerId: 'c' }, noExec)).result,
      'success',
    )
  })

  it('execs in the container: exit 0 succeeds, output explains a failure, a timeout fails', async () => {
    const rt = {
      exec: async (_id: string, cmd: string[], opts?: { timeoutMs?: number }): Promise<ExecResult> => {
        assert.equal(opts?.timeoutMs, 1000)
        if (cmd[1] === '/slow') throw new Error(`command ${JSON.stringify(cmd)} timed out after 1000 ms`)
        return cmd[1] === '/tmp/healthy'
          ? { exitCode: 0, stdout: 'ok\n', stderr: '' }
          : { exitCode: 1, stdout: '', stderr: "cat: can't open '/nope': No such file or directory\n" }
      },
    }
    const probe = (file: string) => runProbe(probeSettings('liveness', { exec: { command: ['cat', file] } }), { container, containerId: 'c' }, rt)
    assert.deepEqual(await probe('/tmp/healthy'), { result: 'success', output: '' })
    assert.deepEqual(await probe('/nope'), { result: 'failure', output: "cat: can't open '/nope': No such file or directory" })
    assert.deepEqual(await probe('/slow'), { result: 'failure', output: 'command "cat /slow" timed out' })
  })
})

describe('the probe manager', () => {
  it('publishes readiness, holds liveness failures for a restart and gates on startup', async () => {
    let ready = false
    let healthy = true
    let started = false
    const rt = {
      exec: async (_id: string, cmd: string[]): Promise<ExecResult> => {
        const ok = cmd[1] === '/ready' ? ready : cmd[1] === '/healthy' ? healthy : started
        return { exitCode: ok ? 0 : 1, stdout: '', stderr: ok ? '' : `no ${cmd[1]}` }
      },
    }
    const events: string[] = []
    const changes: string[] = []
    const m = new ProbeManager({
      runtime: rt,
      unhealthy: (_p, c, msg) => events.push(`${c}: ${msg}`),
      changed: (_uid, type) => changes.push(type),
      fastProbeMs: 5,
    })
    const probe = (file: string, extra: object = {}) => ({ exec: { command: ['test', file] }, periodSeconds: 1, failureThreshold: 1, ...extra })
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { uid: 'u1', name: 'p', namespace: 'ns' },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'i',
            readinessProbe: probe('/ready'),
            livenessProbe: probe('/healthy'),
            startupProbe: probe('/started', { failureThreshold: 30 }),
          },
        ],
      },
    }
    const c1: ContainerStatus = {
      id: 'c1',
      podUid: 'u1',
      name: 'app',
      image: 'i',
      attempt: 0,
      state: 'running',
      createdAt: new Date().toISOString(),
      startedAt: new Date().toISOString(),
    }
    const until = async (what: string, ok: () => boolean): Promise<void> => {
      const end = Date.now() + 5_000
      while (!ok()) {
        if (Date.now() > end) assert.fail(`${what} (events: ${events.join(' | ')}; changes: ${changes.join(',')})`)
        await new Promise((r) => setTimeout(r, 5))
      }
    }
    try {
      m.sync(pod, [c1], '127.0.0.1')
      await until('the startup probe ran', () => events.some((e) => e.includes('Startup probe failed')))
      assert.equal(m.started('u1', 'app', 'c1'), false)
      assert.equal(m.ready('u1', 'app', 'c1'), false)
      ready = true
      started = true
      await until('started', () => m.started('u1', 'app', 'c1'))
      await until('ready', () => m.ready('u1', 'app', 'c1'))
      assert.deepEqual(m.unhealthy('u1'), new Map())
      healthy = false
      await until('the liveness failure is published', () => m.unhealthy('u1').get('c1') === 'liveness')
      assert.ok(
        events.some((e) => e === 'app: Liveness probe failed: no /healthy'),
        events.join(' | '),
      )
      // a new container (the restart): liveness starts again from Success, startup gates it again
      healthy = true
      const c2 = { ...c1, id: 'c2', attempt: 1, startedAt: new Date().toISOString() }
      m.sync(pod, [{ ...c1, state: 'exited' }, c2], '127.0.0.1')
      await until('the new container started and is ready', () => m.ready('u1', 'app', 'c2'))
      assert.deepEqual(m.unhealthy('u1'), new Map())
      assert.ok(changes.includes('readiness') && changes.includes('liveness') && changes.includes('startup'))
    } finally {
      m.removePod('u1')
      m.stop()
    }
  })
})
