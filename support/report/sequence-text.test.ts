import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CREATE_OBJECT_STEPS } from './annotations.js'
import { buildDiagram, laneFor, type DiagramMessage, type Lane } from './sequence.js'
import { laneName, messageLine, renderText } from './sequence-text.js'
import { createObjectFlow } from './synthetic.js'

const lanes = new Map<string, Lane>(
  [
    laneFor('alice'),
    { id: 'apiserver', kind: 'apiserver', title: 'API server' } as Lane,
    { id: 'store', kind: 'store', title: 'etcd' } as Lane,
    laneFor('system:node:node-1'),
    { id: 'runtime:node-1', kind: 'runtime', title: 'container runtime', subtitle: 'node-1' } as Lane,
  ].map((l) => [l.id, l]),
)
const msg = (m: Partial<DiagramMessage>): DiagramMessage => ({
  kind: 'request',
  from: 'user:alice',
  to: 'apiserver',
  label: 'create pods/web',
  detail: '',
  t: 12,
  count: 1,
  failed: false,
  entries: [],
  steps: [],
  priority: 0,
  ...m,
})

describe('sequence diagram as text', () => {
  const cases: { name: string; m: Partial<DiagramMessage>; line: string }[] = [
    { name: 'a request, component to component', m: {}, line: '   +12 ms       alice -> API server  create pods/web' },
    { name: 'a numbered step', m: { steps: [{ n: 1, label: 'x' }] }, line: '   +12 ms [1]   alice -> API server  create pods/web' },
    {
      name: 'a response reads from who answers',
      m: { kind: 'response', from: 'apiserver', to: 'user:alice', label: '201 Created' },
      line: '   +12 ms       API server --> alice  201 Created',
    },
    {
      name: 'checks happen inside one lane',
      m: { kind: 'checks', from: 'apiserver', to: 'apiserver', label: 'authn ✓' },
      line: '   +12 ms       API server ::  authn ✓',
    },
    {
      name: 'a watch event',
      m: { kind: 'watch', from: 'apiserver', to: 'kubelet:node-1', label: 'ADDED pods/web' },
      line: '   +12 ms       API server ~> kubelet node-1  ADDED pods/web',
    },
    {
      name: 'a runtime call on its node',
      m: { kind: 'runtime', from: 'kubelet:node-1', to: 'runtime:node-1', label: 'Started web', t: 2500 },
      line: '  +2.50 s       kubelet node-1 => container runtime node-1  Started web',
    },
    {
      name: 'collapsed heartbeats and a failure',
      m: { count: 5, failed: true, label: 'create pods/x → 403' },
      line: '   +12 ms       alice -> API server  create pods/x → 403 ×5 !',
    },
  ]
  for (const c of cases) it(c.name, () => assert.equal(messageLine(msg(c.m), lanes), c.line))

  it('names lanes with their instance', () => {
    assert.equal(laneName(lanes.get('kubelet:node-1'), 'kubelet:node-1'), 'kubelet node-1')
    assert.equal(laneName(laneFor('system:serviceaccount:ns:robot'), ''), 'robot (system:serviceaccount:ns:robot)')
    assert.equal(laneName(undefined, 'component:x'), 'component:x')
  })

  it('writes the whole create-object flow: lanes, the steps, one line per message, what was left out', () => {
    const d = buildDiagram(createObjectFlow('ock-abc123'), { namespace: 'ock-abc123', title: 'FLOW-09', steps: CREATE_OBJECT_STEPS })
    const text = renderText(d)
    const lines = text.trimEnd().split('\n')
    assert.equal(lines[0], 'Sequence: FLOW-09')
    assert.match(lines[1]!, /^Lanes: kubernetes-admin \| API server \| etcd \| controller manager \| scheduler \| kubelet node-1/)
    for (let n = 1; n <= 9; n++)
      assert.ok(
        lines.some((l) => l.startsWith(`  step ${n}: `)),
        `step ${n} listed`,
      )
    assert.equal(lines.filter((l) => /^\s+\+\d/.test(l)).length, d.messages.length)
    assert.ok(lines.some((l) => l.startsWith('  not shown: ')))
    assert.ok(
      renderText(d, { width: 40 })
        .split('\n')
        .every((l) => l.length <= 40),
    )
  })
})
