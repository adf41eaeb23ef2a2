// The OpenAPI documents as the API server serves them: built once per process, on the first
// request for one, in a worker thread (build.worker.ts), so neither the TypeScript compiler nor
// the documents' object trees stay in the API server's heap and no request waits behind the
// build on the event loop. The worker registers tsx itself: the API server may run under tsx's
// programmatic registration (bin/ock.js, cucumber), which a worker does not inherit.
// Simplifies: a failed build is not remembered; the next request tries again.

import { Worker } from 'node:worker_threads'
import type { OpenApiSpecs, Served } from './documents.js'

/** What the worker posts back: the bytes of every document and their ETags. */
export interface BuiltSpecs {
  v2: Served
  v2Protobuf: Uint8Array
  v3Root: Served
  v3: [string, Served][]
  stats: OpenApiSpecs['stats']
}

/** A document's bytes, ready to send, and its ETag. */
export interface Bytes {
  bytes: Buffer
  etag: string
}

export interface ServedSpecs {
  v2: Bytes
  /** The same document as gnostic protobuf (same ETag). */
  v2Protobuf: Buffer
  v3Root: Bytes
  v3: Map<string, Bytes>
  stats: OpenApiSpecs['stats']
}

const bytes = (s: Served): Bytes => ({ bytes: Buffer.from(s.json, 'utf8'), etag: s.etag })

let cached: Promise<ServedSpecs> | undefined

/** The served documents, built on first call (in a worker) and kept for the life of the process. */
export function servedOpenApi(): Promise<ServedSpecs> {
  if (!cached) {
    cached = buildInWorker()
    cached.catch(() => (cached = undefined))
  }
  return cached
}

function buildInWorker(): Promise<ServedSpecs> {
  const tsx = import.meta.resolve('tsx/esm/api')
  const entry = new URL('./build.worker.ts', import.meta.url).href
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}) })`
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, execArgv: [] })
    // a process with nothing else to do (a test that asked once) need not wait for the build
    worker.unref()
    worker.once('message', (b: BuiltSpecs) => {
      resolve({
        v2: bytes(b.v2),
        v2Protobuf: Buffer.from(b.v2Protobuf),
        v3Root: bytes(b.v3Root),
        v3: new Map(b.v3.map(([gv, d]) => [gv, bytes(d)])),
        stats: b.stats,
      })
      void worker.terminate()
    })
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`the OpenAPI build worker exited with code ${code} before it answered`)))
  })
}
