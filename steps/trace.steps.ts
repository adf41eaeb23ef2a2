// Steps that read the built-in API server's trace (capability @trace): what happened to one
// request, in which order inside the API server, and what the store acknowledged (which
// requests each component made is read from the audit log: audit.steps.ts); and a node's failure
// as a timeline (last heartbeat, Ready=Unknown, taint, evictions, replacements) with the time
// each step took.

import { Then, type DataTable } from './define.js'
import { consistently, formatMs } from '../support/eventually.js'
import { expect } from 'chai'
import type { KindRef } from '../support/kinds.js'
import { CREATE_OBJECT_STEPS } from '../support/report/annotations.js'
import { buildDiagram } from '../support/report/sequence.js'
import { creatingWrite } from '../support/store.js'
import {
  describeEntry,
  parseBounds,
  requestEntries,
  timelineCellAsEnglish,
  timelineFinder,
  TRACE_PHRASES,
  type TimelineState,
  type TraceEntry,
} from '../support/trace.js'
import type { OckWorld } from '../support/world.js'

async function traceSinceStart(world: OckWorld): Promise<TraceEntry[]> {
  const s = await world.cluster()
  if (!s.trace) throw new Error('this target has no trace (the scenario needs the @trace tag)')
  return s.trace.since(world.traceCursor)
}

function resourceName(kind: KindRef): string {
  const group = kind.apiVersion.includes('/') ? kind.apiVersion.split('/')[0] : ''
  return group ? `${kind.plural}.${group}` : kind.plural
}

/** The request that created the object: the one whose store write was a create of it. */
function creatingRequest(entries: TraceEntry[], kind: KindRef, name: string): string {
  const resource = resourceName(kind)
  const write = entries.find((e) => e.kind === 'store' && e.outcome === 'ok' && e.op === 'create' && e.resource === resource && e.name === name)
  if (!write?.requestId) {
    throw new Error(`no request created ${resource} "${name}" since the scenario started; trace:\n${entries.slice(-40).map(describeEntry).join('\n')}`)
  }
  return write.requestId
}

/** Checks that the phrases happen in this order among one request's entries; returns the last match. */
function inOrder(mine: TraceEntry[], table: DataTable): number {
  let after = -1
  for (const [phrase] of table.raw()) {
    const matches = TRACE_PHRASES[phrase!.trim()]
    if (!matches) throw new Error(`unknown trace step "${phrase}"; known: ${Object.keys(TRACE_PHRASES).join(' | ')}`)
    const hit = mine.find((e) => e.seq > after && matches(e))
    expect(hit, `"${phrase}" after #${after} in:\n${mine.map(describeEntry).join('\n')}`).to.not.equal(undefined)
    after = hit!.seq
  }
  return after
}

Then(
  ['the request that created the {kind} {string} went through, in order:', 'الـ request اللي عمل create للـ {kind} {string} عدى على دول بالترتيب:'],
  async function (this: OckWorld, kind: KindRef, name: string, table: DataTable) {
    const entries = await traceSinceStart(this)
    inOrder(requestEntries(entries, creatingRequest(entries, kind, name)), table)
  },
)

Then(
  ['the rejected request went through, in order, and no further:', 'الـ request اللي اترفض عدى على دول بالترتيب، ومكملش بعدهم:'],
  async function (this: OckWorld, table: DataTable) {
    const e = this.takeError()
    expect(e.auditId, 'the Audit-Id of the rejected request').to.be.a('string')
    const mine = requestEntries(await traceSinceStart(this), e.auditId!)
    const last = inOrder(mine, table)
    const later = mine.filter((x) => x.seq > last && (x.kind === 'phase' || x.kind === 'store'))
    expect(later.map(describeEntry), `phases after the refusal in:\n${mine.map(describeEntry).join('\n')}`).to.deep.equal([])
  },
)

Then(['the trace shows requests by {string}', 'الـ trace فيه requests من {string}'], async function (this: OckWorld, user: string) {
  const entries = await traceSinceStart(this)
  const by = entries.filter((e) => e.kind === 'phase' && e.phase === 'authentication' && e.user === user)
  expect(by.length, `requests authenticated as ${user}`).to.be.greaterThan(0)
})

Then(
  ['every request in the trace was authenticated with a client certificate', 'كل request في الـ trace اتعمله authentication بـ client certificate'],
  async function (this: OckWorld) {
    const entries = await traceSinceStart(this)
    const authn = entries.filter((e) => e.kind === 'phase' && e.phase === 'authentication')
    expect(authn, 'authentications in the trace').to.not.be.empty
    const other = authn.filter((e) => e.attrs?.authenticator !== 'x509').map(describeEntry)
    expect(other, 'requests authenticated otherwise than by a client certificate').to.deep.equal([])
  },
)

Then('for {duration} the store acknowledges no write by {string}, whose requests fail', async function (this: OckWorld, ms: number, user: string) {
  const s = await this.cluster()
  if (!s.trace) throw new Error('this target has no trace (the scenario needs the @trace tag)')
  const from = await s.trace.cursor()
  let seen: TraceEntry[] = []
  await consistently(
    async () => (seen = await s.trace!.since(from)),
    (entries) => {
      expect(
        entries.filter((e) => e.kind === 'store' && e.outcome === 'ok' && e.user === user).map(describeEntry),
        `writes by ${user} acknowledged by the store`,
      ).to.deep.equal([])
    },
    ms,
    { describe: `no write by ${user} reaching the store` },
  )
  const refused = seen.filter((e) => e.kind === 'response' && e.user === user && (e.code ?? 0) >= 500)
  expect(refused.length, `requests by ${user} answered with a 5xx while the store was down (it kept trying)`).to.be.greaterThan(0)
})

Then(
  [
    'the trace shows the nine steps of creating the deployment {string}, in order',
    'الـ trace فيه الخطوات التسعة بتاعة الـ create للـ deployment {string}، بالترتيب',
  ],
  async function (this: OckWorld, name: string) {
    const s = await this.cluster()
    const entries = await traceSinceStart(this)
    const diagram = buildDiagram(entries, { namespace: s.namespace, steps: CREATE_OBJECT_STEPS })
    const marked = diagram.messages.flatMap((m) => m.steps.map((st) => ({ n: st.n, label: st.label, m })))
    this.log(marked.map(({ n, label, m }) => `${n}. +${m.t} ms  ${m.from} -> ${m.to}: ${m.label}   (${label})`).join('\n'))
    expect(
      diagram.missingSteps.map((st) => `${st.n}. ${st.label}`),
      'steps of the create-object process the trace does not show',
    ).to.deep.equal([])
    expect(
      marked.map((x) => x.n),
      'the steps, in the order they happened',
    ).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9])
    const times = marked.map((x) => x.m.t)
    expect(times, 'when each step happened (ms), never earlier than the one before').to.deep.equal([...times].sort((a, b) => a - b))
    // a create names its object in the body: the store write of the same request names it
    const step1 = marked[0]!.m.requestId
    expect(entries.find((e) => e.requestId === step1 && e.name)?.name, 'the Deployment the user sent in step 1').to.equal(name)
    // steps 4 and 5 where each happens, not as the API server tells it: the store's
    // acknowledgement (measured at the store, through the store door) and the user's receipt
    if (s.store) {
      const write = await creatingWrite(s, { kind: 'Deployment', namespace: s.namespace, name }, this.storeCursor)
      const answered = this.answeredAt.get(`Deployment/${name}`)
      expect(write?.acknowledgedAt, `when the store acknowledged the write of deployment ${name}`).to.be.a('number')
      expect(answered, `when the answer for deployment ${name} reached the user`).to.be.a('number')
      expect(answered! - write!.acknowledgedAt!, 'ms from the store acknowledging the Deployment (step 4) to the user receiving 201 (step 5)').to.be.at.least(0)
    }
  },
)

// ---------------------------------------------------------------------------------------------
// a node's failure, in order and on time

Then(
  ['the trace shows, in this order, for the node {string}:', 'الـ trace بيحكي اللي حصل للـ node {string}، بالترتيب ده:'],
  async function (this: OckWorld, node: string, table: DataTable) {
    const state: TimelineState = { node, entries: await traceSinceStart(this), evicted: [] }
    // an Arabic row reads as the English one it stands for
    const rows = table.raw().map((row) => row.map(timelineCellAsEnglish))
    let after = -1
    let previous: { t: number; phrase: string } | undefined
    const measured: string[] = []
    for (let i = 0; i < rows.length; i++) {
      const [phrase = '', bounds = ''] = rows[i]!
      // a row about the last time something happened ends where the next row's first moment is
      const lookBack = /last time$/.test(phrase.trim())
      const nextPhrase = rows[i + 1]?.[0]
      const before =
        lookBack && nextPhrase
          ? (timelineFinder(nextPhrase)(state, after, Number.POSITIVE_INFINITY)[0]?.seq ?? Number.POSITIVE_INFINITY)
          : Number.POSITIVE_INFINITY
      const moments = timelineFinder(phrase)(state, after, before)
      const context = state.entries
        .filter((e) => e.seq > after && e.kind === 'store' && e.outcome === 'ok' && (e.resource === 'nodes' || e.resource === 'pods'))
        .slice(0, 40)
        .map(describeEntry)
        .join('\n')
      expect(moments, `"${phrase}" after #${after} in the trace; store writes of nodes and pods after it:\n${context}`).to.not.be.empty
      const first = moments[0]!
      const last = moments.at(-1)!
      if (previous) {
        const { afterMs, withinMs } = parseBounds(bounds)
        const earliest = first.t - previous.t
        const latest = last.t - previous.t
        measured.push(`${phrase}: ${formatMs(earliest)}${latest !== earliest ? ` to ${formatMs(latest)}` : ''} after "${previous.phrase}"`)
        if (afterMs !== undefined)
          expect(earliest, `"${phrase}" (${first.what}) came ${formatMs(earliest)} after "${previous.phrase}", not after ${formatMs(afterMs)}`).to.be.at.least(
            afterMs,
          )
        if (withinMs !== undefined)
          expect(latest, `"${phrase}" (${last.what}) came ${formatMs(latest)} after "${previous.phrase}", not within ${formatMs(withinMs)}`).to.be.at.most(
            withinMs,
          )
      } else if (bounds.trim()) {
        throw new Error(`the first row ("${phrase}") is where time starts: it takes no bound`)
      }
      after = last.seq
      previous = { t: last.t, phrase }
    }
    this.log(`node ${node}, as the trace shows it:\n${measured.join('\n')}`)
  },
)
