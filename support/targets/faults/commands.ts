// The `commands` fault provider: one command per operation, from the target configuration's
// `faults.commands` (`stopKubelet: ssh {node} sudo systemctl stop kubelet`). The command is argv,
// never read by a shell: a placeholder (`{node}`, `{member}`, `{master}`, and the values
// `{condition}`, `{version}`, `{seconds}`) is replaced inside the single argument it stands in,
// and only by a name SUBJECT_NAME allows or a value its strict pattern allows (operations.ts
// checkArguments), so neither can add a shell word nor an option. A command that must use a
// shell passes them as positional parameters (`[sh, -c, 'ssh "$1" ...', sh, '{node}']`).

import type { CommandsFaults } from '../config.js'
import { runCommand } from './exec.js'
import { OPERATIONS, checkArguments, type Operation } from './operations.js'
import type { FaultRunner } from './provider.js'

/** The argv of an operation's template for one subject and value, both checked first. */
export function substitute(op: Operation, template: readonly string[], subject: string | undefined, value: string | undefined): string[] {
  checkArguments(op, subject, value)
  const spec = OPERATIONS[op]
  const values = new Map<string, string>()
  if (spec.subject) values.set(spec.subject, subject!)
  if (spec.parameter) values.set(spec.parameter, value!)
  // one pass: a substituted value is never scanned again
  return template.map((a) => a.replace(/\{([a-z]+)\}/g, (whole, name: string) => values.get(name) ?? whole))
}

export function commandsRunner(config: CommandsFaults, file: string): FaultRunner {
  return {
    provider: 'commands',
    has: (op) => config.commands[op] !== undefined,
    run: async (op, subject, value) => {
      const template = config.commands[op]
      if (!template) throw lacks(op, file)
      await runCommand(`faults.commands.${op}`, substitute(op, template, subject, value), config.timeoutMs)
    },
    lacks: (op) => lacks(op, file),
  }
}

function lacks(op: Operation, file: string): Error {
  return new Error(`no \`faults.commands.${op}\` in the target configuration (${file}): the commands fault provider cannot ${OPERATIONS[op].does}`)
}
