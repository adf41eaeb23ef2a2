// Runs one fault command as argv with execa: never through a shell, stdin closed, within the
// provider's timeout. A command that fails becomes an error naming the configuration key it
// came from, the command and the tail of what it printed.

import { execa } from 'execa'

/** What a fault command printed, at most this many characters of its end. */
const OUTPUT_TAIL = 800

export async function runCommand(key: string, argv: string[], timeoutMs: number): Promise<void> {
  const [file, ...args] = argv
  const r = await execa(file!, args, { reject: false, shell: false, stdin: 'ignore', all: true, timeout: timeoutMs })
  if (!r.failed) return
  const shown = argv.map((a) => (/^[\w./:=@%+,-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')
  const why = r.timedOut
    ? `did not finish within ${timeoutMs / 1000}s`
    : r.exitCode !== undefined
      ? `exited with ${r.exitCode}`
      : r.signal
        ? `was killed by ${r.signal}`
        : `could not run (${r.originalMessage || r.shortMessage})`
  const output = (r.all ?? '').trim()
  throw new Error(`${key}: \`${shown}\` ${why}${output ? `: ${output.slice(-OUTPUT_TAIL)}` : ''}`)
}
