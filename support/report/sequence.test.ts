import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { DOMParser, type Element } from '@xmldom/xmldom'
import { CREATE_OBJECT_STEPS, stepsForTags } from './annotations.js'
import { buildDiagram, collapse, formatOffset, laneFor, type DiagramMessage } from './sequence.js'
import { renderSvg } from './sequence-svg.js'
import { createObjectFlow, TraceBuilder } from './synthetic.js'

const NS = 'ock-abc123'

/** Parses SVG text strictly: any XML error fails the test. */
function parseSvg(svg: string) {
  const errors: string[] = []
  const doc = new DOMParser({
    onError: (level, msg) => {
      if (level !== 'warning') errors.push(msg)
    },
  }).parseFromString(svg, 'image/svg+xml')
  assert.deepEqual(errors, [], 'the SVG is well-formed XML')
  assert.equal(doc.documentElement?.nodeName, 'svg')
  return doc
}

function elements(root: { getElementsByTagName(n: string): ArrayLike<Element> }, tag: string): Element[] {
  return Array.from(root.getElementsByTagName(tag))
}

describe('sequence diagram of the create-object process (synthetic trace)', () => {
  const diagram = buildDiagram(createObjectFlow(NS), { namespace: NS, title: 'FLOW-09', steps: CREATE_OBJECT_STEPS })
  const svg = renderSvg(diagram)
  const doc = parseSvg(svg)

  it('shows the nine numbered steps of the notes, in order, on rows that go down the page', () => {
    const rows = elements(doc, 'g').filter((g) => g.getAttribute('class')?.split(' ').includes('msg'))
    const marked = rows.filter((g) => g.getAttribute('data-step'))
    const order = marked.flatMap((g) => g.getAttribute('data-step')!.split(' ').map(Number))
    assert.deepEqual(order, [1, 2, 3, 4, 5, 6, 7, 8, 9])
    // each step's row lies below the previous one (rows are drawn top to bottom)
    const ys = marked.map((g) =>
      Number(
        elements(g, 'text')
          .find((t) => t.getAttribute('text-anchor') === 'end')!
          .getAttribute('y'),
      ),
    )
    for (let i = 1; i < ys.length; i++) assert.ok(ys[i]! > ys[i - 1]!, `step ${order[i]} is drawn below step ${order[i - 1]}`)
    // and their times do not go backwards
    const ts = marked.map((g) => Number(g.getAttribute('data-t')))
    assert.deepEqual(
      [...ts].sort((a, b) => a - b),
      ts,
    )
    assert.deepEqual(diagram.missingSteps, [])
  })

  it('lists the nine steps with their meaning in a legend', () => {
    const legend = elements(doc, 'g').find((g) => g.getAttribute('class') === 'steps-legend')!
    const numbers = elements(legend, 'g').map((g) => Number(g.getAttribute('data-step')))
    assert.deepEqual(numbers, [1, 2, 3, 4, 5, 6, 7, 8, 9])
    const text = elements(legend, 'text')
      .map((t) => t.textContent)
      .join(' ')
    for (const rule of CREATE_OBJECT_STEPS) assert.ok(text.includes(rule.label.split(' ').slice(0, 4).join(' ')), `legend names step ${rule.n}`)
  })

  it('marks each step on the message that shows it', () => {
    const step = (n: number): DiagramMessage => diagram.messages.find((m) => m.steps.some((s) => s.n === n))!
    assert.equal(step(1).kind, 'request')
    assert.equal(step(1).from, 'user:kubernetes-admin')
    assert.match(step(1).label, /^create deployments\/web$/)
    assert.equal(step(2).kind, 'checks')
    assert.match(step(2).label, /authn ✓ · authz ✓/)
    assert.deepEqual([step(3).kind, step(3).to], ['write', 'store'])
    assert.deepEqual([step(4).kind, step(4).label], ['ack', 'ok, revision 42'])
    assert.deepEqual([step(5).kind, step(5).label, step(5).to], ['response', '201 Created', 'user:kubernetes-admin'])
    assert.deepEqual([step(6).from, step(6).label], ['controller-manager', 'create replicasets/web-7d4b9 → 201'])
    assert.deepEqual([step(7).from, step(7).label], ['scheduler', 'create pods/web-7d4b9-x2k4q/binding → 201'])
    assert.deepEqual([step(8).kind, step(8).to], ['watch', 'kubelet:node-1'])
    assert.deepEqual([step(9).kind, step(9).from, step(9).to, step(9).label], ['runtime', 'kubelet:node-1', 'runtime:node-1', 'Created web-7d4b9-x2k4q'])
  })

  it('draws lanes for the user, the API server, etcd, the controller manager, the scheduler, each kubelet and its runtime', () => {
    assert.deepEqual(
      diagram.lanes.map((l) => l.id),
      [
        'user:kubernetes-admin',
        'apiserver',
        'store',
        'controller-manager',
        'scheduler',
        'kubelet:node-1',
        'runtime:node-1',
        'kubelet:node-2',
        'runtime:node-2',
      ],
    )
    const drawn = elements(doc, 'g')
      .filter((g) => g.getAttribute('class') === 'lane')
      .map((g) => g.getAttribute('data-lane'))
    assert.deepEqual(
      drawn,
      diagram.lanes.map((l) => l.id),
    )
  })

  it('collapses heartbeats into one message per node with its count', () => {
    const leases = diagram.messages.filter((m) => m.label.startsWith('update leases/'))
    assert.deepEqual(
      leases.map((m) => [m.from, m.count]),
      [
        ['kubelet:node-1', 5],
        ['kubelet:node-2', 4],
      ],
    )
    assert.ok(svg.includes('×5'))
  })

  it("leaves out the harness's own trace reads, counts discovery and other namespaces", () => {
    assert.ok(!diagram.messages.some((m) => m.detail.includes('/debug/trace')))
    assert.ok(!diagram.messages.some((m) => m.label.includes('kube-system')))
    assert.deepEqual(
      diagram.hidden.map((h) => [h.what, h.count]),
      [
        ['discovery requests (GET /api, /apis, /version, ...)', 1],
        ['component requests about other namespaces', 1],
      ],
    )
  })

  it('gives times in milliseconds after the first drawn entry, increasing down the page', () => {
    const ts = diagram.messages.map((m) => m.t)
    assert.deepEqual(
      [...ts].sort((a, b) => a - b),
      ts,
    )
    assert.ok(ts[0]! < 5)
  })
})

describe('sequence diagram: requests, rejections and size', () => {
  it('shows a denied request with its checks failing and the code in red, and nothing written', () => {
    const b = new TraceBuilder()
    b.request({ user: 'jane', verb: 'create', resource: 'pods', namespace: NS, name: 'p', code: 403, phases: 'denied-authz' })
    const d = buildDiagram(b.entries, { namespace: NS })
    assert.deepEqual(
      d.messages.map((m) => [m.kind, m.failed]),
      [
        ['request', false],
        ['checks', true],
        ['response', true],
      ],
    )
    assert.match(d.messages[1]!.label, /authz ✗/)
    assert.match(d.messages[2]!.label, /^403 Forbidden/)
    assert.ok(!d.lanes.some((l) => l.id === 'store'))
    parseSvg(renderSvg(d))
  })

  it('shows an unauthenticated caller as anonymous', () => {
    const b = new TraceBuilder()
    b.request({ user: 'system:anonymous', verb: 'list', resource: 'pods', namespace: NS, code: 401, phases: 'denied-authn' })
    const d = buildDiagram(b.entries, { namespace: NS })
    assert.equal(d.messages[0]!.from, 'user:system:anonymous')
    assert.equal(d.lanes[0]!.title, 'anonymous')
    assert.match(d.messages.at(-1)!.label, /^401 Unauthorized/)
  })

  it("keeps the scenario's story and the numbered steps under the size cap", () => {
    const b = new TraceBuilder()
    for (let i = 0; i < 400; i++)
      b.request({ user: 'system:kube-controller-manager', verb: 'get', resource: 'configmaps', namespace: NS, name: `c${i}`, code: 200 })
    b.request({
      user: 'kubernetes-admin',
      verb: 'create',
      resource: 'deployments.apps',
      namespace: NS,
      name: 'web',
      code: 201,
      store: { op: 'create', revision: 7 },
    })
    for (let i = 0; i < 400; i++)
      b.request({ user: 'system:kube-controller-manager', verb: 'get', resource: 'secrets', namespace: NS, name: `s${i}`, code: 200 })
    const d = buildDiagram(b.entries, { namespace: NS, maxMessages: 60, steps: CREATE_OBJECT_STEPS.slice(0, 5) })
    assert.equal(d.messages.length, 60)
    assert.deepEqual(
      d.messages.flatMap((m) => m.steps.map((s) => s.n)),
      [1, 2, 3, 4, 5],
    )
    assert.ok(d.hidden.some((h) => h.what.startsWith('messages beyond the size cap') && h.count === 745))
    // what is dropped goes from the end: the earliest component traffic stays
    assert.equal(d.messages[0]!.label, 'get configmaps/c0 → 200')
    const svg = renderSvg(d)
    parseSvg(svg)
    assert.ok(svg.includes('Not drawn: 745 messages beyond the size cap'))
  })

  it('says which asked-for steps the trace does not show', () => {
    const b = new TraceBuilder()
    b.request({
      user: 'kubernetes-admin',
      verb: 'create',
      resource: 'deployments.apps',
      namespace: NS,
      name: 'web',
      code: 201,
      store: { op: 'create', revision: 7 },
    })
    const d = buildDiagram(b.entries, { namespace: NS, steps: CREATE_OBJECT_STEPS })
    assert.deepEqual(
      d.missingSteps.map((s) => s.n),
      [6, 7, 8, 9],
    )
    assert.ok(renderSvg(d).includes('Step 6 does not appear in the trace'))
  })

  it('escapes names, so any object name gives well-formed SVG', () => {
    const b = new TraceBuilder()
    b.request({ user: "O'Brien <ops> & co", verb: 'create', resource: 'configmaps', namespace: NS, name: 'a"b', code: 422, phases: 'write' })
    const svg = renderSvg(buildDiagram(b.entries, { namespace: NS, title: 'Title with <angle> & "quotes"' }))
    parseSvg(svg)
  })

  it("draws a kubelet's Events as runtime calls, but not when an Event is deleted", () => {
    const b = new TraceBuilder()
    const attrs = { reason: 'Killing', involvedObject: 'Pod/web-1', note: 'Stopping container app' }
    b.request({ user: 'system:node:n1', verb: 'create', resource: 'events', namespace: NS, name: 'e1', code: 201, store: { op: 'create', revision: 5, attrs } })
    b.request({ user: 'system:node:n1', verb: 'delete', resource: 'events', namespace: NS, name: 'e1', code: 200, store: { op: 'delete', revision: 6, attrs } })
    const d = buildDiagram(b.entries, { namespace: NS })
    assert.deepEqual(
      d.messages.map((m) => [m.kind, m.label]),
      [
        ['runtime', 'Killing web-1'],
        ['request', 'delete event: Killing Pod/web-1 → 200'],
        ['write', 'delete → rev 6'],
      ],
    )
    assert.equal(d.lanes.find((l) => l.id === 'store')?.subtitle, 'store: memory')
  })

  it('draws an empty trace as an empty diagram that says so', () => {
    const svg = renderSvg(buildDiagram([], { title: 'nothing' }))
    parseSvg(svg)
    assert.ok(svg.includes('The trace holds no requests for this scenario.'))
  })

  it('folds identical consecutive messages but never a numbered step', () => {
    const m = (label: string, steps: number[] = []): DiagramMessage => ({
      kind: 'watch',
      from: 'apiserver',
      to: 'scheduler',
      label,
      detail: '',
      t: 1,
      count: 1,
      failed: false,
      entries: [],
      steps: steps.map((n) => ({ n, label: '' })),
      priority: 1,
    })
    const out = collapse([m('ADDED pods/a'), m('ADDED pods/a'), m('ADDED pods/a', [8]), m('ADDED pods/a'), m('ADDED pods/b')])
    assert.deepEqual(
      out.map((x) => [x.label, x.count, x.steps.length]),
      [
        ['ADDED pods/a', 2, 0],
        ['ADDED pods/a', 1, 1],
        ['ADDED pods/a', 1, 0],
        ['ADDED pods/b', 1, 0],
      ],
    )
  })
})

describe('lanes of identities', () => {
  const cases: [string | undefined, string, string][] = [
    ['kubernetes-admin', 'user:kubernetes-admin', 'user'],
    ['system:kube-controller-manager', 'controller-manager', 'controller-manager'],
    ['system:kube-scheduler', 'scheduler', 'scheduler'],
    ['system:node:worker-2', 'kubelet:worker-2', 'kubelet'],
    ['system:kube-proxy', 'kube-proxy', 'component'],
    ['system:serviceaccount:default:builder', 'user:system:serviceaccount:default:builder', 'user'],
    ['system:apiserver', 'component:system:apiserver', 'component'],
    [undefined, 'user:system:anonymous', 'user'],
  ]
  for (const [user, id, kind] of cases) {
    it(`${user ?? '(none)'} -> ${id}`, () => {
      const l = laneFor(user)
      assert.deepEqual([l.id, l.kind], [id, kind])
    })
  }
})

describe('numbered steps that happened out of order', () => {
  // the same flow, but the user's answer (step 5) came before the store's acknowledgement (step 4)
  const entries = createObjectFlow(NS).map((e) => ({ ...e }))
  const first = entries.find((e) => e.kind === 'request' && e.resource === 'deployments.apps')!
  const ack = entries.find((e) => e.requestId === first.requestId && e.kind === 'store' && e.outcome === 'ok')!
  const response = entries.find((e) => e.requestId === first.requestId && e.kind === 'response')!
  ;[ack.seq, response.seq] = [response.seq, ack.seq]
  ;[ack.t, response.t] = [response.t, ack.t]
  ;[ack.ts, response.ts] = [response.ts, ack.ts]
  const d = buildDiagram(entries, { namespace: NS, steps: CREATE_OBJECT_STEPS })

  it('are all marked, each where it happened, so the order shows the mistake', () => {
    assert.deepEqual(d.missingSteps, [])
    const order = d.messages.flatMap((m) => m.steps.map((st) => st.n))
    assert.deepEqual(order, [1, 2, 3, 5, 4, 6, 7, 8, 9])
  })
})

describe('diagram steps by tag', () => {
  it('finds the create-object steps and rejects unknown names', () => {
    assert.equal(stepsForTags(['@FLOW-09', '@diagram:create-object']), CREATE_OBJECT_STEPS)
    assert.equal(stepsForTags(['@FLOW-09']), undefined)
    assert.throws(() => stepsForTags(['@diagram:nope']), /unknown diagram steps "nope".*@diagram:create-object/)
  })
})

describe('time offsets', () => {
  for (const [ms, text] of [
    [0, '+0 ms'],
    [12.4, '+12 ms'],
    [1500, '+1.50 s'],
    [12_345, '+12.3 s'],
    [125_000, '+2m05s'],
  ] as const) {
    it(`${ms} -> ${text}`, () => assert.equal(formatOffset(ms), text))
  }
})
