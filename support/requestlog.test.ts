import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { answersFor, longestFailureRun, trailingFailures } from './requestlog.js'

const log = [
  'app 1: pod web (namespace ns) listening on 127.0.1.2:8080',
  '127.0.0.1:40000: url:/healthz',
  '127.0.0.1:40000: response:200',
  '127.0.0.1:40002: url:/ready',
  '127.0.0.1:40004: url:/healthz?x=1',
  '127.0.0.1:40002: response:404',
  '127.0.0.1:40004: response:404',
  '127.0.0.1:40006: url:/healthz',
  '127.0.0.1:40006: response:404',
  '127.0.0.1:40008: url:/healthz',
  'app: SIGTERM received, shutting down',
].join('\n')

describe('the app request log', () => {
  it('pairs each request for a path with its response, by client, ignoring other paths and unanswered requests', () => {
    assert.deepEqual(answersFor(log, '/healthz'), [200, 404, 404])
    assert.deepEqual(answersFor(log, '/ready'), [404])
    assert.deepEqual(answersFor(log, '/nothing'), [])
  })

  it('counts failures at the end and the longest run of failures', () => {
    const table: [number[], number, number][] = [
      [[], 0, 0],
      [[200, 200], 0, 0],
      [[200, 404, 404, 404], 3, 3],
      [[404, 200, 404, 404, 200, 404], 1, 2],
      [[500, 301, 404], 1, 1],
    ]
    for (const [codes, trailing, longest] of table) {
      assert.equal(trailingFailures(codes), trailing, `trailing failures of ${codes}`)
      assert.equal(longestFailureRun(codes), longest, `longest run of ${codes}`)
    }
  })
})
