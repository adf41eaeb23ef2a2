import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Affinity, PodAffinityTerm } from '../../../api/types.js'
import { CycleState } from '../../framework/interface.js'
import { PodInfo, type NodeInfo } from '../../framework/nodeinfo.js'
import { handleOf, node, nodeInfo, pod } from '../../framework/testing.js'
import { InterPodAffinity } from './interpodaffinity.js'

const term = (app: string, topologyKey = 'kubernetes.io/hostname'): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey })
const affinity = (...t: PodAffinityTerm[]): Affinity => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: t } })
const anti = (...t: PodAffinityTerm[]): Affinity => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: t } })

function filterAll(infos: NodeInfo[], incoming: ReturnType<typeof pod>): Record<string, string> {
  const p = new InterPodAffinity(handleOf(infos))
  const state = new CycleState()
  const pi = new PodInfo(incoming)
  const pre = p.preFilter(state, pi)
  const out: Record<string, string> = {}
  for (const n of infos) {
    const s = pre.isSkip() ? pre : p.filter(state, pi, n)
    out[n.name] = s.isSuccess() || s.isSkip() ? 'ok' : s.reasons[0]!
  }
  return out
}

describe('InterPodAffinity', () => {
  const zoneA1 = node('a1', { labels: { zone: 'a' } })
  const zoneA2 = node('a2', { labels: { zone: 'a' } })
  const zoneB1 = node('b1', { labels: { zone: 'b' } })

  it('required affinity: only nodes (domains) that run a matching pod', () => {
    const infos = [nodeInfo(zoneA1, pod('db', {}, { app: 'db' })), nodeInfo(zoneA2), nodeInfo(zoneB1)]
    assert.deepEqual(filterAll(infos, pod('web', { affinity: affinity(term('db')) })), {
      a1: 'ok',
      a2: "node(s) didn't match pod affinity rules",
      b1: "node(s) didn't match pod affinity rules",
    })
    assert.deepEqual(filterAll(infos, pod('web', { affinity: affinity(term('db', 'zone')) })), {
      a1: 'ok',
      a2: 'ok',
      b1: "node(s) didn't match pod affinity rules",
    })
  })

  it('required affinity: the first pod of a group that selects itself may go anywhere', () => {
    const infos = [nodeInfo(zoneA1), nodeInfo(zoneB1)]
    assert.deepEqual(filterAll(infos, pod('cache-1', { affinity: affinity(term('cache')) }, { app: 'cache' })), { a1: 'ok', b1: 'ok' })
    assert.deepEqual(filterAll(infos, pod('web', { affinity: affinity(term('cache')) }, { app: 'web' })), {
      a1: "node(s) didn't match pod affinity rules",
      b1: "node(s) didn't match pod affinity rules",
    })
  })

  it('required anti-affinity: not where a matching pod runs', () => {
    const infos = [nodeInfo(zoneA1, pod('w1', {}, { app: 'web' })), nodeInfo(zoneA2), nodeInfo(zoneB1)]
    assert.deepEqual(filterAll(infos, pod('w2', { affinity: anti(term('web')) }, { app: 'web' })), {
      a1: "node(s) didn't match pod anti-affinity rules",
      a2: 'ok',
      b1: 'ok',
    })
    assert.deepEqual(filterAll(infos, pod('w2', { affinity: anti(term('web', 'zone')) }, { app: 'web' })), {
      a1: "node(s) didn't match pod anti-affinity rules",
      a2: "node(s) didn't match pod anti-affinity rules",
      b1: 'ok',
    })
  })

  it("reports the incoming pod's own anti-affinity before the existing pods' (upstream order)", () => {
    const w = (name: string) => pod(name, { affinity: anti(term('web')) }, { app: 'web' })
    const infos = [nodeInfo(zoneA1, w('w1')), nodeInfo(zoneB1)]
    assert.deepEqual(filterAll(infos, w('w2')), { a1: "node(s) didn't match pod anti-affinity rules", b1: 'ok' })
  })

  it("existing pods' anti-affinity keeps matching newcomers away (symmetry)", () => {
    const infos = [nodeInfo(zoneA1, pod('loner', { affinity: anti(term('noisy')) }, { app: 'loner' })), nodeInfo(zoneB1)]
    assert.deepEqual(filterAll(infos, pod('n', {}, { app: 'noisy' })), { a1: "node(s) didn't satisfy existing pods anti-affinity rules", b1: 'ok' })
    assert.deepEqual(filterAll(infos, pod('q', {}, { app: 'quiet' })), { a1: 'ok', b1: 'ok' })
  })

  it('looks only in the namespaces a term names (its own by default)', () => {
    const infos = [nodeInfo(zoneA1, pod('db', {}, { app: 'db' }, 'other')), nodeInfo(zoneB1)]
    assert.deepEqual(filterAll(infos, pod('web', { affinity: affinity(term('db')) }, { app: 'web' })), {
      a1: "node(s) didn't match pod affinity rules",
      b1: "node(s) didn't match pod affinity rules",
    })
    assert.deepEqual(filterAll(infos, pod('web', { affinity: affinity({ ...term('db'), namespaces: ['other'] }) }, { app: 'web' })), {
      a1: 'ok',
      b1: "node(s) didn't match pod affinity rules",
    })
  })

  it('preferred terms steer the score without filtering', () => {
    const infos = [
      nodeInfo(zoneA1, pod('db', {}, { app: 'db' })),
      nodeInfo(zoneB1),
      nodeInfo(node('c1', { labels: { zone: 'c' } }), pod('w', {}, { app: 'web' })),
    ]
    const p = new InterPodAffinity(handleOf(infos))
    const incoming = new PodInfo(
      pod(
        'web2',
        {
          affinity: {
            podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term('db') }] },
            podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('web') }] },
          },
        },
        { app: 'web' },
      ),
    )
    const state = new CycleState()
    assert.ok(p.preFilter(state, incoming).isSkip(), 'no required terms: nothing to filter')
    assert.ok(p.preScore(state, incoming).isSuccess())
    const scores = infos.map((n) => p.score(state, incoming, n))
    assert.deepEqual(scores, [100, 0, -50])
    p.normalizeScore(state, incoming, scores)
    assert.deepEqual(scores, [100, 33, 0])
  })
})
