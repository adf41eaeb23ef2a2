// Steps that read the API server's audit events (capability @audit, with
// "Given the API server writes an audit log"): on the built-in target its cluster's audit log,
// on the cluster target the audit log its configuration names, from where it stood when the
// scenario began. The audit.k8s.io/v1 events of one request, who made which requests, and
// (with the store door) when a request was on record compared with when the store got and
// acknowledged its write. The cluster target's log is shared with every other client: a step
// picks the scenario's requests by namespace, object and audit ID.

import { Given, Then, type DataTable } from './define.js'
import { expect } from 'chai'
import { actingUser, type AuditEvent } from '../support/audit.js'
import { eventually } from '../support/eventually.js'
import { expandNamespace } from '../support/expand.js'
import type { KindRef } from '../support/kinds.js'
import { creatingWrite, describeWrite } from '../support/store.js'
import { auditEventsOf } from '../support/writers.js'
import { targetFor } from '../support/targets/registry.js'
import { core } from '../support/workloads.js'
import type { OckWorld } from '../support/world.js'

import { WRITE_VERBS } from '../support/writers.js'

Given(['the API server writes an audit log', 'الـ API Server بيكتب audit log'], async function (this: OckWorld) {
  const { available, missing } = await targetFor(this.parameters).capabilities()
  if (!available.has('audit'))
    throw new Error(`this scenario reads the API server's audit events: tag it @audit so targets without them skip it (${missing.get('audit')})`)
  if (this.started) throw new Error('the audit log must be stated before the cluster is used (move this step up, before any request)')
  this.topology.auditLog = true
})

/** The audit ID of the request that created the object in the scenario's namespace (a create, or an apply / update that answered 201). */
function creatingAuditId(events: AuditEvent[], kind: KindRef, name: string, namespace: string): string | undefined {
  return events.find(
    (x) =>
      WRITE_VERBS.has(x.verb) &&
      x.objectRef?.resource === kind.plural &&
      x.objectRef?.name === name &&
      (x.objectRef?.namespace ?? '') === (kind.namespaced ? namespace : '') &&
      x.stage === 'ResponseComplete' &&
      x.responseStatus?.code === 201,
  )?.auditID
}

/** Audit events of requests received since the scenario's cluster became ready. */
async function scenarioEvents(world: OckWorld): Promise<AuditEvent[]> {
  return (await auditEvents(world)).filter((e) => Date.parse(e.requestReceivedTimestamp) >= world.openedAt)
}

async function auditEvents(world: OckWorld): Promise<AuditEvent[]> {
  return auditEventsOf(await world.cluster())
}

/**
 * One event as a table row. `as`: who the request acted as. An API server records whom a caller
 * impersonates once it has read the Impersonate headers, after the RequestReceived event (as
 * upstream's filter chain does): a request's identity is the one its later events name.
 */
function row(e: AuditEvent, as = actingUser(e)): Record<string, string> {
  return {
    stage: e.stage,
    user: as,
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
  const impersonated = events.find((e) => e.impersonatedUser)
  const actual = events.map((e) => row(e, impersonated ? actingUser(impersonated) : actingUser(e)))
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
        const id = creatingAuditId(all, kind, name, s.namespace)
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
        const id = creatingAuditId(all, kind, name, s.namespace)
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
        // the scenario's namespace and cluster-scoped objects: a shared cluster's other namespaces are other clients' business
        const es = (await scenarioEvents(this)).filter((e) => !e.objectRef?.namespace || e.objectRef.namespace === s.namespace)
        const ids = new Set(es.filter((e) => actingUser(e) === user && WRITE_VERBS.has(e.verb)).map((e) => e.auditID))
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

// ---------------------------------------------------------------------------------------------
// what the cluster's components did, as the API server's audit events show their requests

/** `pods/binding` or `replicasets.apps`, as a scenario names what a request was about. */
function auditTarget(e: AuditEvent): string {
  const r = e.objectRef
  if (!r?.resource) return ''
  const resource = r.apiGroup ? `${r.resource}.${r.apiGroup}` : r.resource
  return r.subresource ? `${resource}/${r.subresource}` : resource
}

/** `system:node:*` matches every kubelet; any other pattern one user. */
function userMatches(pattern: string, user: string): boolean {
  return pattern.endsWith('*') ? user.startsWith(pattern.slice(0, -1)) : user === pattern
}

/** The requests of the scenario's time that got an answer (ResponseComplete; ResponseStarted for a watch). */
async function answeredRequests(world: OckWorld): Promise<AuditEvent[]> {
  return (await scenarioEvents(world)).filter((e) => e.stage === 'ResponseComplete' || e.stage === 'ResponseStarted')
}

Then(['the audit log shows these requests:', 'الـ audit log فيه الـ requests دي:'], async function (this: OckWorld, table: DataTable) {
  const rows = table.hashes()
  await eventually(
    () => answeredRequests(this),
    (requests) => {
      for (const row of rows) {
        const hit = requests.find(
          (e) => userMatches(row.user!, actingUser(e)) && e.verb === row.verb && auditTarget(e) === row.resource && (e.responseStatus?.code ?? 0) < 400,
        )
        const seen = requests.filter((e) => userMatches(row.user!, actingUser(e))).map((e) => `${e.verb} ${auditTarget(e)}`)
        expect(hit, `a successful "${row.verb} ${row.resource}" by ${row.user}; that user made: ${[...new Set(seen)].join(', ') || 'nothing'}`).to.not.equal(
          undefined,
        )
      }
    },
    5_000,
    { describe: `the requests ${rows.map((r) => `${r.user} ${r.verb} ${r.resource}`).join('; ')} in the audit log` },
  )
})

Then(
  [
    'the audit log shows each kubelet acted only on its own node and the pods bound to it',
    'الـ audit log بيقول إن كل kubelet اشتغلت على الـ node بتاعتها والـ pods اللي عليها بس',
  ],
  async function (this: OckWorld) {
    const s = await this.cluster()
    const pods = (await core(s.kubeconfig).listPodForAllNamespaces()).items
    const nodeOf = new Map(pods.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p.spec?.nodeName]))
    const requests = (await answeredRequests(this)).filter((e) => actingUser(e).startsWith('system:node:'))
    expect(requests, 'requests by kubelets since the scenario began').to.not.be.empty
    const wrong: string[] = []
    for (const e of requests) {
      const node = actingUser(e).slice('system:node:'.length)
      const r = e.objectRef ?? {}
      const what = `${actingUser(e)}: ${e.verb} ${auditTarget(e)} ${r.namespace ? `${r.namespace}/` : ''}${r.name ?? ''}`
      const podNode = (name: string): string | undefined => nodeOf.get(`${r.namespace}/${name}`)
      if (r.resource === 'pods' && !r.apiGroup) {
        if (e.verb === 'list' || e.verb === 'watch') {
          if (!decodeURIComponent(e.requestURI).includes(`spec.nodeName=${node}`)) wrong.push(`${what} without the field selector spec.nodeName=${node}`)
        } else if (r.name && podNode(r.name) !== undefined && podNode(r.name) !== node) wrong.push(`${what}, a pod of ${podNode(r.name)}`)
      } else if (r.resource === 'nodes' && !r.apiGroup && r.name && r.name !== node) {
        wrong.push(what)
      } else if (r.resource === 'events' && r.name) {
        const about = r.name.slice(0, r.name.lastIndexOf('.'))
        if (podNode(about) !== undefined && podNode(about) !== node) wrong.push(`${what} about a pod of ${podNode(about)}`)
      }
    }
    expect(wrong, 'kubelet requests about another node or its pods').to.deep.equal([])
  },
)
