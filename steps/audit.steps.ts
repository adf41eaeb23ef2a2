// Steps that read the API server's audit log (built-in cluster, with
// "Given the API server writes an audit log"): the audit.k8s.io/v1 events of one request.

import { Then, type DataTable } from './define.js'
import { expect } from 'chai'
import { readFile } from 'node:fs/promises'
import { eventually } from '../support/eventually.js'
import { expandNamespace } from '../support/expand.js'
import type { KindRef } from '../support/kinds.js'
import type { OckWorld } from '../support/world.js'

interface AuditEvent {
  auditID: string
  stage: string
  verb: string
  user: { username: string }
  objectRef?: { resource?: string; name?: string; namespace?: string }
  responseStatus?: { code: number }
  annotations?: Record<string, string>
}

async function auditEvents(world: OckWorld): Promise<AuditEvent[]> {
  const s = await world.cluster()
  if (!s.auditLogFile) throw new Error('this scenario has no audit log: add "Given the API server writes an audit log" (and the @config tag)')
  const text = await readFile(s.auditLogFile, 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEvent)
}

function row(e: AuditEvent): Record<string, string> {
  return {
    stage: e.stage,
    user: e.user.username,
    verb: e.verb,
    resource: e.objectRef?.resource ?? '',
    name: e.objectRef?.name ?? '',
    code: e.responseStatus ? String(e.responseStatus.code) : '',
    decision: e.annotations?.['authorization.k8s.io/decision'] ?? '',
  }
}

/** Every expected row, in order, with blank cells meaning "any". */
function matches(events: AuditEvent[], expected: Record<string, string>[], namespace: string): void {
  const actual = events.map(row)
  expect(actual.length, `audit events: ${JSON.stringify(actual, null, 1)}`).to.equal(expected.length)
  expected.forEach((want, i) => {
    for (const [k, v] of Object.entries(want)) {
      if (v === '') continue
      expect(actual[i]![k], `${k} of audit event ${i + 1} (${JSON.stringify(actual[i])})`).to.equal(expandNamespace(v, namespace))
    }
  })
}

Then('the audit log records the rejected request, in order:', async function (this: OckWorld, table: DataTable) {
  const s = await this.cluster()
  const e = this.takeError()
  expect(e.auditId, 'the Audit-Id of the rejected request').to.be.a('string')
  await eventually(
    async () => (await auditEvents(this)).filter((x) => x.auditID === e.auditId),
    (events) => matches(events, table.hashes(), s.namespace),
    5_000,
    { describe: `audit events of request ${e.auditId}` },
  )
})

Then('the audit log records the request that created the {kind} {string}, in order:', async function (this: OckWorld, kind: KindRef, name: string, table: DataTable) {
  const s = await this.cluster()
  await eventually(
    async () => {
      const all = await auditEvents(this)
      const id = all.find((x) => x.verb === 'create' && x.objectRef?.resource === kind.plural && x.objectRef?.name === name && x.stage === 'ResponseComplete' && (x.responseStatus?.code ?? 0) < 300)?.auditID
      return all.filter((x) => x.auditID === id)
    },
    (events) => matches(events, table.hashes(), s.namespace),
    5_000,
    { describe: `audit events of the request that created ${kind.plural} "${name}"` },
  )
})
