import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { attrs, reader, refusal } from '../testing.js'
import { LimitRanger, maxConstraint, minConstraint, ratioConstraint } from './limitranger.js'

const lr = {
  metadata: { name: 'limits' },
  spec: { limits: [{ type: 'Container', max: { cpu: '1' }, min: { cpu: '100m' }, default: { cpu: '500m' }, defaultRequest: { cpu: '200m' } }] },
}
const pod = (resources?: object) => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'i', ...(resources ? { resources } : {}) }] } })

describe('LimitRanger constraints (upstream messages)', () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ['max: limit above', maxConstraint('Container', 'cpu', '1', {}, { cpu: '2' }), 'maximum cpu usage per Container is 1, but limit is 2'],
    ['max: no limit', maxConstraint('Container', 'cpu', '1', {}, {}), 'maximum cpu usage per Container is 1.  No limit is specified'],
    ['max: within', maxConstraint('Container', 'cpu', '1', { cpu: '500m' }, { cpu: '1' }), undefined],
    [
      'min: request below',
      minConstraint('Container', 'memory', '64Mi', { memory: '32Mi' }, {}),
      'minimum memory usage per Container is 64Mi, but request is 32Mi',
    ],
    ['min: no request', minConstraint('Pod', 'cpu', '1', {}, {}), 'minimum cpu usage per Pod is 1.  No request is specified'],
    [
      'ratio: too high',
      ratioConstraint('Container', 'cpu', '2', { cpu: '100m' }, { cpu: '1' }),
      'cpu max limit to request ratio per Container is 2, but provided ratio is 10.000000',
    ],
  ]
  for (const [name, got, want] of cases) it(name, () => assert.equal(got, want))
})

describe('LimitRanger plugin', () => {
  const plugin = new LimitRanger()
  const r = reader({ '/limitranges/team-a': [lr] })

  it('writes defaults into containers without requests or limits and says so', async () => {
    const p = pod()
    await plugin.admit(attrs('pods', 'CREATE', p), r)
    assert.deepEqual(p.spec.containers[0], { name: 'app', image: 'i', resources: { limits: { cpu: '500m' }, requests: { cpu: '200m' } } })
    assert.equal(
      (p.metadata as { annotations?: Record<string, string> }).annotations?.['kubernetes.io/limit-ranger'],
      'LimitRanger plugin set: cpu request for container app; cpu limit for container app',
    )
  })

  it('keeps what the container asked for', async () => {
    const p = pod({ limits: { cpu: '700m' } })
    await plugin.admit(attrs('pods', 'CREATE', p), r)
    assert.equal((p.spec.containers[0] as { resources: { limits: { cpu: string } } }).resources.limits.cpu, '700m')
  })

  const verdicts: [string, object | undefined, string | undefined][] = [
    ['within bounds', { limits: { cpu: '1' }, requests: { cpu: '100m' } }, undefined],
    [
      'above max',
      { limits: { cpu: '2' }, requests: { cpu: '100m' } },
      'pods "p" is forbidden: maximum cpu usage per Container is 1, but limit is 2 (LimitRange "limits")',
    ],
    [
      'below min',
      { limits: { cpu: '1' }, requests: { cpu: '50m' } },
      'pods "p" is forbidden: minimum cpu usage per Container is 100m, but request is 50m (LimitRange "limits")',
    ],
  ]
  for (const [name, resources, want] of verdicts) {
    it(`validates: ${name}`, async () => {
      const got = await refusal(plugin.validate(attrs('pods', 'CREATE', pod(resources)), r))
      assert.equal(got?.message, want)
      if (want) assert.equal(got?.code, 403)
    })
  }

  it('leaves updates and other kinds alone', () => {
    assert.equal(plugin.handles(attrs('pods', 'UPDATE', pod())), false)
    assert.equal(plugin.handles(attrs('configmaps', 'CREATE', { metadata: { name: 'c' } })), false)
  })
})
