import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { NODE_TIMELINE, parseBounds, timelineCellAsEnglish } from './trace.js'

describe("a node timeline's Arabic cells", () => {
  const cases: [arabic: string, english: string][] = [
    ['الـ kubelet بتاعتها جددت الـ Lease بتاعتها لآخر مرة', 'its kubelet renews its Lease for the last time'],
    ['اتعلم عليها Ready=Unknown', 'it is marked Ready=Unknown'],
    ['اتحط عليها الـ taint node.kubernetes.io/unreachable:NoExecute', 'it is tainted node.kubernetes.io/unreachable:NoExecute'],
    ['الـ pods بتاعتها اتعملها evict', 'its pods are evicted'],
    ['الـ pods اللي بتعوضها بقت Running على nodes تانية', 'their replacements are Running on other nodes'],
    ['بعد 2 ثانية، في خلال 3 ثواني', 'after 2s, within 3s'],
    ['في خلال 1 ثانية', 'within 1s'],
    ['خلال 500 مللي ثانية', 'within 500ms'],
    ['', ''],
    ['after 2s, within 3s', 'after 2s, within 3s'],
    ['it is marked Ready=False', 'it is marked Ready=False'],
  ]
  for (const [arabic, english] of cases) {
    it(`reads "${arabic}" as "${english}"`, () => assert.equal(timelineCellAsEnglish(arabic), english))
  }

  it('stand for rows and bounds the step knows', () => {
    for (const [arabic, english] of cases) {
      const row = timelineCellAsEnglish(arabic)
      if (/^(after|within)|^$/.test(english)) assert.doesNotThrow(() => parseBounds(row))
      else
        assert.ok(
          NODE_TIMELINE.some(([re]) => re.test(row)),
          `"${row}" is a timeline row`,
        )
    }
  })
})
