// Steps that configure the built-in cluster before it starts (capability @config): its
// admission configuration, its static token file, its timings (grace periods, heartbeat
// periods, default tolerations). They must come before any step that talks to the cluster.
// (Its audit log is asked for in audit.steps.ts: any target with the `audit` capability has one.)

import { Given, type DataTable } from './define.js'
import { parseDuration } from './parameter-types.js'
import { timingName } from '../support/timings.js'
import { targetFor } from '../support/targets/registry.js'
import type { OckWorld } from '../support/world.js'

function beforeStart(world: OckWorld, what: string): void {
  if (world.started) throw new Error(`${what} must be stated before the cluster is used (move this step up, before any request)`)
}

Given(["the cluster's admission configuration is:", 'الـ admission configuration بتاعة الـ cluster هي:'], function (this: OckWorld, doc: string) {
  beforeStart(this, "the cluster's admission configuration")
  this.topology.admission = doc
})

Given(['the cluster accepts the static tokens:', 'الـ cluster بيقبل الـ static tokens دي:'], function (this: OckWorld, csv: string) {
  beforeStart(this, 'the static token file')
  this.topology.staticTokens = csv
})

async function setTimings(world: OckWorld, timings: Record<string, number>): Promise<void> {
  const { available } = await targetFor(world.parameters).capabilities()
  if (!available.has('config')) throw new Error('this step configures the built-in cluster: tag the scenario @config so other targets skip it')
  beforeStart(world, `the cluster's timings (${Object.keys(timings).join(', ')})`)
  world.topology.timings = { ...world.topology.timings, ...timings }
}

Given('the {timing} is {duration}', async function (this: OckWorld, name: string, ms: number) {
  await setTimings(this, { [name]: ms })
})

Given(["the cluster's timings are:", 'الـ timings بتاعة الـ cluster:'], async function (this: OckWorld, table: DataTable) {
  await setTimings(this, Object.fromEntries(table.raw().map(([phrase, duration]) => [timingName(phrase!), parseDuration(duration!)])))
})
