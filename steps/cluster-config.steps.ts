// Steps that configure the built-in cluster before it starts (capability @config): its
// admission configuration, its static token file; and the timings a scenario's bounds are
// stated in (grace periods, heartbeat periods, default tolerations), which configure the
// built-in cluster and, on another target, are the cluster's own (support/topology.ts
// stateTimings). They must come before any step that talks to the cluster.
// (Its audit log is asked for in audit.steps.ts: any target with the `audit` capability has one.)

import { Given, type DataTable } from './define.js'
import { parseDuration } from './parameter-types.js'
import { timingName } from '../support/timings.js'
import { expectDefaultTiming, stateTimings } from '../support/topology.js'
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

Given(['the {timing} is {duration}', 'الـ {timing} هي {duration}'], async function (this: OckWorld, name: string, ms: number) {
  await stateTimings(this, { [name]: ms })
})

Given(
  ["the {timing} is upstream's default, {duration}", 'الـ {timing} هي الـ default بتاع الـ upstream، {duration}'],
  async function (this: OckWorld, name: string, ms: number) {
    await expectDefaultTiming(this, name, ms)
  },
)

Given(["the cluster's timings are:", 'الـ timings بتاعة الـ cluster:'], async function (this: OckWorld, table: DataTable) {
  await stateTimings(this, Object.fromEntries(table.raw().map(([phrase, duration]) => [timingName(phrase!), parseDuration(duration!)])))
})
