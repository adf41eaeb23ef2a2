// Attaches the scenario's sequence diagram (image/svg+xml) to the scenario, from the trace of
// its cluster, so the Cucumber HTML report and Allure show what happened. It is attached after
// the last step (AfterStep), where reports show it with the steps rather than folded away
// under the hooks; when a scenario stops earlier (a failure), the After hook attaches it before
// the session closes. Only for targets that have the trace. Drawing is a report, not a check: a
// failure to draw is noted, never a failed scenario (an unknown `@diagram:<name>` tag is the
// exception: it is the feature author's mistake). With the world parameter `diagramText`
// (`ock explain --run`), the same diagram is also attached as text, one line per message.

import { AfterStep, type ITestStepHookParameter } from '@cucumber/cucumber'
import type { TraceEntry } from '../trace.js'
import type { OckWorld } from '../world.js'
import { stepsForTags } from './annotations.js'
import { buildDiagram } from './sequence.js'
import { DIAGRAM_FILE_NAME, DIAGRAM_MEDIA_TYPE, renderSvg } from './sequence-svg.js'
import { DIAGRAM_TEXT_FILE_NAME, DIAGRAM_TEXT_MEDIA_TYPE, renderText } from './sequence-text.js'

const attached = new WeakSet<OckWorld>()

export async function attachSequenceDiagram(world: OckWorld, scenario: { name: string; tags: readonly { name: string }[] }): Promise<void> {
  const session = world.currentSession
  if (!session?.trace || world.parameters.diagrams === false || attached.has(world)) return
  attached.add(world)
  const steps = stepsForTags(scenario.tags.map((t) => t.name))
  let entries: TraceEntry[]
  try {
    entries = await session.trace.since(world.traceCursor)
  } catch (e) {
    world.log(`no sequence diagram: the trace could not be read (${e instanceof Error ? e.message : String(e)})`)
    return
  }
  const diagram = buildDiagram(entries, { namespace: session.namespace, title: scenario.name, steps })
  // as bytes (base64 in the messages): the Cucumber HTML report shows only base64-encoded images
  world.attach(Buffer.from(renderSvg(diagram), 'utf8'), { mediaType: DIAGRAM_MEDIA_TYPE, fileName: DIAGRAM_FILE_NAME })
  if (world.parameters.diagramText) world.attach(renderText(diagram), { mediaType: DIAGRAM_TEXT_MEDIA_TYPE, fileName: DIAGRAM_TEXT_FILE_NAME })
}

AfterStep(async function (this: OckWorld, { pickle, pickleStep }: ITestStepHookParameter) {
  if (pickleStep.id === pickle.steps.at(-1)?.id) await attachSequenceDiagram(this, pickle)
})
