import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { actingUser, AuditLogTail, type AuditEvent } from './audit.js'

const event = (auditID: string, stage = 'ResponseComplete'): string =>
  JSON.stringify({
    auditID,
    stage,
    verb: 'create',
    requestURI: '/api/v1/namespaces/a/configmaps',
    user: { username: 'kubernetes-admin' },
    requestReceivedTimestamp: '2026-12-07T00:00:00.000000Z',
    stageTimestamp: '2026-12-07T00:00:00.001000Z',
  }) + '\n'

async function withDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ock-audit-test-'))
  try {
    await f(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const ids = (es: AuditEvent[]): string[] => es.map((e) => e.auditID)

describe('AuditLogTail', () => {
  it('reads only the events written after it was made', () =>
    withDir(async (dir) => {
      const file = join(dir, 'audit.log')
      await writeFile(file, event('before-1') + event('before-2'))
      const tail = await AuditLogTail.from(file)
      assert.deepEqual(ids(await tail.readAuditLog()), [])
      await appendFile(file, event('mine-1') + event('mine-2'))
      assert.deepEqual(ids(await tail.readAuditLog()), ['mine-1', 'mine-2'])
      assert.deepEqual(ids(await new AuditLogTail(file).readAuditLog()), ['before-1', 'before-2', 'mine-1', 'mine-2'])
    }))

  it('leaves a line still being written for the next read', () =>
    withDir(async (dir) => {
      const file = join(dir, 'audit.log')
      const tail = await AuditLogTail.from(file)
      const line = event('mine-1')
      await writeFile(file, line.slice(0, 20))
      assert.deepEqual(ids(await tail.readAuditLog()), [])
      await appendFile(file, line.slice(20))
      assert.deepEqual(ids(await tail.readAuditLog()), ['mine-1'])
    }))

  it('has no events for a file not written yet, and reads a rotated (shorter) file from its start', () =>
    withDir(async (dir) => {
      const file = join(dir, 'audit.log')
      assert.deepEqual(ids(await new AuditLogTail(file).readAuditLog()), [])
      await writeFile(file, event('old-1') + event('old-2') + event('old-3'))
      const tail = await AuditLogTail.from(file)
      await writeFile(file, event('new-1'))
      assert.deepEqual(ids(await tail.readAuditLog()), ['new-1'])
    }))
})

describe('actingUser', () => {
  for (const [name, e, want] of [
    ['the authenticated user', { user: { username: 'alice' } }, 'alice'],
    ['the identity an impersonating caller acted as', { user: { username: 'kubernetes-admin' }, impersonatedUser: { username: 'alice' } }, 'alice'],
  ] as const) {
    it(name, () => assert.equal(actingUser(e), want))
  }
})
