// Defines a step in the kit's two languages: `Then('english', fn)` as with Cucumber, or
// `Then(['english', 'عربي'], fn)` to bind the Arabic phrasing the Arabic features use
// (features/ar/, Egyptian Arabic with the Kubernetes terms in English, as the course notes
// write them) to the same function. Step files import Given / When / Then from here, never
// from @cucumber/cucumber (eslint.config.js refuses that), so every phrasing of a step runs one
// body.
//
// Both phrasings are reported at the step file's line (not this file's), so the step glossary,
// snippets and "ambiguous step" errors point where the step is written.

import { fileURLToPath } from 'node:url'
import { isArabic } from '../support/arabic.js'
import { SKIP_PREFIX } from '../support/report/results.js'
import { UnservedOperationError } from '../support/targets/target.js'
import { Given as cucumberGiven, Then as cucumberThen, When as cucumberWhen, type IWorld } from '@cucumber/cucumber'

/** A step's phrasings: the English expression, or the English and the Arabic one. */
export type Phrasings = string | readonly [english: string, arabic: string]

export type { DataTable } from '@cucumber/cucumber'

type CucumberDefine = typeof cucumberGiven
/** A step's body, as Cucumber types it: the matched arguments come untyped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type TestStepFunction<W> = (this: W, ...args: any[]) => unknown

const THIS_FILE = fileURLToPath(import.meta.url)

function isThisFile(name: string | null | undefined): boolean {
  if (!name) return false
  return name === THIS_FILE || name === import.meta.url || (name.startsWith('file:') && fileURLToPath(name) === THIS_FILE)
}

/**
 * Cucumber takes a step's location from the first stack frame outside its own code, which would
 * be this file: while it registers, the frames of this file are left out of the stack, and the
 * formatting (source maps included) stays Node's own.
 */
function fromCaller(register: () => void): void {
  const format = Error.prepareStackTrace
  Error.prepareStackTrace = (error, frames) => {
    const theirs = frames.filter((f) => !isThisFile(f.getFileName()))
    return format ? format(error, theirs) : [String(error), ...theirs.map((f) => `    at ${String(f)}`)].join('\n')
  }
  try {
    register()
  } finally {
    Error.prepareStackTrace = format
  }
}

/**
 * The body as Cucumber runs it: an operation the target's doors do not serve skips the step (and
 * so the scenario) with its reason, as the capability gate does, or fails it in a profile that
 * requires every capability. Keeps the body's arity, by which Cucumber tells a callback-style step.
 */
function skippingUnserved<W>(code: TestStepFunction<W>): TestStepFunction<W> {
  const run = async function (this: W, ...args: unknown[]): Promise<unknown> {
    try {
      return await code.apply(this, args)
    } catch (e) {
      const world = this as { parameters?: { strictCapabilities?: boolean }; log?: (text: string) => void }
      if (!(e instanceof UnservedOperationError) || world.parameters?.strictCapabilities) throw e
      world.log?.(`${SKIP_PREFIX}${e.message}`)
      return 'skipped'
    }
  }
  Object.defineProperty(run, 'length', { value: code.length })
  return run
}

function bilingual(define: CucumberDefine) {
  return function step<W = IWorld>(phrasings: Phrasings, code: TestStepFunction<W>): void {
    const [english, arabic] = typeof phrasings === 'string' ? [phrasings, undefined] : phrasings
    if (isArabic(english)) throw new Error(`the first phrasing of a step is the English one: "${english}"`)
    if (arabic !== undefined && !isArabic(arabic)) throw new Error(`the second phrasing of "${english}" is not Arabic: "${arabic}"`)
    const body = skippingUnserved(code)
    fromCaller(() => {
      define<W>(english, body)
      if (arabic !== undefined) define<W>(arabic, body)
    })
  }
}

export const Given = bilingual(cucumberGiven)
export const When = bilingual(cucumberWhen)
export const Then = bilingual(cucumberThen)
