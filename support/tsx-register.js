// Registers tsx's ESM hooks so that the TypeScript support code and steps listed after this
// file in cucumber.js's `import` can be loaded (cucumber-js runs on plain Node ESM).
// It also turns on Node's module compile cache (V8 code cache on disk, under
// node_modules/.cache like other tools' caches) for the imports that follow: a coordinator's or a
// serial run's compile time fell from 1.3 s to 0.75 s (--cpu-prof). cucumber-js's parallel workers
// are threads, which were measured compiling as much as before. A cache that cannot be written is
// only slower, never an error.
import module from 'node:module'
import { URL, fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

module.enableCompileCache?.(fileURLToPath(new URL('../node_modules/.cache/ock-compile-cache', import.meta.url)))
register()
