import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { PodStatus } from '../api/types.js'
import { logTarget, tail } from './debugging.js'

type CS = NonNullable<PodStatus['containerStatuses']>[number]
const status = (cs: Partial<CS>): PodStatus => ({ containerStatuses: [{ name: 'app', image: 'i', imageID: '', ready: false, restartCount: 0, ...cs }] })
const term = (id: string) => ({ terminated: { exitCode: 1, containerID: `docker://${id}` } })

describe('which container a log request reads', () => {
  const table: [string, PodStatus | undefined, boolean, string | RegExp][] = [
    ['the running container', status({ state: { running: {} }, containerID: 'docker://c2', lastState: term('c1') }), false, 'c2'],
    ['the previous one', status({ state: { running: {} }, containerID: 'docker://c2', lastState: term('c1') }), true, 'c1'],
    ['no previous one', status({ state: { running: {} }, containerID: 'docker://c2' }), true, /^previous terminated container "app" in pod "web" not found$/],
    ['a terminated container', status({ state: term('c3') }), false, 'c3'],
    ['crash-looping: the last terminated one', status({ state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: term('c4') }), false, 'c4'],
    [
      'still creating',
      status({ state: { waiting: { reason: 'ContainerCreating' } } }),
      false,
      /^container "app" in pod "web" is waiting to start: ContainerCreating$/,
    ],
    ['an image that cannot be pulled', status({ state: { waiting: { reason: 'ErrImagePull' } } }), false, /is waiting to start: image can't be pulled$/],
    ['pulls backing off', status({ state: { waiting: { reason: 'ImagePullBackOff' } } }), false, /is waiting to start: trying and failing to pull image$/],
    ['no status yet', undefined, false, /^container "app" in pod "web" is not available$/],
  ]
  for (const [name, st, previous, want] of table) {
    it(name, () => {
      if (typeof want === 'string') assert.equal(logTarget(st, 'app', 'web', previous), want)
      else
        assert.throws(
          () => logTarget(st, 'app', 'web', previous),
          (e: Error & { code?: number }) => want.test(e.message) && e.code === 400,
        )
    })
  }
})

describe('tailLines', () => {
  it('keeps the last lines', () => {
    assert.equal(tail('a\nb\nc\n', 2), 'b\nc\n')
    assert.equal(tail('a\nb\nc', 2), 'b\nc')
    assert.equal(tail('a\nb\n', 5), 'a\nb\n')
    assert.equal(tail('a\nb\n', 0), '')
    assert.equal(tail('a\n', undefined), 'a\n')
  })
})
