// A build cache for the OpenAPI documents, shared by every process of one checkout: the build
// (the TypeScript compiler over kubernetes-models' declarations) costs seconds of CPU, and every
// process that serves kubectl pays it once (each cucumber worker, each mutant's run, `ock up`).
// The documents depend only on what the build reads, so they are kept under a key that hashes
// all of it: the resource table, the builder's own sources, and the versions of kubernetes-models
// and TypeScript. A changed input is a new key, never a stale document. Kept where build tools
// keep theirs (node_modules/.cache/ock, or OCK_OPENAPI_CACHE); a cache that cannot be read or
// written is no cache, never an error.
// Mirrors nothing upstream (kube-apiserver compiles its OpenAPI definitions in); it is the
// reference cluster's way to make the same documents cheap.

import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ResourceInfo } from '../../api/resources.js'
import type { OpenApiSpecs, Served } from './documents.js'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)

/** The default cache folder: node_modules/.cache/ock of the checkout (or OCK_OPENAPI_CACHE). */
export function cacheDir(): string {
  return process.env.OCK_OPENAPI_CACHE ?? join(here, '..', '..', '..', 'node_modules', '.cache', 'ock')
}

function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

/** The key of a build of these resources: changes with any input of the build. */
export function cacheKey(resources: readonly ResourceInfo[], sources = here): string {
  const h = createHash('sha256')
  h.update(`kubernetes-models@${versionOf('kubernetes-models')} typescript@${versionOf('typescript')}\n`)
  h.update(JSON.stringify(resources))
  for (const f of readdirSync(sources).sort())
    if (f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'cache.ts') h.update(`\n${f}\n`).update(readFileSync(join(sources, f)))
  return h.digest('hex').slice(0, 32)
}

/** What the worker posts back: the bytes of every document and their ETags. */
export interface BuiltSpecs {
  v2: Served
  v2Protobuf: Uint8Array
  v3Root: Served
  v3: [string, Served][]
  stats: OpenApiSpecs['stats']
}

type Stored = Omit<BuiltSpecs, 'v2Protobuf'> & { v2Protobuf: string }

/** The documents built under this key before, or undefined. */
export function readCached(key: string, dir = cacheDir()): BuiltSpecs | undefined {
  try {
    const s = JSON.parse(readFileSync(join(dir, `openapi-${key}.json`), 'utf8')) as Stored
    return { ...s, v2Protobuf: new Uint8Array(Buffer.from(s.v2Protobuf, 'base64')) }
  } catch {
    return undefined
  }
}

/** Keeps a build under its key (written whole, then renamed, so a reader never sees half of it), and drops the builds of other keys. */
export function writeCached(key: string, built: BuiltSpecs, dir = cacheDir()): void {
  try {
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `openapi-${key}.json`)
    const tmp = `${file}.${process.pid}.tmp`
    const stored: Stored = { ...built, v2Protobuf: Buffer.from(built.v2Protobuf).toString('base64') }
    writeFileSync(tmp, JSON.stringify(stored))
    renameSync(tmp, file)
    for (const f of readdirSync(dir)) if (/^openapi-[0-9a-f]+\.json$/.test(f) && f !== `openapi-${key}.json`) rmSync(join(dir, f), { force: true })
  } catch {
    // no cache then: the next process builds again
  }
}
