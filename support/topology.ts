// Shaping the built-in cluster a scenario gets, before its first request (capability `config`):
// steps call `configure` with what they want; other targets cannot be shaped, and a step that
// comes after the cluster started is a mistake in the feature. Timings are the exception: any
// target that tells its own (`stateTimings`) runs the scenarios whose bounds are named after them.

import { readFile } from 'node:fs/promises'
import { admissionMismatch, tokensMismatch } from './apiserverconfig.js'
import { targetFor } from './targets/registry.js'
import { UnservedOperationError } from './targets/target.js'
import { timingPhrase } from './timings.js'
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

/**
 * States the timings a scenario's bounds are measured against (ms, by the names of
 * support/timings.ts). The built-in cluster is configured with them, before it starts. Any other
 * target keeps its own settings, which its target configuration tells (Session.timings): those
 * stand in for the stated values, so a bound such as "within the node monitor grace period plus
 * 3s" is computed from the cluster's own grace period. A timing the target does not tell skips
 * the scenario with that reason: its bounds cannot be computed.
 */
export async function stateTimings(world: OckWorld, timings: Record<string, number>): Promise<void> {
  const { available } = await targetFor(world.parameters).capabilities()
  if (available.has('config')) {
    const names = Object.keys(timings).map(timingPhrase).join(', ')
    if (world.started) throw new Error(`the ${names} must be stated before the cluster is used (move this step up, before any request)`)
    world.topology.timings = { ...world.topology.timings, ...timings }
    Object.assign(world.statedTimings, timings)
    return
  }
  // a shared cluster's own settings, from its configuration: telling them opens no session, so
  // steps that must come before the first request (an audit log asked for) may still follow
  const own = targetFor(world.parameters).described?.()?.timings ?? (await world.cluster()).timings ?? {}
  const unknown = Object.keys(timings).filter((name) => own[name] === undefined)
  if (unknown.length)
    throw new UnservedOperationError(
      `the scenario's bounds are stated in terms of the cluster's ${unknown.map(timingPhrase).join(', ')}, which the target configuration does not give (\`timings\`: ${unknown.join(', ')})`,
    )
  const used = Object.keys(timings).map((name) => `${timingPhrase(name)} ${own[name]} ms (stated for the reference cluster: ${timings[name]} ms)`)
  world.log(`the cluster's own timings stand in for the stated ones: ${used.join('; ')}`)
  for (const name of Object.keys(timings)) world.statedTimings[name] = own[name]!
}

/**
 * States the API servers' admission configuration or static tokens. The built-in cluster starts
 * with them; another target must run with the same (the files its target configuration names,
 * `apiServer`), or the scenario is skipped with what differs.
 */
export async function stateApiServerFile(world: OckWorld, kind: 'admission' | 'tokens', text: string): Promise<void> {
  const { available } = await targetFor(world.parameters).capabilities()
  const key = kind === 'admission' ? 'admissionControlConfigFile' : 'tokenAuthFile'
  if (available.has('config')) {
    if (world.started)
      throw new Error(
        `${kind === 'admission' ? "the cluster's admission configuration" : 'the static token file'} must be stated before the cluster is used (move this step up, before any request)`,
      )
    if (kind === 'admission') world.topology.admission = text
    else world.topology.staticTokens = text
    return
  }
  const described = targetFor(world.parameters).described?.()
  const file = described?.apiServer?.[key]
  if (!file)
    throw new UnservedOperationError(
      `the scenario states the API servers' ${kind === 'admission' ? 'admission configuration' : 'static tokens'}; the target configuration${described ? ` (${described.file})` : ''} does not name the cluster's (\`apiServer.${key}\`)`,
    )
  const cluster = await readFile(file, 'utf8')
  const mismatch = kind === 'admission' ? admissionMismatch(text, cluster, file) : tokensMismatch(text, cluster, file)
  if (mismatch) throw new UnservedOperationError(mismatch)
}

/**
 * A scenario that checks upstream's default of a timing (a new pod tolerates an unreachable node
 * for 300 s) needs a cluster that runs with it. The built-in cluster runs its defaults unless a
 * scenario sets one, so nothing is configured there (a configured value would hide a default
 * that went wrong); another target must run with that value, or the scenario is skipped with
 * what the cluster runs instead.
 */
export async function expectDefaultTiming(world: OckWorld, name: string, ms: number): Promise<void> {
  const { available } = await targetFor(world.parameters).capabilities()
  if (!available.has('config')) {
    const own = (await world.cluster()).timings?.[name]
    if (own === undefined)
      throw new UnservedOperationError(
        `the scenario checks that the ${timingPhrase(name)} is upstream's default; the target configuration does not tell the cluster's (\`timings\`: ${name})`,
      )
    if (own !== ms)
      throw new UnservedOperationError(
        `the scenario checks that the ${timingPhrase(name)} is upstream's default, ${ms / 1000} s; this cluster runs with ${own / 1000} s (its target configuration)`,
      )
  } else if (world.topology.timings?.[name] !== undefined)
    throw new Error(`the ${timingPhrase(name)} is stated otherwise in this scenario; it cannot also be upstream's default`)
  world.statedTimings[name] = ms
}
