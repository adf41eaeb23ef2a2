// A fake command for the fault providers' tests: a shell script that appends each call's argv
// (program name first) to a log, and fails with exit code 3 while a `fail` file exists beside it.

import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface FakeCommand {
  dir: string
  /** Writes the target configuration `yaml` into the fake's folder; returns its path. */
  config(yaml: string): Promise<string>
  /** Every call so far, as argv (the program's file name first). */
  calls(): Promise<string[][]>
  /** Forgets the calls so far. */
  reset(): Promise<void>
  /** Makes the next calls fail (exit 3, printing `boom`) until `failing(false)`. */
  failing(on: boolean): Promise<void>
  remove(): Promise<void>
}

/** Makes `<dir>/<name>`, a recording fake command, in a fresh temp dir. */
export async function fakeCommand(name: string): Promise<FakeCommand> {
  const dir = await mkdtemp(join(tmpdir(), 'ock-fake-'))
  const log = join(dir, 'calls.log')
  const script = `#!/bin/sh
{ printf '%s' "$(basename "$0")"; for a in "$@"; do printf '\\037%s' "$a"; done; printf '\\n'; } >> '${log}'
if [ -e '${join(dir, 'fail')}' ]; then echo "boom: $*" >&2; exit 3; fi
`
  await writeFile(join(dir, name), script)
  await chmod(join(dir, name), 0o755)
  return {
    dir,
    config: async (yaml) => {
      const file = join(dir, 'target.yaml')
      await writeFile(file, yaml)
      return file
    },
    calls: async () => {
      const text = await readFile(log, 'utf8').catch(() => '')
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\x1f'))
    },
    reset: () => rm(log, { force: true }),
    failing: async (on) => {
      if (on) await writeFile(join(dir, 'fail'), '')
      else await rm(join(dir, 'fail'), { force: true })
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}
