import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync, writeFileSync, cpSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RESOURCES } from '../../api/resources.js'
import { cacheKey, readCached, writeCached } from './cache.js'
import type { BuiltSpecs } from './cache.js'

const built: BuiltSpecs = {
  v2: { json: '{"swagger":"2.0"}', etag: 'A' },
  v2Protobuf: new Uint8Array([0, 1, 2, 255]),
  v3Root: { json: '{"paths":{}}', etag: 'B' },
  v3: [['api/v1', { json: '{"openapi":"3.0.0"}', etag: 'C' }]],
  stats: { definitions: 1, v2Bytes: 17, v3Bytes: 19, buildMs: 5 },
}

test('a build kept under its key reads back byte for byte, and replaces the builds of other keys', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ock-openapi-cache-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  assert.equal(readCached('aa', dir), undefined)
  writeCached('aa', built, dir)
  assert.deepEqual(readCached('aa', dir), built)
  writeCached('bb', built, dir)
  assert.deepEqual(readdirSync(dir), ['openapi-bb.json'])
})

test('a cache that cannot be written is no cache, not an error', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ock-openapi-cache-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'file'), '')
  const under = join(dir, 'file', 'cache') // a folder under a file: ENOTDIR
  assert.doesNotThrow(() => writeCached('aa', built, under))
  assert.equal(readCached('aa', under), undefined)
})

test('the key changes with every input of the build: a resource row, a builder source', (t) => {
  const key = cacheKey(RESOURCES)
  assert.equal(cacheKey(RESOURCES), key)
  assert.notEqual(cacheKey(RESOURCES.slice(1)), key)
  assert.notEqual(cacheKey([...RESOURCES.slice(0, -1), { ...RESOURCES.at(-1)!, shortNames: ['zz'] }]), key)
  const copy = mkdtempSync(join(tmpdir(), 'ock-openapi-src-'))
  t.after(() => rmSync(copy, { recursive: true, force: true }))
  cpSync(dirname(fileURLToPath(import.meta.url)), copy, { recursive: true })
  assert.equal(cacheKey(RESOURCES, copy), key)
  writeFileSync(join(copy, 'paths.ts'), '// changed\n', { flag: 'a' })
  assert.notEqual(cacheKey(RESOURCES, copy), key)
})
