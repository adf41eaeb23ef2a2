import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { escapeHtml, hasArabic, isolateLatin, trimRun } from './bidi.js'

const L = (s: string): string => `<bdi dir="ltr">${s}</bdi>`

describe('Latin runs in Arabic text', () => {
  const cases: { text: string; html: string }[] = [
    { text: 'Pods run side by side.', html: 'Pods run side by side.' },
    { text: 'a <b> & "c"', html: 'a &lt;b&gt; &amp; &quot;c&quot;' },
    { text: 'الـ Scheduler بيختار node', html: `الـ ${L('Scheduler')} بيختار ${L('node')}` },
    { text: 'مشكلة منها low utilization of resources بسبب', html: `مشكلة منها ${L('low utilization of resources')} بسبب` },
    { text: 'الـ filters (node affinity)', html: `الـ ${L('filters (node affinity)')}` },
    { text: '(الـ pod)', html: `(الـ ${L('pod')})` },
    { text: 'الـ pod. وبعدين', html: `الـ ${L('pod')}. وبعدين` },
    // the quotes belong to the Arabic sentence: they stay outside, around the command
    { text: 'شغلت "kubectl get pods -o wide" وخلاص', html: `شغلت &quot;${L('kubectl get pods -o wide')}&quot; وخلاص` },
    { text: 'خلال 20 ثانية', html: `خلال ${L('20')} ثانية` },
    // an arrow between words points along the Arabic sentence, so it stays outside the term
    { text: 'الـ API Server بيخزن الـ Object >> في الـ ETCD', html: `الـ ${L('API Server')} بيخزن الـ ${L('Object')} &gt;&gt; في الـ ${L('ETCD')}` },
    { text: 'الـ <Pod> هنا', html: `الـ &lt;${L('Pod')}&gt; هنا` },
  ]
  for (const c of cases) it(JSON.stringify(c.text), () => assert.equal(isolateLatin(c.text), c.html))

  it('ends a run on a letter, a digit or a closer it opened', () => {
    const table: [string, string][] = [
      ['node)', 'node'],
      ['f(x)', 'f(x)'],
      ['pods, ', 'pods'],
      ['"web"', '"web"'],
      ['web"', 'web'],
      ['50%', '50%'],
    ]
    for (const [run, want] of table) assert.equal(trimRun(run), want, run)
  })

  it('knows Arabic from Latin, and escapes', () => {
    assert.ok(hasArabic('الـ pod'))
    assert.ok(!hasArabic('the pod'))
    assert.equal(escapeHtml(`<'&">`), '&lt;&#39;&amp;&quot;&gt;')
  })
})
