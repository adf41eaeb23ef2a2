import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ContainerRuntime, ContainerStatus } from '../runtime/runtime.js'
import { GenericPleg } from './pleg.js'

const c = (id: string, podUid: string, state: ContainerStatus['state'], exitCode?: number): ContainerStatus =>
  ({ id, podUid, state, ...(exitCode === undefined ? {} : { exitCode }) }) as ContainerStatus

describe('GenericPleg.relist', () => {
  // each row: what the runtime lists at the next relist, and the pods that must be synced
  const steps: [string, ContainerStatus[] | 'down', string[]][] = [
    ['the first relist sees every pod', [c('a', 'p1', 'running'), c('b', 'p2', 'running')], ['p1', 'p2']],
    ['nothing changed: nothing to sync', [c('a', 'p1', 'running'), c('b', 'p2', 'running')], []],
    ['a container exited', [c('a', 'p1', 'exited', 1), c('b', 'p2', 'running')], ['p1']],
    ['a container disappeared', [c('a', 'p1', 'exited', 1)], ['p2']],
    ['the runtime is down: no change, no throw', 'down', []],
    ['a new container of a known pod', [c('a', 'p1', 'exited', 1), c('c', 'p1', 'running')], ['p1']],
  ]
  it('syncs exactly the pods whose containers changed since the last relist', async () => {
    let listed: ContainerStatus[] | 'down' = []
    const runtime = { listContainers: async () => (listed === 'down' ? Promise.reject(new Error('down')) : listed) } as unknown as ContainerRuntime
    let changed: string[] = []
    const pleg = new GenericPleg({ runtime, ready: () => true, changed: (uid) => void changed.push(uid) })
    for (const [name, now, want] of steps) {
      listed = now
      changed = []
      await pleg.relist()
      assert.deepEqual(changed.sort(), want, name)
    }
  })
  it('does nothing before the kubelet knows its pods', async () => {
    const runtime = { listContainers: async () => [c('a', 'p1', 'running')] } as unknown as ContainerRuntime
    const changed: string[] = []
    await new GenericPleg({ runtime, ready: () => false, changed: (uid) => void changed.push(uid) }).relist()
    assert.deepEqual(changed, [])
  })
})
