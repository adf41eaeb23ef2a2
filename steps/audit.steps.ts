// Steps that read the API server's audit log (built-in cluster, with
// "Given the API server writes an audit log"): the audit.k8s.io/v1 events of one request, who
// made which requests, and (with the store door) when a request was on record compared with
// when the store got and acknowledged its write.

import { Then, type DataTable } from './define.js'
import { expect } from 'chai'
import { readFile } from 'node:fs/promises'
import { eventually } from '../support/eventually.js'
import { expandNamespace } from '../support/expand.js'
import type { KindRef } from '../support/kinds.js'
import { creatingWrite, describeWrite } from '../support/store.js'
import type { OckWorld } from '../support/world.js'

import { WRITE_VERBS } from '../support/writers.js'

/** The audit ID of the request that created the object (a create, or an apply / update that answered 201). */
function creatingAuditId(events: AuditEvent[], kind: KindRef, name: string): string | undefined {
  return events.find(
    (x) =>
      WRITE_VERBS.has(x.verb) &&
      x.objectRef?.resource === kind.plural &&
      x.objectRef?.name === name &&
      x.stage === 'ResponseComplete' &&
      x.responseStatus?.code === 201,
  )?.auditID
}

/** Audit events of requests received since the scenario's cluster became ready. */
async function scenarioEvents(world: OckWorld): Promise<AuditEvent[]> {
  return (await auditEvents(world)).filter((e) => Date.parse(e.requestReceivedTimestamp) >= world.openedAt)
}

interface AuditEvent {
  auditID: string
  stage: string
  verb: string
  user: { username?: string }
  requestReceivedTimestamp: string
  stageTimestamp: string
  objectRef?: { resource?: string; name?: string; namespace?: string }
  responseStatus?: { code: number; reason?: string }
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
    user: e.user.username ?? '',
    verb: e.verb,
    resource: e.objectRef?.resource ?? '',
    name: e.objectRef?.name ?? '',
    code: e.responseStatus ? String(e.responseStatus.code) : '',
    decision: e.annotations?.['authorization.k8s.io/decision'] ?? '',
    reason: e.responseStatus?.reason ?? '',
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

Then(
  ['the audit log records the rejected request, in order:', 'الـ audit log فيه الـ request اللي اترفض، بالترتيب:'],
  async function (this: OckWorld, table: DataTable) {
    const s = await this.cluster()
    const e = this.takeError()
    expect(e.auditId, 'the Audit-Id of the rejected request').to.be.a('string')
    await eventually(
      async () => (await auditEvents(this)).filter((x) => x.auditID === e.auditId),
      (events) => matches(events, table.hashes(), s.namespace),
      5_000,
      { describe: `audit events of request ${e.auditId}` },
    )
  },
)

Then(
  [
    'the audit log records the request that created the {kind} {string}, in order:',
    'الـ audit log فيه الـ request اللي عمل create للـ {kind} {string}، بالترتيب:',
  ],
  async function (this: OckWorld, kind: KindRef, name: string, table: DataTable) {
    const s = await this.cluster()
    await eventually(
      async () => {
        const all = await auditEvents(this)
        const id = creatingAuditId(all, kind, name)
        return all.filter((x) => x.auditID === id)
      },
      (events) => matches(events, table.hashes(), s.namespace),
      5_000,
      { describe: `audit events of the request that created ${kind.plural} "${name}"` },
    )
  },
)

Then(
  [
    'the audit log had the request that created the {kind} {string} on record before the store got its write, and its answer after the store acknowledged it',
    'الـ audit log سجل الـ request اللي عمل create للـ {kind} {string} قبل ما الـ store يستلم الـ write، وسجل الرد بعد ما الـ store أكده',
  ],
  async function (this: OckWorld, kind: KindRef, name: string) {
    const s = await this.cluster()
    const events = await eventually(
      async () => {
        const all = await auditEvents(this)
        const id = creatingAuditId(all, kind, name)
        return all.filter((x) => x.auditID === id)
      },
      (es) => {
        expect(
          es.map((e) => e.stage),
          `audit events of the request that created ${kind.plural} "${name}"`,
        ).to.include.members(['RequestReceived', 'ResponseComplete'])
      },
      5_000,
      { describe: `audit events of the request that created ${kind.plural} "${name}"` },
    )
    const write = await creatingWrite(s, { kind: kind.kind, namespace: kind.namespaced ? s.namespace : undefined, name }, this.storeCursor)
    expect(write, `the store's write of ${kind.kind} ${name}`).to.not.equal(undefined)
    expect(write!.receivedAt, `when the store got ${describeWrite(write!)} (the target measures it)`).to.be.a('number')
    const received = Date.parse(events.find((e) => e.stage === 'RequestReceived')!.stageTimestamp)
    const complete = Date.parse(events.find((e) => e.stage === 'ResponseComplete')!.stageTimestamp)
    // audit timestamps have millisecond precision, the store's times a fraction of one
    expect(
      received,
      `RequestReceived (${new Date(received).toISOString()}) before the store got the write (${new Date(write!.receivedAt!).toISOString()})`,
    ).to.be.at.most(write!.receivedAt!)
    expect(
      complete,
      `ResponseComplete (${new Date(complete).toISOString()}) after the store acknowledged the write (${new Date(write!.acknowledgedAt!).toISOString()})`,
    ).to.be.at.least(Math.floor(write!.acknowledgedAt!))
    this.log(
      `on record ${(write!.receivedAt! - received).toFixed(1)} ms before the store got the write; answered ${(complete - write!.acknowledgedAt!).toFixed(1)} ms after the store acknowledged it`,
    )
  },
)

Then(
  ['creating the {kind} {string} took exactly one request, by {string}', 'الـ create بتاع الـ {kind} {string} كان request واحد بس، من {string}'],
  async function (this: OckWorld, kind: KindRef, name: string, user: string) {
    const s = await this.cluster()
    const writes = await eventually(
      async () => {
        const es = await scenarioEvents(this)
        const ids = new Set(es.filter((e) => e.user.username === user && WRITE_VERBS.has(e.verb)).map((e) => e.auditID))
        return es.filter((e) => ids.has(e.auditID) && e.stage === 'ResponseComplete')
      },
      (es) => {
        expect(es, `write requests by ${user}`).to.not.be.empty
      },
      5_000,
      { describe: `audit events of the write requests by ${user}` },
    )
    const what = (e: AuditEvent): string =>
      `${e.verb} ${e.objectRef?.resource ?? ''} ${e.objectRef?.namespace ?? ''}/${e.objectRef?.name ?? ''} -> ${e.responseStatus?.code ?? '?'}`
    // the user's only write request since the scenario began: the one that created the object
    expect(writes.map(what), `write requests by ${user} since the scenario began, as the audit log has them`).to.deep.equal([
      `${writes[0]!.verb} ${kind.plural} ${kind.namespaced ? s.namespace : ''}/${name} -> 201`,
    ])
  },
)
