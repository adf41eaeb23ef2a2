import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { findBlock, parsePatch, replaceAt } from './port.js'

const PATCH = `Behaviors: X-01
Claim: c

diff --git a/a.ts b/a.ts
index 1..2 100644
--- a/a.ts
+++ b/a.ts
@@ -1,3 +1,3 @@
 function f() {
-  return 1
+  return 2
 }
`

describe('port: parsing a mutant patch', () => {
  it('keeps the header and reads each hunk as before / after lines', () => {
    const { header, hunks } = parsePatch(PATCH)
    assert.equal(header, 'Behaviors: X-01\nClaim: c\n\n')
    assert.deepEqual(hunks, [{ file: 'a.ts', before: ['function f() {', '  return 1', '}'], after: ['function f() {', '  return 2', '}'] }])
  })
})

describe('port: finding where a hunk went', () => {
  const cases: Array<{ name: string; lines: string[]; needle: string[]; want: number[] }> = [
    { name: 'same indentation', lines: ['a', 'b', 'c'], needle: ['b', 'c'], want: [1] },
    { name: 'moved into a class (deeper)', lines: ['x', '    b', '    c'], needle: ['b', 'c'], want: [1] },
    { name: 'twice', lines: ['b', 'b'], needle: ['b'], want: [0, 1] },
    { name: 'nowhere', lines: ['a'], needle: ['b'], want: [] },
  ]
  for (const c of cases) it(c.name, () => assert.deepEqual(findBlock(c.lines, c.needle), c.want))
})

describe('port: replacing a hunk where it landed', () => {
  const cases: Array<{ name: string; lines: string[]; at: number; before: string[]; after: string[]; want: string[] }> = [
    { name: 'in place', lines: ['a', '  b', 'c'], at: 1, before: ['  b'], after: ['  B'], want: ['a', '  B', 'c'] },
    {
      name: 're-indented to the new home',
      lines: ['x', '    b', '    c'],
      at: 1,
      before: ['  b', '  c'],
      after: ['  b', '  if (y) c'],
      want: ['x', '    b', '    if (y) c'],
    },
  ]
  for (const c of cases) it(c.name, () => assert.deepEqual(replaceAt(c.lines, c.at, c.before, c.after), c.want))
})
