// The doors of a configured fault provider: the provider's runner (commands.ts or docker.ts)
// under a fresh ledger of faults (provider.ts), one per session.

import type { FaultsConfig } from '../config.js'
import { commandsRunner } from './commands.js'
import { dockerRunner } from './docker.js'
import { ProviderDoors } from './provider.js'

/** Fault doors over the provider `faults` names; `file` is the target configuration (relative programs resolve from its folder). */
export function faultDoorsFor(faults: FaultsConfig, file: string): ProviderDoors {
  return new ProviderDoors(faults.provider === 'commands' ? commandsRunner(faults, file) : dockerRunner(faults, file))
}
