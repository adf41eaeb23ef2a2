// The worker thread that builds the OpenAPI documents for served.ts: it loads the TypeScript
// compiler and kubernetes-models' declarations, builds every document of the resource table,
// encodes /openapi/v2 in protobuf, and posts back only the bytes (the API server's heap never
// holds the compiler, and its event loop never waits on the build).

import { parentPort } from 'node:worker_threads'
import { RESOURCES } from '../../api/resources.js'
import { buildOpenApiSpecs } from './documents.js'
import type { BuiltSpecs } from './served.js'
import { encodeOpenApiV2 } from './v2proto.js'

const specs = await buildOpenApiSpecs(RESOURCES)
const built: BuiltSpecs = {
  v2: { json: specs.v2.json, etag: specs.v2.etag },
  v2Protobuf: encodeOpenApiV2(specs.v2.document),
  v3Root: specs.v3Root,
  v3: [...specs.v3].map(([gv, d]) => [gv, { json: d.json, etag: d.etag }]),
  stats: specs.stats,
}
parentPort!.postMessage(built)
