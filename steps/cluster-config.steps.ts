// Steps that state how the cluster is configured: its admission configuration, its static token
// file, and the timings a scenario's bounds are stated in (grace periods, heartbeat periods,
// default tolerations). They configure the built-in cluster before it starts; on another target
// the cluster's own stand in (support/topology.ts stateTimings, stateApiServerFile): its
// timings, and its files when they say the same, else the scenario is skipped. They must come
// before any step that talks to the cluster.
// (Its audit log is asked for in audit.steps.ts: any target with the `audit` capability has one.)

import { Given, type DataTable } from './define.js'
import { parseDuration } from './parameter-types.js'
import { timingName } from '../support/timings.js'
import { expectDefaultTiming, stateApiServerFile, stateTimings } from '../support/topology.js'
import type { OckWorld } from '../support/world.js'

Given(["the cluster's admission configuration is:", 'الـ admission configuration بتاعة الـ cluster هي:'], async function (this: OckWorld, doc: string) {
  await stateApiServerFile(this, 'admission', doc)
})

Given(['the cluster accepts the static tokens:', 'الـ cluster بيقبل الـ static tokens دي:'], async function (this: OckWorld, csv: string) {
  await stateApiServerFile(this, 'tokens', csv)
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
