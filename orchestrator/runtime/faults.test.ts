import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FaultInjectingRuntime } from './faults.js'
import { RuntimeUnavailableError, type ContainerConfig } from './runtime.js'
import { SimulatedRuntime } from './simulated/simulated.js'

const config = (pod: string, name = 'app'): ContainerConfig => ({
  podUid: `uid-${pod}`,
  podName: pod,
  podNamespace: 'ns',
  name,
  image: 'registry.internal/ock/app:1',
  env: {},
  podIP: '127.0.0.2',
  attempt: 0,
})

test('the journal lists the containers created, removed ones too, and not the calls refused while unreachable', async () => {
  const rt = new FaultInjectingRuntime(new SimulatedRuntime())
  try {
    await rt.pullImage('registry.internal/ock/app:1')
    const a = await rt.createContainer(config('a'))
    await rt.removeContainer(a)
    rt.setReachable(false)
    await assert.rejects(rt.createContainer(config('b')), RuntimeUnavailableError)
    rt.setReachable(true)
    await rt.createContainer(config('c', 'sidecar'))
    assert.deepEqual(
      rt.created().map((c) => `${c.podNamespace}/${c.podName} ${c.container} ${c.podUid}`),
      ['ns/a app uid-a', 'ns/c sidecar uid-c'],
    )
  } finally {
    await rt.close()
  }
})
