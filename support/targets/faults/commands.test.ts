import { after, before, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { loadTargetConfig } from '../config.js'
import type { ControlPlaneDoor, Faults } from '../target.js'
import { faultDoorsFor } from './doors.js'
import { fakeCommand, type FakeCommand } from './fake.testing.js'
import type { ProviderDoors } from './provider.js'

/** A configuration with every operation: `./fake <operation> <subject>` (the subject inside one argument where it says so). */
const EVERY_OPERATION = `faults:
  provider: commands
  commands:
    stopKubelet: ./fake stopKubelet {node}
    startKubelet: ./fake startKubelet {node}
    restartKubelet: ./fake restartKubelet {node}
    freezeHeartbeats: [./fake, freezeHeartbeats, '--node={node}']
    unfreezeHeartbeats: [./fake, unfreezeHeartbeats, '--node={node}']
    stopRuntime: ./fake stopRuntime {node}
    startRuntime: ./fake startRuntime {node}
    killEtcdMember: ./fake killEtcdMember {member}
    restartEtcdMember: ./fake restartEtcdMember {member}
    stopMaster: ./fake stopMaster {master}
    startMaster: ./fake startMaster {master}
    stopControllerManager: ./fake stopControllerManager {master}
    startControllerManager: ./fake startControllerManager {master}
    stopScheduler: ./fake stopScheduler {master}
    startScheduler: ./fake startScheduler {master}
    setPressure: ./fake setPressure {node} {condition}
    clearPressure: [./fake, clearPressure, '--node={node}', '--condition={condition}']
    setKubeletVersion: ./fake setKubeletVersion {node} {version}
    resetKubeletVersion: ./fake resetKubeletVersion {node}
    advanceScheduleClock: ./fake advanceScheduleClock {seconds}
`

async function doors(fake: FakeCommand, yaml: string): Promise<ProviderDoors> {
  const file = await fake.config(yaml)
  return faultDoorsFor(loadTargetConfig(file).faults!, file)
}

describe('the commands fault provider', () => {
  let fake: FakeCommand
  before(async () => (fake = await fakeCommand('fake')))
  after(() => fake.remove())
  beforeEach(() => fake.reset())

  const cases: [call: string, act: (f: Faults, cp: ControlPlaneDoor) => Promise<void>, argv: string[]][] = [
    ['stopKubelet', (f) => f.stopKubelet('worker-1'), ['fake', 'stopKubelet', 'worker-1']],
    ['startKubelet', (f) => f.startKubelet('worker-1'), ['fake', 'startKubelet', 'worker-1']],
    ['restartKubelet', (f) => f.restartKubelet('worker-1'), ['fake', 'restartKubelet', 'worker-1']],
    ['freezeHeartbeats(true)', (f) => f.freezeHeartbeats('worker-2', true), ['fake', 'freezeHeartbeats', '--node=worker-2']],
    ['freezeHeartbeats(false)', (f) => f.freezeHeartbeats('worker-2', false), ['fake', 'unfreezeHeartbeats', '--node=worker-2']],
    ['setRuntimeReachable(false)', (f) => f.setRuntimeReachable('worker-3', false), ['fake', 'stopRuntime', 'worker-3']],
    ['setRuntimeReachable(true)', (f) => f.setRuntimeReachable('worker-3', true), ['fake', 'startRuntime', 'worker-3']],
    ['killEtcdMember', (_, cp) => cp.killEtcdMember('etcd-0'), ['fake', 'killEtcdMember', 'etcd-0']],
    ['restartEtcdMember', (_, cp) => cp.restartEtcdMember('etcd-0'), ['fake', 'restartEtcdMember', 'etcd-0']],
    ['killApiServer', (_, cp) => cp.killApiServer('master-1'), ['fake', 'stopMaster', 'master-1']],
    ['restartApiServer', (_, cp) => cp.restartApiServer('master-1'), ['fake', 'startMaster', 'master-1']],
    ['crashControllerManager', (_, cp) => cp.crashControllerManager('master-2'), ['fake', 'stopControllerManager', 'master-2']],
    ['startControllerManager', (_, cp) => cp.startControllerManager('master-2'), ['fake', 'startControllerManager', 'master-2']],
    ['crashScheduler', (_, cp) => cp.crashScheduler('master-0'), ['fake', 'stopScheduler', 'master-0']],
    ['startScheduler', (_, cp) => cp.startScheduler('master-0'), ['fake', 'startScheduler', 'master-0']],
    ['setPressure(DiskPressure, true)', (f) => f.setPressure('worker-2', 'DiskPressure', true), ['fake', 'setPressure', 'worker-2', 'DiskPressure']],
    [
      'setPressure(PIDPressure, false)',
      (f) => f.setPressure('worker-2', 'PIDPressure', false),
      ['fake', 'clearPressure', '--node=worker-2', '--condition=PIDPressure'],
    ],
    ['setKubeletVersion(v1.28.9)', (f) => f.setKubeletVersion('worker-3', 'v1.28.9'), ['fake', 'setKubeletVersion', 'worker-3', 'v1.28.9']],
    ['setKubeletVersion(undefined)', (f) => f.setKubeletVersion('worker-3', undefined), ['fake', 'resetKubeletVersion', 'worker-3']],
    ['advanceScheduleClock(1h)', async (_, cp) => cp.advanceScheduleClock(3_600_000), ['fake', 'advanceScheduleClock', '3600']],
  ]
  for (const [call, act, argv] of cases) {
    it(`${call} runs ${argv.slice(1).join(' ')}`, async () => {
      const d = await doors(fake, EVERY_OPERATION)
      await act(d.faults(), d.controlPlane())
      assert.deepEqual(await fake.calls(), [argv])
    })
  }

  it('heals every fault when the session closes, newest first, and forgets what was healed already', async () => {
    const d = await doors(fake, EVERY_OPERATION)
    const [f, cp] = [d.faults(), d.controlPlane()]
    await f.stopKubelet('worker-1')
    await f.freezeHeartbeats('worker-2', true)
    await f.setRuntimeReachable('worker-3', false)
    await cp.killEtcdMember('etcd-1')
    await cp.killApiServer('master-1')
    await f.stopKubelet('worker-4')
    await f.startKubelet('worker-4') // healed by the scenario itself
    await f.setPressure('worker-1', 'MemoryPressure', true)
    await f.setPressure('worker-1', 'DiskPressure', true)
    await f.setPressure('worker-1', 'MemoryPressure', false) // healed by the scenario itself
    await f.setKubeletVersion('worker-2', 'v1.33.0')
    await f.setKubeletVersion('worker-2', 'v1.28.9') // one heal for both: the node's own version
    await cp.advanceScheduleClock(60_000) // needs no healing
    assert.deepEqual(d.pending(), [
      'startKubelet worker-1',
      'unfreezeHeartbeats worker-2',
      'startRuntime worker-3',
      'restartEtcdMember etcd-1',
      'startMaster master-1',
      'clearPressure worker-1 DiskPressure',
      'resetKubeletVersion worker-2',
    ])
    await fake.reset()
    await d.healAll()
    assert.deepEqual(await fake.calls(), [
      ['fake', 'resetKubeletVersion', 'worker-2'],
      ['fake', 'clearPressure', '--node=worker-1', '--condition=DiskPressure'],
      ['fake', 'startMaster', 'master-1'],
      ['fake', 'restartEtcdMember', 'etcd-1'],
      ['fake', 'startRuntime', 'worker-3'],
      ['fake', 'unfreezeHeartbeats', '--node=worker-2'],
      ['fake', 'startKubelet', 'worker-1'],
    ])
    assert.deepEqual(d.pending(), [])
    await fake.reset()
    await d.healAll()
    assert.deepEqual(await fake.calls(), [], 'nothing is healed twice')
  })

  it("the Faults door's healAll heals node faults only; the session's heals the control plane too", async () => {
    const d = await doors(fake, EVERY_OPERATION)
    await d.faults().stopKubelet('worker-1')
    await d.controlPlane().killEtcdMember('etcd-1')
    await fake.reset()
    await d.faults().healAll()
    assert.deepEqual(await fake.calls(), [['fake', 'startKubelet', 'worker-1']])
    assert.deepEqual(d.pending(), ['restartEtcdMember etcd-1'])
  })

  it('a fault whose command fails is healed too; a heal that fails is reported and kept', async () => {
    const d = await doors(fake, EVERY_OPERATION)
    await fake.failing(true)
    await assert.rejects(d.faults().stopKubelet('worker-1'), (e: Error) => {
      assert.match(e.message, /^faults\.commands\.stopKubelet: `\/\S+\/fake stopKubelet worker-1` exited with 3: boom: stopKubelet worker-1$/)
      return true
    })
    await assert.rejects(
      d.healAll(),
      /the commands fault provider could not heal every fault: startKubelet worker-1: faults\.commands\.startKubelet: .* exited with 3/,
    )
    assert.deepEqual(d.pending(), ['startKubelet worker-1'])
    await fake.failing(false)
    await d.healAll()
    assert.deepEqual(d.pending(), [])
  })

  it('restarts a kubelet by stopping and starting it when there is no restartKubelet', async () => {
    const d = await doors(fake, 'faults:\n  provider: commands\n  commands:\n    stopKubelet: ./fake stop {node}\n    startKubelet: ./fake start {node}\n')
    await d.faults().restartKubelet('worker-1')
    assert.deepEqual(await fake.calls(), [
      ['fake', 'stop', 'worker-1'],
      ['fake', 'start', 'worker-1'],
    ])
    assert.deepEqual(d.pending(), [])
  })

  it('an operation the configuration lacks names the missing key', async () => {
    const d = await doors(fake, 'faults:\n  provider: commands\n  commands:\n    stopKubelet: ./fake stop {node}\n')
    const file = `${fake.dir}/target.yaml`
    await assert.rejects(d.controlPlane().killEtcdMember('etcd-0'), {
      message: `no \`faults.commands.killEtcdMember\` in the target configuration (${file}): the commands fault provider cannot kill an etcd member`,
    })
    // a fault nothing could heal is not injected at all
    await assert.rejects(d.faults().stopKubelet('worker-1'), {
      message: `no \`faults.commands.startKubelet\` in the target configuration (${file}): the commands fault provider cannot start a node's kubelet`,
    })
    await assert.rejects(d.faults().restartKubelet('worker-1'), /no `faults\.commands\.restartKubelet`/)
    assert.deepEqual(await fake.calls(), [])
  })

  it('skips pressure, another kubelet version or the clock when the configuration has no command for them, naming the key', async () => {
    const d = await doors(fake, 'faults:\n  provider: commands\n  commands:\n    setPressure: ./fake setPressure {node} {condition}\n')
    const file = `${fake.dir}/target.yaml`
    const cases: [string, () => Promise<void> | void, string][] = [
      ['setPressure without clearPressure', () => d.faults().setPressure('worker-1', 'MemoryPressure', true), 'clearPressure'],
      ['setKubeletVersion', () => d.faults().setKubeletVersion('worker-1', 'v1.29.0'), 'setKubeletVersion'],
      ['the own version', () => d.faults().setKubeletVersion('worker-1', undefined), 'resetKubeletVersion'],
      ['advanceScheduleClock', () => d.controlPlane().advanceScheduleClock(1000), 'advanceScheduleClock'],
    ]
    for (const [what, act, key] of cases) {
      await assert.rejects(
        async () => act(),
        (e: Error) => {
          assert.equal(e.name, 'UnservedOperationError', what)
          const prefix = `no \`faults.commands.${key}\` in the target configuration (${file}): the commands fault provider cannot `
          assert.ok(e.message.startsWith(prefix), `${what}: ${e.message}`)
          return true
        },
      )
    }
    assert.deepEqual(await fake.calls(), [])
    assert.deepEqual(d.pending(), [])
  })

  it('refuses values that are not a pressure condition, a release version or whole seconds, before running anything', async () => {
    const d = await doors(fake, EVERY_OPERATION)
    const cases: [string, () => Promise<void> | void, RegExp][] = [
      [
        'a condition outside the set',
        () => d.faults().setPressure('worker-1', 'NetworkPressure' as 'DiskPressure', true),
        /refusing the condition "NetworkPressure" for setPressure: expected one of MemoryPressure, DiskPressure, PIDPressure/,
      ],
      [
        'an option as a version',
        () => d.faults().setKubeletVersion('worker-1', '--help'),
        /refusing the version "--help" for setKubeletVersion: expected a release version/,
      ],
      ['shell words in a version', () => d.faults().setKubeletVersion('worker-1', 'v1.2.3; reboot'), /refusing the version "v1\.2\.3; reboot"/],
      ['a version without its v', () => d.faults().setKubeletVersion('worker-1', '1.31.0'), /refusing the version "1\.31\.0"/],
      ['a pre-release', () => d.faults().setKubeletVersion('worker-1', 'v1.31.0-rc.1'), /refusing the version "v1\.31\.0-rc\.1"/],
      ['part of a second', () => d.controlPlane().advanceScheduleClock(1500), /moves the CronJob controller's clock forward by whole seconds, not by 1500 ms/],
      ['backwards', () => d.controlPlane().advanceScheduleClock(-60_000), /by whole seconds, not by -60000 ms/],
      ['a bad node name', () => d.faults().setPressure('-w1', 'DiskPressure', true), /refusing the node name "-w1"/],
    ]
    for (const [what, act, message] of cases) await assert.rejects(async () => act(), message, what)
    await d.controlPlane().advanceScheduleClock(0) // nothing to move
    assert.deepEqual(await fake.calls(), [])
    assert.deepEqual(d.pending(), [])
  })

  it('refuses what only the builtin target can do', async () => {
    const d = await doors(fake, EVERY_OPERATION)
    assert.throws(() => d.controlPlane().delayStoreCommits(100), /cannot delay the store's commits; only the builtin target can/)
    await assert.rejects(d.controlPlane().snapshotEtcd(), /cannot take an etcd snapshot/)
    assert.equal(d.controlPlane().masterOfIdentity('master-1_0b7c0f3e-2d1a-4c55-9f0e-1f2a3b4c5d6e'), 'master-1')
    assert.throws(() => d.controlPlane(undefined, 'no `controlPlane` in the target configuration (t.yaml)').shape(), {
      name: 'UnservedOperationError',
      message:
        "no `controlPlane` in the target configuration (t.yaml): the commands fault provider cannot tell the control plane's shape (masters, their API servers, etcd)",
    })
  })

  it("tells the described control plane's shape, and which of its masters a Lease holder is", async () => {
    const d = await doors(fake, EVERY_OPERATION)
    const shape = {
      store: 'etcd' as const,
      etcdTopology: 'stacked' as const,
      masters: [{ name: 'master-1', apiServer: 'https://m1:6443', up: true, etcdEndpoints: [] }],
      etcdMembers: [],
    }
    assert.equal(d.controlPlane(shape).shape(), shape)
    assert.equal(d.controlPlane(shape).masterOfIdentity('master-1_0b7c0f3e'), 'master-1')
    assert.equal(d.controlPlane(shape).masterOfIdentity('worker-1_0b7c0f3e'), undefined, 'a holder on no described master')
  })

  it('never lets a name become a shell word or an option', async () => {
    const d = await doors(fake, EVERY_OPERATION)
    for (const name of ['w1; rm -rf /', '$(reboot)', '--help', 'a b', '', 'w1\nw2']) {
      await assert.rejects(d.faults().stopKubelet(name), /refusing the node name .*: a node name is letters, digits/)
    }
    assert.deepEqual(await fake.calls(), [])
    assert.deepEqual(d.pending(), [])
  })
})
