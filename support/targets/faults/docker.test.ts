import { after, before, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { loadTargetConfig } from '../config.js'
import type { ControlPlaneDoor, Faults } from '../target.js'
import { faultDoorsFor } from './doors.js'
import { fakeCommand, type FakeCommand } from './fake.testing.js'
import type { ProviderDoors } from './provider.js'

const KIND = `faults:
  provider: docker
  docker:
    binary: ./docker
    containers:
      worker-1: kind-worker
      master-0: kind-control-plane
`

async function doors(fake: FakeCommand, yaml: string): Promise<ProviderDoors> {
  const file = await fake.config(yaml)
  return faultDoorsFor(loadTargetConfig(file).faults!, file)
}

describe('the docker fault provider (against a fake docker CLI)', () => {
  let fake: FakeCommand
  before(async () => (fake = await fakeCommand('docker')))
  after(() => fake.remove())
  beforeEach(() => fake.reset())

  const cases: [call: string, act: (f: Faults, cp: ControlPlaneDoor) => Promise<void>, argv: string[]][] = [
    ['stopKubelet', (f) => f.stopKubelet('worker-1'), ['exec', 'kind-worker', 'systemctl', 'stop', 'kubelet']],
    ['startKubelet', (f) => f.startKubelet('worker-1'), ['exec', 'kind-worker', 'systemctl', 'start', 'kubelet']],
    ['restartKubelet', (f) => f.restartKubelet('worker-1'), ['exec', 'kind-worker', 'systemctl', 'restart', 'kubelet']],
    ['freezeHeartbeats(true)', (f) => f.freezeHeartbeats('worker-1', true), ['pause', 'kind-worker']],
    ['freezeHeartbeats(false)', (f) => f.freezeHeartbeats('worker-1', false), ['unpause', 'kind-worker']],
    ['setRuntimeReachable(false)', (f) => f.setRuntimeReachable('kind-worker2', false), ['exec', 'kind-worker2', 'systemctl', 'stop', 'containerd']],
    ['setRuntimeReachable(true)', (f) => f.setRuntimeReachable('kind-worker2', true), ['exec', 'kind-worker2', 'systemctl', 'start', 'containerd']],
    ['killEtcdMember', (_, cp) => cp.killEtcdMember('kind-control-plane2'), ['kill', 'kind-control-plane2']],
    ['restartEtcdMember', (_, cp) => cp.restartEtcdMember('kind-control-plane2'), ['start', 'kind-control-plane2']],
    ['killApiServer', (_, cp) => cp.killApiServer('master-0'), ['kill', 'kind-control-plane']],
    ['restartApiServer', (_, cp) => cp.restartApiServer('master-0'), ['start', 'kind-control-plane']],
  ]
  for (const [call, act, args] of cases) {
    it(`${call} runs docker ${args.join(' ')}`, async () => {
      const d = await doors(fake, KIND)
      await act(d.faults(), d.controlPlane())
      assert.deepEqual(await fake.calls(), [['docker', ...args]])
    })
  }

  it('freezes only the kubelet with freeze: sigstop, with the units given', async () => {
    const d = await doors(fake, `${KIND}    freeze: sigstop\n    units: { kubelet: k3s-agent, runtime: crio }\n`)
    await d.faults().freezeHeartbeats('worker-1', true)
    await d.faults().setRuntimeReachable('worker-1', false)
    await d.healAll()
    assert.deepEqual(await fake.calls(), [
      ['docker', 'exec', 'kind-worker', 'systemctl', 'kill', '--kill-who=main', '--signal=SIGSTOP', 'k3s-agent'],
      ['docker', 'exec', 'kind-worker', 'systemctl', 'stop', 'crio'],
      ['docker', 'exec', 'kind-worker', 'systemctl', 'start', 'crio'],
      ['docker', 'exec', 'kind-worker', 'systemctl', 'kill', '--kill-who=main', '--signal=SIGCONT', 'k3s-agent'],
    ])
  })

  it('heals every fault when the session closes: containers unpaused and started, kubelets and runtimes started', async () => {
    const d = await doors(fake, KIND)
    const [f, cp] = [d.faults(), d.controlPlane()]
    await f.freezeHeartbeats('worker-1', true)
    await f.stopKubelet('kind-worker2')
    await f.setRuntimeReachable('kind-worker3', false)
    await cp.killApiServer('master-0')
    await cp.killEtcdMember('kind-control-plane3')
    await cp.restartEtcdMember('kind-control-plane3')
    await fake.reset()
    await d.healAll()
    assert.deepEqual(await fake.calls(), [
      ['docker', 'start', 'kind-control-plane'],
      ['docker', 'exec', 'kind-worker3', 'systemctl', 'start', 'containerd'],
      ['docker', 'exec', 'kind-worker2', 'systemctl', 'start', 'kubelet'],
      ['docker', 'unpause', 'kind-worker'],
    ])
    assert.deepEqual(d.pending(), [])
  })

  it('says what docker printed when a call fails', async () => {
    const d = await doors(fake, KIND)
    await fake.failing(true)
    try {
      await assert.rejects(d.faults().freezeHeartbeats('worker-1', true), (e: Error) => {
        assert.match(e.message, /^faults\.docker \(freezeHeartbeats worker-1\): `\/\S+\/docker pause kind-worker` exited with 3: boom: pause kind-worker$/)
        return true
      })
    } finally {
      await fake.failing(false)
    }
    await d.healAll()
    assert.deepEqual((await fake.calls()).at(-1), ['docker', 'unpause', 'kind-worker'])
  })

  it('says it cannot stop a controller manager alone, and which key would', async () => {
    const d = await doors(fake, KIND)
    await assert.rejects(d.controlPlane().crashControllerManager('master-0'), {
      message: `the docker fault provider cannot stop a master's controller manager (a container holds more than that); use \`faults.provider: commands\` with \`faults.commands.stopControllerManager\` in the target configuration (${fake.dir}/target.yaml)`,
    })
    assert.deepEqual(await fake.calls(), [])
  })

  it('skips pressure, another kubelet version and the clock, saying why a container cannot, and which key would', async () => {
    const d = await doors(fake, KIND)
    const cases: [string, () => Promise<void> | void, string, string][] = [
      ['setPressure', () => d.faults().setPressure('worker-1', 'DiskPressure', true), 'setPressure', 'measures against its eviction thresholds'],
      ['setKubeletVersion', () => d.faults().setKubeletVersion('worker-1', 'v1.29.0'), 'setKubeletVersion', 'the one its node image ships'],
      ['advanceScheduleClock', () => d.controlPlane().advanceScheduleClock(60_000), 'advanceScheduleClock', "reads its container's clock"],
    ]
    for (const [what, act, key, why] of cases) {
      await assert.rejects(
        async () => act(),
        (e: Error) => {
          assert.equal(e.name, 'UnservedOperationError', what)
          assert.ok(e.message.startsWith('the docker fault provider cannot '), e.message)
          assert.ok(e.message.includes(why), e.message)
          assert.ok(
            e.message.endsWith(`use \`faults.provider: commands\` with \`faults.commands.${key}\` in the target configuration (${fake.dir}/target.yaml)`),
            e.message,
          )
          return true
        },
      )
    }
    assert.deepEqual(await fake.calls(), [])
    assert.deepEqual(d.pending(), [])
  })

  it('says when the docker CLI is not there', async () => {
    const d = await doors(fake, 'faults:\n  provider: docker\n  docker: { binary: ./no-docker }\n')
    await assert.rejects(
      d.faults().stopKubelet('w1'),
      /^Error: faults\.docker \(stopKubelet w1\): `\/\S+\/no-docker exec w1 systemctl stop kubelet` could not run \(.*ENOENT/,
    )
  })
})
