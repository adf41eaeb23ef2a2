// Steps about the horizontal pod autoscaler: the controller's flags (sync period, downscale
// stabilization) stated before the cluster starts, and the Events an object got, as
// `kubectl describe` lists them.

import { Given, Then } from './define.js'
import { CoreV1Api, type CoreV1Event } from '@kubernetes/client-node'
import { expect } from 'chai'
import { eventually } from '../support/eventually.js'
import type { KindRef } from '../support/kinds.js'
import type { OckWorld } from '../support/world.js'

function configure(world: OckWorld, what: string): Record<string, number> {
  if (world.started) throw new Error(`${what} must be stated before the cluster is used (move this step up, before any request)`)
  return (world.topology.timings ??= {})
}

Given('the horizontal pod autoscaler sync period is {duration}', function (this: OckWorld, ms: number) {
  configure(this, 'the HPA sync period')['horizontalPodAutoscalerSyncPeriod'] = ms
})

Given('the horizontal pod autoscaler downscale stabilization is {duration}', function (this: OckWorld, ms: number) {
  configure(this, 'the HPA downscale stabilization')['horizontalPodAutoscalerDownscaleStabilization'] = ms
})

Then('within {duration} the {kind} {string} has a {word} event {word} saying {string}', async function (this: OckWorld, ms: number, kind: KindRef, name: string, type: string, reason: string, message: string) {
  const s = await this.cluster()
  const api = s.kubeconfig.makeApiClient(CoreV1Api)
  await eventually(
    async () => (await api.listNamespacedEvent({ namespace: s.namespace })).items.filter((e: CoreV1Event) => e.involvedObject.kind === kind.kind && e.involvedObject.name === name),
    (events) => {
      const seen = events.map((e) => `${e.type} ${e.reason}: ${e.message}`)
      expect(
        events.some((e) => e.type === type && e.reason === reason && (e.message ?? '').includes(message)),
        `a ${type} ${reason} event saying "${message}" among ${JSON.stringify(seen)}`,
      ).to.equal(true)
    },
    ms,
    { describe: `a ${type} ${reason} event for ${kind.kind} ${name}` },
  )
})
