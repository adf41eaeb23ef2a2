// Scenario lifecycle: capability gate (skip with the reason, or fail in strict profiles), a
// fresh namespace (and, on the built-in target, a fresh cluster) per scenario, diagnostics
// attached when a scenario fails, a guard against rejections no step checked, the store's
// revision before each step (for steps that check what a request wrote), cleanup that runs
// whatever happened (a shared cluster's nodes put back as the scenario found them), and, on the
// built-in target, a scenario that passed fails when its cluster answered a 500 InternalError
// or its process guard caught a rejection (incidents).

import { After, AfterAll, Before, BeforeStep, setParallelCanAssign, Status, type ITestCaseHookParameter } from '@cucumber/cucumber'
import { randomBytes } from 'node:crypto'
import { config as chaiConfig } from 'chai'
import { stringify } from 'yaml'
import { list } from './kube.js'
import { restoreNodesAsFound } from './nodeshape.js'
import { canRunBeside } from './parallel.js'
import { describeEntry } from './trace.js'
import { attachSequenceDiagram } from './report/attach.js'
import { SKIP_PREFIX } from './report/results.js'
import { CAPABILITY_TAGS, type Capability } from './targets/target.js'
import { disposeTargets, targetFor } from './targets/registry.js'
import type { Session } from './targets/target.js'
import type { OckWorld } from './world.js'

// a failed assertion shows the whole value it looked at (kubectl's stderr, a Status message), not its first 40 characters
chaiConfig.truncateThreshold = 0

function neededCapabilities(tags: readonly { name: string }[]): Capability[] {
  const out = new Set<Capability>()
  for (const t of tags) {
    const c = CAPABILITY_TAGS[t.name]
    if (c) out.add(c)
  }
  return [...out]
}

// with parallel workers: how many scenarios on real etcd may run at once (support/parallel.ts)
setParallelCanAssign(canRunBeside)

Before({ name: 'capability gate' }, async function (this: OckWorld, { pickle }: ITestCaseHookParameter) {
  this.scenarioId = randomBytes(3).toString('hex')
  this.scenarioSteps = pickle.steps
  const target = targetFor(this.parameters)
  const { available, missing } = await target.capabilities()
  const lacking = neededCapabilities(pickle.tags).filter((c) => !available.has(c))
  // a scenario about etcd runs on a real etcd cluster, one about real containers on the Docker engine
  if (pickle.tags.some((t) => t.name === '@etcd')) this.topology.store = 'etcd'
  if (pickle.tags.some((t) => t.name === '@docker')) this.topology.runtime = 'docker'
  if (!lacking.length) return
  const reasons = lacking.map((c) => `@${c}: ${missing.get(c) ?? 'not available on this target'}`).join('; ')
  const message = `target "${target.name}" cannot run this scenario: ${reasons}`
  if (this.parameters.strictCapabilities) throw new Error(`${message} (this profile requires every capability)`)
  this.log(`${SKIP_PREFIX}${message}`)
  return 'skipped'
})

// where the store stood before each step, so a step can tell what the request it made wrote.
// The mark never waits for the store (a step's hooks count in its time, so a mark stalled by
// an etcd without leader would stretch "within 10s" to 14 s); while the scenario has the store
// down there is no mark, and the steps that use it fall back to where the scenario started,
// which checks more writes, never fewer.
BeforeStep(async function (this: OckWorld) {
  this.storeMarkBeforeStep = await this.currentSession?.store?.mark()
})

After({ name: 'diagnostics and cleanup' }, async function (this: OckWorld, { result, pickle }: ITestCaseHookParameter) {
  try {
    await attachSequenceDiagram(this, pickle)
    const session = this.currentSession
    if (session && result?.status === Status.FAILED) {
      const objects: string[] = []
      for (const kind of ['Deployment', 'ReplicaSet', 'Pod', 'Service', 'Event']) {
        try {
          const items = await list(session.kubeconfig, kind, session.namespace)
          if (items.length) objects.push(stringify(items.map((o) => ({ kind, ...o }))))
        } catch {
          // diagnostics are best effort
        }
      }
      if (objects.length) this.attach(objects.join('---\n'), { mediaType: 'text/plain', fileName: 'objects-in-namespace.yaml' })
      if (session.trace) {
        try {
          const entries = await session.trace.since(this.traceCursor)
          this.attach(entries.slice(-300).map(describeEntry).join('\n'), { mediaType: 'text/plain', fileName: 'trace-tail.txt' })
        } catch {
          // the cluster may be the thing that failed
        }
      }
      if (this.lastCommand) {
        const c = this.lastCommand
        this.attach(`$ ${c.command}\nexit ${c.exitCode}\n--- stdout\n${c.stdout}\n--- stderr\n${c.stderr}`, {
          mediaType: 'text/plain',
          fileName: 'last-command.txt',
        })
      }
    }
    if (result?.status === Status.PASSED && this.lastError && !this.lastErrorChecked) {
      const e = this.lastError
      throw new Error(`a request was rejected (${e.code} ${e.reason}: ${e.message}) but no step checked the rejection`)
    }
  } finally {
    const session = this.currentSession
    await this.closeSession() // undoes the scenario's cleanups first
    await failOnIncidents(this, session, result?.status)
  }
})

// A shared cluster's nodes go back to how the scenario found them (labels, taints, cordon),
// passed or failed; a node that cannot be put back fails the scenario, since the next ones would
// find the cluster changed. Cucumber runs After hooks in the reverse order of their definition:
// this one, defined after 'diagnostics and cleanup', runs before it, while the session is open.
After({ name: 'nodes as found' }, async function (this: OckWorld) {
  await restoreNodesAsFound(this)
})

/**
 * The process guard keeps the cluster serving after an unexpected error; this makes sure the
 * error still fails the scenario that caused it (teardown included: a rejection from a stopping
 * component surfaces a turn later, so the check waits one).
 */
async function failOnIncidents(
  world: OckWorld,
  session: Session | undefined,
  status: NonNullable<ITestCaseHookParameter['result']>['status'] | undefined,
): Promise<void> {
  if (!session?.incidents) return
  await new Promise((resolve) => setImmediate(resolve))
  const incidents = session.incidents()
  if (!incidents.length) return
  const lines = incidents.map(
    (i) =>
      `- ${i.kind} in ${i.source}: ${i.message}${
        i.stack
          ? `\n    ${i.stack
              .split('\n')
              .slice(1, 6)
              .map((l) => l.trim())
              .join('\n    ')}`
          : ''
      }`,
  )
  const text = `the cluster hit ${incidents.length} unexpected error(s) during this scenario (500 InternalError answers or guarded rejections):\n${lines.join('\n')}`
  // a scenario that passed fails with them; one that failed already carries them as an attachment
  if (status === Status.PASSED) throw new Error(text)
  world.attach(text, { mediaType: 'text/plain', fileName: 'incidents.txt' })
}

AfterAll(async function () {
  await disposeTargets()
})
