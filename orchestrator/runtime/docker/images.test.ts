import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { engineStatus } from './engine.js'
import { archiveName, saveImages } from './images.js'

describe('archive names of the kit images', () => {
  const cases: [ref: string, file: string][] = [
    ['registry.internal/ock/app:1', 'app-1.tar'],
    ['registry.internal/ock/tool:2', 'tool-2.tar'],
  ]
  for (const [ref, file] of cases) it(`${ref} -> ${file}`, () => assert.equal(archiveName(ref), file))
})

// Without a Docker engine this is skipped with the reason, unless OCK_REQUIRE_DOCKER=1 (CI)
const docker = await engineStatus()
const skip = docker.available || process.env.OCK_REQUIRE_DOCKER === '1' ? false : `no Docker engine: ${docker.reason}`

describe('saving the kit images for a real cluster (ock images save)', { skip, timeout: 180_000 }, () => {
  it('writes a docker-save archive tagged with the kit name, which a node can load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ock-images-'))
    try {
      const [saved] = await saveImages(dir, ['registry.internal/ock/app:1'])
      assert.equal(saved?.file, join(dir, 'app-1.tar'))
      assert.ok(saved.bytes > 0)
      const manifest = JSON.parse((await execa('tar', ['-xOf', saved.file, 'manifest.json'])).stdout) as { RepoTags: string[]; Layers: string[] }[]
      assert.deepEqual(
        manifest.map((m) => m.RepoTags),
        [['registry.internal/ock/app:1']],
      )
      assert.ok(manifest[0]!.Layers.length > 0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses an image the kit does not build', async () => {
    await assert.rejects(saveImages(tmpdir(), ['nginx:1']), /not an image of OCK: nginx:1/)
  })
})
