// Steps about the horizontal pod autoscaler: the Events an object got, as
// `kubectl describe` lists them, and the number of replicas an HPA asks for, computed from the
// pods' CPU use as the metrics API reports it. (The controller's sync period and downscale
// stabilization are timings: "the horizontal pod autoscaler sync period is 1s", cluster-config.steps.ts.)

import { Then } from './define.js'
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, type CoreV1Event } from '@kubernetes/client-node'
import { expect } from 'chai'
import { eventually } from '../support/eventually.js'
import type { KindRef } from '../support/kinds.js'
import { podCpu, podMetrics } from '../support/metrics.js'
import { isPodReady, podsLabelled, quantity } from '../support/workloads.js'
import type { OckWorld } from '../support/world.js'

/** Upstream's --horizontal-pod-autoscaler-tolerance: a ratio within 10 % of 1 changes nothing. */
const TOLERANCE = 0.1

Then(
  'within {duration} the {kind} {string} has a {word} event {word} saying {string}',
  async function (this: OckWorld, ms: number, kind: KindRef, name: string, type: string, reason: string, message: string) {
    const s = await this.cluster()
    const api = s.kubeconfig.makeApiClient(CoreV1Api)
    await eventually(
      async () =>
        (await api.listNamespacedEvent({ namespace: s.namespace })).items.filter(
          (e: CoreV1Event) => e.involvedObject.kind === kind.kind && e.involvedObject.name === name,
        ),
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
  },
)

/**
 * What the HPA should ask for now, from the metrics API and the pods (not from the HPA's own
 * status): utilisation = CPU use / CPU requests of the target's ready pods; replicas =
 * ceil(ready pods x utilisation / target), unchanged within the tolerance, within min and max.
 */
async function expectedReplicas(world: OckWorld, name: string): Promise<{ expected: number; asked?: number; spec?: number; why: string }> {
  const s = await world.cluster()
  const hpa = await s.kubeconfig.makeApiClient(AutoscalingV2Api).readNamespacedHorizontalPodAutoscaler({ name, namespace: s.namespace })
  const targetRef = hpa.spec!.scaleTargetRef
  const dep = await s.kubeconfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: targetRef.name, namespace: s.namespace })
  const selector = Object.entries(dep.spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',')
  const pods = (await podsLabelled(s.kubeconfig, s.namespace, selector)).filter((p) => isPodReady(p) && !p.metadata?.deletionTimestamp)
  const usage = new Map((await podMetrics(s.kubeconfig, s.namespace)).map((m) => [m.metadata.name, podCpu(m)]))
  const measured = pods.filter((p) => usage.has(p.metadata!.name!))
  const used = measured.reduce((n, p) => n + usage.get(p.metadata!.name!)!, 0)
  const requested = measured.reduce((n, p) => n + (p.spec?.containers ?? []).reduce((m, c) => m + quantity(c.resources?.requests?.cpu), 0), 0)
  const target = hpa.spec?.metrics?.[0]?.resource?.target?.averageUtilization
  if (!target || !requested || measured.length !== pods.length)
    throw new Error(`not every ready pod of ${targetRef.name} has metrics yet (${measured.length} of ${pods.length})`)
  const utilisation = (used * 100) / requested
  const ratio = utilisation / target
  const raw = Math.abs(1 - ratio) <= TOLERANCE ? pods.length : Math.ceil(ratio * pods.length)
  const expected = Math.min(hpa.spec!.maxReplicas, Math.max(hpa.spec?.minReplicas ?? 1, raw))
  const why = `${pods.length} ready pods use ${Math.round(used * 1000)}m of ${Math.round(requested * 1000)}m requested: ${utilisation.toFixed(1)} % against a target of ${target} %, ceil(${pods.length} x ${ratio.toFixed(3)}) = ${raw}, within ${hpa.spec?.minReplicas ?? 1}..${hpa.spec!.maxReplicas}: ${expected}`
  return { expected, asked: hpa.status?.desiredReplicas, spec: dep.spec?.replicas, why }
}

Then(
  'within {duration} the hpa {string} asks for ceil\\(replicas x utilisation \\/ target) replicas, for the CPU use the metrics API reports',
  async function (this: OckWorld, ms: number, name: string) {
    const got = await eventually(
      () => expectedReplicas(this, name),
      (r) => {
        expect(r.asked, `status.desiredReplicas of hpa ${name}: ${r.why}`).to.equal(r.expected)
        expect(r.spec, `spec.replicas of its target: ${r.why}`).to.equal(r.expected)
      },
      ms,
      { describe: `hpa ${name} to ask for the replicas its formula gives` },
    )
    this.log(got.why)
  },
)
