import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from './errors.js'
import { fromLabelSelector, parseFieldSelector, parseLabelSelector, Selector } from './selectors.js'

describe('label selectors', () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ['', { a: 'b' }, true],
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'web' }, true],
    ['app=web', { app: 'db' }, false],
    ['app!=web', { app: 'db' }, true],
    ['app!=web', {}, true],
    ['app', { app: 'x' }, true],
    ['!app', { app: 'x' }, false],
    ['!app', {}, true],
    ['env in (prod, staging)', { env: 'staging' }, true],
    ['env in (prod,staging)', { env: 'dev' }, false],
    ['env notin (prod)', {}, true],
    ['env notin (prod)', { env: 'prod' }, false],
    ['app=web,tier=front', { app: 'web', tier: 'front' }, true],
    ['app=web,tier=front', { app: 'web' }, false],
    ['example.com/role=db', { 'example.com/role': 'db' }, true],
    ['replicas>2', { replicas: '3' }, true],
    ['replicas<2', { replicas: '3' }, false],
  ]
  for (const [sel, labels, want] of cases) {
    it(`"${sel}" ${want ? 'matches' : 'does not match'} ${JSON.stringify(labels)}`, () => {
      assert.equal(parseLabelSelector(sel).matches(labels), want)
    })
  }

  it('round-trips to the query form', () => {
    assert.equal(parseLabelSelector('app=web,env in (a,b),!x').toString(), 'app=web,env in (a,b),!x')
  })

  it('refuses malformed selectors with a 400', () => {
    for (const bad of ['app=we b', 'in (a)', 'a=' + 'x'.repeat(70), 'app=web!']) {
      assert.throws(
        () => parseLabelSelector(bad),
        (e: unknown) => e instanceof ApiError && e.code === 400,
        bad,
      )
    }
  })

  it('treats a missing LabelSelector as nothing and an empty one as everything', () => {
    assert.equal(fromLabelSelector(undefined).matches({ a: 'b' }), false)
    assert.equal(fromLabelSelector({}).matches({ a: 'b' }), true)
    assert.equal(fromLabelSelector({ matchLabels: { a: 'b' }, matchExpressions: [{ key: 'c', operator: 'DoesNotExist' }] }).matches({ a: 'b' }), true)
    assert.equal(Selector.everything().empty(), true)
  })
})

describe('field selectors', () => {
  const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } }

  it('matches the supported pod fields', () => {
    assert.equal(parseFieldSelector('spec.nodeName=n1', 'Pod').matches(pod), true)
    assert.equal(parseFieldSelector('spec.nodeName!=n1', 'Pod').matches(pod), false)
    assert.equal(parseFieldSelector('status.phase=Running,metadata.name=p', 'Pod').matches(pod), true)
    assert.equal(parseFieldSelector('spec.nodeName=', 'Pod').matches({ metadata: { name: 'q' }, spec: {} }), true)
    assert.equal(parseFieldSelector('metadata.namespace==ns', 'Pod').exactValue('metadata.namespace'), 'ns')
  })

  it('refuses fields the kind does not support, as upstream', () => {
    assert.throws(
      () => parseFieldSelector('spec.nodeName=n1', 'ConfigMap'),
      (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'field label not supported: spec.nodeName',
    )
  })
})
