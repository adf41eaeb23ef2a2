// The `commands` fault provider: one command per operation, from the target configuration's
// `faults.commands` (`stopKubelet: ssh {node} sudo systemctl stop kubelet`). The command is argv,
// never read by a shell: a placeholder (`{node}`, `{member}`, `{master}`) is replaced inside the
// single argument it stands in, and only by a name SUBJECT_NAME allows, so a node name can add
// neither a shell word nor an option. A command that must use a shell passes the name as a
// positional parameter (`[sh, -c, 'ssh "$1" ...', sh, '{node}']`).

import type { CommandsFaults } from '../config.js'
import { runCommand } from './exec.js'
import { OPERATIONS, type Operation } from './operations.js'
import type { FaultRunner } from './provider.js'

export function commandsRunner(config: CommandsFaults, file: string): FaultRunner {
  return {
    provider: 'commands',
    has: (op) => config.commands[op] !== undefined,
    run: async (op, subject) => {
      const template = config.commands[op]
      if (!template) throw lacks(op, file)
      const placeholder = `{${OPERATIONS[op].subject}}`
      await runCommand(
        `faults.commands.${op}`,
        template.map((a) => a.replaceAll(placeholder, subject)),
        config.timeoutMs,
      )
    },
    lacks: (op) => lacks(op, file),
  }
}

function lacks(op: Operation, file: string): Error {
  return new Error(`no \`faults.commands.${op}\` in the target configuration (${file}): the commands fault provider cannot ${OPERATIONS[op].does}`)
}
