// Shaping the built-in cluster a scenario gets, before its first request (capability `config`):
// steps call `configure` with what they want; other targets cannot be shaped, and a step that
// comes after the cluster started is a mistake in the feature.

import { targetFor } from './targets/registry.js'
import type { OckWorld } from './world.js'

/** Whether the scenario's target starts a cluster shaped for it (capability `config`); a target without it runs a shared cluster that outlives the scenario. */
export async function configurable(world: OckWorld): Promise<boolean> {
  const { available } = await targetFor(world.parameters).capabilities()
  return available.has('config')
}

export async function configure(world: OckWorld, shape: (t: OckWorld['topology']) => void): Promise<void> {
  if (!(await configurable(world))) throw new Error('this step configures the built-in cluster: tag the scenario @config so other targets skip it')
  if (world.started) throw new Error('the cluster is already running: steps that shape it must come first')
  shape(world.topology)
}
