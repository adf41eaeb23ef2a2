import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describeIncident, incidentCursor, incidentsSince, onIncident, recordIncident } from './guard.js'

const GUARD = fileURLToPath(new URL('./guard.ts', import.meta.url))

describe('process guard', () => {
  it('keeps the process running after an unhandled rejection and an uncaught exception, and counts both', () => {
    const script = `
      const { installProcessGuard, incidentsSince } = await import(${JSON.stringify(GUARD)})
      installProcessGuard('test process')
      Promise.reject(new Error('nobody awaited me'))
      setTimeout(() => { throw new Error('thrown from a timer') }, 5)
      setTimeout(() => {
        const seen = incidentsSince(0).map((i) => i.kind + ': ' + i.message)
        console.log(JSON.stringify(seen))
      }, 50)
    `
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 })
    assert.equal(child.status, 0, child.stderr)
    assert.deepEqual(JSON.parse(child.stdout.trim()), ['unhandledRejection: nobody awaited me', 'uncaughtException: thrown from a timer'])
    assert.match(child.stderr, /\[test process\] unhandledRejection #1 \(guarded, the process keeps running\): Error: nobody awaited me/)
  })

  it('hands out the incidents after a cursor, and tells listeners', () => {
    const from = incidentCursor()
    const heard: string[] = []
    const off = onIncident((i) => heard.push(i.message))
    recordIncident({ kind: 'internalError', source: 'apiserver GET /x', message: 'Internal error occurred: boom', stack: 'Error: boom\n    at f (x.ts:1:1)' })
    off()
    recordIncident({ kind: 'internalError', source: 'apiserver', message: 'not heard' })
    const since = incidentsSince(from)
    assert.deepEqual(
      since.map((i) => i.message),
      ['Internal error occurred: boom', 'not heard'],
    )
    assert.deepEqual(heard, ['Internal error occurred: boom'])
    assert.match(describeIncident(since[0]!), /internalError in apiserver GET \/x: Internal error occurred: boom\n {4}at f \(x\.ts:1:1\)/)
  })
})
