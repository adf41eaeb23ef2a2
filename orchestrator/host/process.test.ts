import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { hostname } from 'node:os'
import { currentProcess, isAlive, processStartTicks } from './process.js'

test('this process is alive and has a start time', () => {
  const me = currentProcess()
  assert.equal(me.pid, process.pid)
  assert.ok(typeof me.startTicks === 'number' && me.startTicks > 0)
  assert.equal(isAlive(me), true)
})

test('a process that exited is not alive', () => {
  const child = spawnSync(process.execPath, ['-e', '0'])
  assert.equal(isAlive({ pid: child.pid!, hostname: hostname() }), false)
  assert.equal(processStartTicks(child.pid!), undefined)
})

test('a reused pid (different start time) is not the owner', () => {
  const me = currentProcess()
  assert.equal(isAlive({ ...me, startTicks: me.startTicks! + 1 }), false)
})

test('owners on another host are never declared dead', () => {
  assert.equal(isAlive({ pid: 999_999_999, hostname: `${hostname()}-elsewhere` }), true)
})
