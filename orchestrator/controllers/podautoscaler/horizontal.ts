// The horizontal pod autoscaler controller (autoscaling/v2): every sync period it reads each
// HPA's target through the scale subresource, the usage of the target's pods from the resource
// metrics API (metrics.k8s.io, through the API server), computes the replicas every metric asks
// for (replicas.ts), stabilises and bounds them, writes the new scale and says why: status
// (currentReplicas, desiredReplicas, currentMetrics, lastScaleTime, conditions AbleToScale /
// ScalingActive / ScalingLimited) and Events (SuccessfulRescale, FailedGetScale,
// FailedGetResourceMetric, FailedComputeMetricsReplicas, FailedRescale).
// Mirrors pkg/controller/podautoscaler/horizontal.go with its flags
// --horizontal-pod-autoscaler-sync-period (15 s), -downscale-stabilization (5 min),
// -tolerance (0.1). Simplifies: Resource metrics only (no ContainerResource, Pods, Object,
// External); a missing spec.metrics means cpu at 80 % as upstream's defaulting.

import { objectKey, type KObject } from '../../api/meta.js'
import type { PodMetrics } from '../../api/metrics.js'
import { isPodReady } from '../../api/pods.js'
import { parseQuantity } from '../../api/quantity.js'
import { lookupKind, lookupResource, parseApiVersion } from '../../api/resources.js'
import { parseLabelSelector } from '../../api/selectors.js'
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, MetricSpec, MetricStatus, Pod } from '../../api/types.js'
import { refFor, type Client } from '../../client/client.js'
import type { EventRecorder } from '../../client/events.js'
import { byNamespace, type Informer } from '../../client/informer.js'
import { Controller, type ReconcileResult, type Reconciler } from '../controller.js'
import type { ControllerContext } from '../controller.js'
import type { HPATimings } from '../config.js'
import {
  behaviorWithDefaults,
  MetricError,
  normalize,
  normalizeWithBehavior,
  resourceReplicas,
  type Condition,
  type PodInfo,
  type PodMetric,
  type Recommendation,
  type ScaleEvent,
} from './replicas.js'

const PODS = lookupResource('', 'pods')!
const HPAS = lookupResource('autoscaling', 'horizontalpodautoscalers')!

/** The controller's flags, in ms (tolerance as a fraction). */
export type { HPATimings } from '../config.js'

export const DEFAULT_HPA_TIMINGS: HPATimings = { syncPeriodMs: 15_000, downscaleStabilizationMs: 300_000, tolerance: 0.1 }

interface Scale extends KObject {
  spec?: { replicas?: number }
  status?: { replicas?: number; selector?: string }
}

type ConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited'
const CONDITION_ORDER: ConditionType[] = ['AbleToScale', 'ScalingActive', 'ScalingLimited']

/** What one sync works on: the conditions it sets, kept in upstream's order. */
class SyncState {
  readonly conditions: HorizontalPodAutoscalerCondition[]

  constructor(previous: readonly HorizontalPodAutoscalerCondition[] | undefined) {
    this.conditions = (previous ?? []).map((c) => ({ ...c }))
  }

  set(type: ConditionType, c: Condition): void {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
    const old = this.conditions.find((x) => x.type === type)
    if (old) {
      if (old.status !== c.status) old.lastTransitionTime = now
      old.status = c.status
      old.reason = c.reason
      old.message = c.message
    } else this.conditions.push({ type, status: c.status, reason: c.reason, message: c.message, lastTransitionTime: now })
    this.conditions.sort((a, b) => CONDITION_ORDER.indexOf(a.type as ConditionType) - CONDITION_ORDER.indexOf(b.type as ConditionType))
  }
}

/** A metric's outcome: the replicas it asks for and its status, or why it could not say. */
type MetricOutcome = { ok: true; replicas: number; status: MetricStatus; name: string } | { ok: false; error: string }

export class HorizontalPodAutoscalerController implements Reconciler {
  readonly name = 'horizontal-pod-autoscaler'
  private readonly client: Client
  private readonly recorder: EventRecorder
  private readonly hpas: Informer<HorizontalPodAutoscaler>
  private readonly pods: Informer<Pod>
  private readonly controller: Controller
  private readonly timings: HPATimings
  private readonly recommendations = new Map<string, Recommendation[]>()
  private readonly scaleUpEvents = new Map<string, ScaleEvent[]>()
  private readonly scaleDownEvents = new Map<string, ScaleEvent[]>()

  constructor(ctx: ControllerContext) {
    this.client = ctx.client
    this.recorder = ctx.recorder('horizontal-pod-autoscaler')
    this.timings = { ...DEFAULT_HPA_TIMINGS, ...ctx.config.horizontalPodAutoscaler }
    this.hpas = ctx.informers.informer<HorizontalPodAutoscaler>(HPAS)
    this.pods = ctx.informers.informer<Pod>(PODS)
    this.pods.addIndexer('namespace', byNamespace)
    this.controller = new Controller(this, { workers: 5 })
    this.hpas.on({
      add: (h) => this.controller.enqueue(objectKey(h)),
      // status writes of our own are not a reason to sync again before the period
      update: (o, h) => {
        if (o.metadata?.generation !== h.metadata?.generation) this.controller.enqueue(objectKey(h))
      },
      delete: (h) => {
        const key = objectKey(h)
        this.recommendations.delete(key)
        this.scaleUpEvents.delete(key)
        this.scaleDownEvents.delete(key)
      },
    })
  }

  async start(): Promise<void> {
    this.controller.start()
  }

  async stop(): Promise<void> {
    await this.controller.stop()
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const hpa = this.hpas.get(key)
    if (!hpa) return
    try {
      await this.reconcileAutoscaler(hpa, key)
    } catch (e) {
      // as upstream's resync: an HPA whose sync failed is tried again next period, never dropped
      console.error(`horizontal-pod-autoscaler: ${key}: ${message(e)}`)
    }
    return { requeueAfterMs: this.timings.syncPeriodMs }
  }

  private async reconcileAutoscaler(hpa: HorizontalPodAutoscaler, key: string): Promise<void> {
    const state = new SyncState(hpa.status?.conditions)
    const ns = hpa.metadata?.namespace ?? ''
    const target = hpa.spec.scaleTargetRef
    const reference = `${target.kind}/${target.name}`
    const info = lookupKind(parseApiVersion(target.apiVersion ?? '').group, target.kind)
    let scale: Scale
    try {
      if (!info || !info.subresources?.includes('scale')) throw new Error(`no scale subresource for ${target.apiVersion ?? ''}, Kind=${target.kind}`)
      scale = await this.client.get<Scale>(refFor(info, ns, target.name, 'scale'))
    } catch (e) {
      const err = message(e)
      state.set('AbleToScale', {
        status: 'False',
        reason: 'FailedGetScale',
        message: `the HPA controller was unable to get the target's current scale: ${err}`,
      })
      this.recorder.event(hpa, 'Warning', 'FailedGetScale', err)
      await this.writeStatus(
        hpa,
        { currentReplicas: hpa.status?.currentReplicas ?? 0, desiredReplicas: hpa.status?.desiredReplicas ?? 0, currentMetrics: hpa.status?.currentMetrics },
        state,
        false,
      )
      return
    }
    state.set('AbleToScale', { status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" })
    const currentReplicas = scale.spec?.replicas ?? 0
    const minReplicas = hpa.spec.minReplicas ?? 1
    const maxReplicas = hpa.spec.maxReplicas
    let desiredReplicas = 0
    let rescale = true
    let rescaleReason = ''
    let metricStatuses: MetricStatus[] | undefined = hpa.status?.currentMetrics
    if (currentReplicas === 0 && minReplicas !== 0) {
      rescale = false
      state.set('ScalingActive', { status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' })
    } else if (currentReplicas > maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas'
      desiredReplicas = maxReplicas
    } else if (currentReplicas < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas'
      desiredReplicas = minReplicas
    } else {
      const computed = await this.computeReplicasForMetrics(hpa, state, scale, currentReplicas, ns)
      metricStatuses = computed.statuses
      if (computed.error) {
        this.recorder.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', computed.error)
        await this.writeStatus(hpa, { currentReplicas, desiredReplicas: hpa.status?.desiredReplicas ?? 0, currentMetrics: metricStatuses }, state, false)
        return
      }
      desiredReplicas = computed.replicas
      if (desiredReplicas > currentReplicas) rescaleReason = `${computed.name} above target`
      if (desiredReplicas < currentReplicas) rescaleReason = 'All metrics below target'
      const now = Date.now()
      const history = this.recommendations.get(key) ?? []
      const n = hpa.spec.behavior
        ? normalizeWithBehavior({
            current: currentReplicas,
            desired: desiredReplicas,
            min: minReplicas,
            max: maxReplicas,
            behavior: behaviorWithDefaults(hpa.spec.behavior, this.timings.downscaleStabilizationMs / 1000),
            history,
            scaleUpEvents: this.scaleUpEvents.get(key) ?? [],
            scaleDownEvents: this.scaleDownEvents.get(key) ?? [],
            now,
          })
        : normalize({
            current: currentReplicas,
            desired: desiredReplicas,
            min: minReplicas,
            max: maxReplicas,
            history,
            now,
            downscaleStabilizationMs: this.timings.downscaleStabilizationMs,
          })
      this.recommendations.set(key, n.history)
      state.set('AbleToScale', n.ableToScale)
      state.set('ScalingLimited', n.scalingLimited)
      desiredReplicas = n.replicas
      rescale = desiredReplicas !== currentReplicas
    }
    if (rescale) {
      try {
        await this.client.update(refFor(info, ns, target.name, 'scale'), { ...scale, spec: { ...scale.spec, replicas: desiredReplicas } })
      } catch (e) {
        const err = message(e)
        this.recorder.event(hpa, 'Warning', 'FailedRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}; error: ${err}`)
        state.set('AbleToScale', { status: 'False', reason: 'FailedUpdateScale', message: `the HPA controller was unable to update the target scale: ${err}` })
        await this.writeStatus(hpa, { currentReplicas, desiredReplicas: hpa.status?.desiredReplicas ?? 0, currentMetrics: metricStatuses }, state, false)
        throw new Error(`failed to rescale ${reference}: ${err}`)
      }
      state.set('AbleToScale', {
        status: 'True',
        reason: 'SucceededRescale',
        message: `the HPA controller was able to update the target scale to ${desiredReplicas}`,
      })
      this.recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}`)
      this.storeScaleEvent(hpa, key, currentReplicas, desiredReplicas)
    } else desiredReplicas = currentReplicas
    await this.writeStatus(hpa, { currentReplicas, desiredReplicas, currentMetrics: metricStatuses }, state, rescale)
  }

  /** Upstream's computeReplicasForMetrics: the largest proposal of the valid metrics. */
  private async computeReplicasForMetrics(
    hpa: HorizontalPodAutoscaler,
    state: SyncState,
    scale: Scale,
    currentReplicas: number,
    ns: string,
  ): Promise<{ replicas: number; name: string; statuses: MetricStatus[]; error?: string }> {
    const specs: MetricSpec[] = hpa.spec.metrics?.length
      ? hpa.spec.metrics
      : [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]
    const selector = scale.status?.selector
    if (!selector) {
      const err = 'selector is required'
      state.set('ScalingActive', { status: 'False', reason: 'InvalidSelector', message: "the HPA target's scale is missing a selector" })
      this.recorder.event(hpa, 'Warning', 'SelectorRequired', err)
      return { replicas: 0, name: '', statuses: [], error: `selector is required` }
    }
    const statuses: MetricStatus[] = []
    let replicas = 0
    let name = ''
    let invalid = 0
    let firstError = ''
    for (const spec of specs) {
      const outcome = await this.resourceMetric(spec, selector, currentReplicas, ns)
      if (!outcome.ok) {
        invalid++
        firstError ||= outcome.error
        this.recorder.event(hpa, 'Warning', 'FailedGetResourceMetric', outcome.error)
        state.set('ScalingActive', {
          status: 'False',
          reason: 'FailedGetResourceMetric',
          message: `the HPA was unable to compute the replica count: ${outcome.error}`,
        })
        continue
      }
      statuses.push(outcome.status)
      if (replicas === 0 || outcome.replicas > replicas) {
        replicas = outcome.replicas
        name = outcome.name
      }
    }
    if (invalid >= specs.length || (invalid > 0 && replicas < currentReplicas)) {
      return {
        replicas: 0,
        name: '',
        statuses,
        error: `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: failed to get ${specs.length === 1 ? `${specs[0]?.resource?.name ?? ''} resource metric value` : 'metric value'}: ${firstError}`,
      }
    }
    state.set('ScalingActive', {
      status: 'True',
      reason: 'ValidMetricFound',
      message: `the HPA was able to successfully calculate a replica count from ${name}`,
    })
    return { replicas, name, statuses }
  }

  private async resourceMetric(spec: MetricSpec, selector: string, currentReplicas: number, ns: string): Promise<MetricOutcome> {
    if (spec.type !== 'Resource' || !spec.resource)
      return { ok: false, error: `unsupported metric source type "${spec.type}" (this controller reads Resource metrics only)` }
    const resource = spec.resource.name
    const t = spec.resource.target
    const utilization = t.type === 'Utilization' ? (t.averageUtilization ?? 0) : undefined
    const averageValue = t.type === 'AverageValue' ? milli(t.averageValue) : undefined
    if (utilization === undefined && averageValue === undefined)
      return { ok: false, error: `invalid resource metric source: neither a utilization target nor a value target was set` }
    const what = utilization !== undefined ? `${resource} utilization` : `${resource} usage`
    try {
      const metrics = await this.podMetrics(ns, selector, resource)
      const sel = parseLabelSelector(selector)
      const pods = this.pods.byIndex('namespace', ns).filter((p) => sel.matches(p.metadata?.labels))
      const r = resourceReplicas({
        currentReplicas,
        resource,
        pods: pods.map((p) => podInfo(p, resource)),
        metrics,
        tolerance: this.timings.tolerance,
        targetUtilization: utilization,
        targetAverageValue: averageValue,
      })
      const current: NonNullable<MetricStatus['resource']>['current'] = { averageValue: formatMilli(r.averageValue) }
      if (utilization !== undefined) current.averageUtilization = r.utilization
      return {
        ok: true,
        replicas: r.replicas,
        name: utilization !== undefined ? `${resource} resource utilization (percentage of request)` : `${resource} resource`,
        status: { type: 'Resource', resource: { name: resource, current } },
      }
    } catch (e) {
      return { ok: false, error: `failed to get ${what}: ${message(e)}` }
    }
  }

  /** PodMetrics of the selected pods, summed over containers, by pod name (milli-units). */
  private async podMetrics(ns: string, selector: string, resource: string): Promise<Map<string, PodMetric>> {
    let list: { items?: PodMetrics[] }
    try {
      list = await this.client.request<{ items?: PodMetrics[] }>('GET', `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(ns)}/pods`, {
        query: { labelSelector: selector },
      })
    } catch (e) {
      throw new MetricError(`unable to get metrics for resource ${resource}: unable to fetch metrics from resource metrics API: ${message(e)}`)
    }
    const out = new Map<string, PodMetric>()
    for (const m of list.items ?? []) {
      let sum = 0
      let complete = m.containers.length > 0
      for (const c of m.containers) {
        const q = (c.usage as unknown as Record<string, string | undefined>)[resource]
        if (q === undefined) complete = false
        else sum += milli(q)
      }
      if (complete) out.set(m.metadata?.name ?? '', { value: sum, timestamp: Date.parse(m.timestamp) })
    }
    return out
  }

  /** Remembers a rescale for the rate policies of spec.behavior (upstream's storeScaleEvent). */
  private storeScaleEvent(hpa: HorizontalPodAutoscaler, key: string, prev: number, next: number): void {
    if (!hpa.spec.behavior) return
    const now = Date.now()
    const b = behaviorWithDefaults(hpa.spec.behavior, this.timings.downscaleStabilizationMs / 1000)
    const keep = (rules: typeof b.scaleUp, events: ScaleEvent[]): ScaleEvent[] => {
      const longest = Math.max(0, ...rules.policies.map((p) => p.periodSeconds)) * 1000
      return events.filter((e) => e.at > now - longest)
    }
    if (next > prev) this.scaleUpEvents.set(key, [...keep(b.scaleUp, this.scaleUpEvents.get(key) ?? []), { change: next - prev, at: now }])
    else this.scaleDownEvents.set(key, [...keep(b.scaleDown, this.scaleDownEvents.get(key) ?? []), { change: prev - next, at: now }])
  }

  private async writeStatus(
    hpa: HorizontalPodAutoscaler,
    s: { currentReplicas: number; desiredReplicas: number; currentMetrics?: MetricStatus[] },
    state: SyncState,
    rescaled: boolean,
  ): Promise<void> {
    const status: NonNullable<HorizontalPodAutoscaler['status']> = {
      observedGeneration: hpa.metadata?.generation,
      currentReplicas: s.currentReplicas,
      desiredReplicas: s.desiredReplicas,
      conditions: state.conditions,
    }
    if (s.currentMetrics?.length) status.currentMetrics = s.currentMetrics
    const lastScaleTime = rescaled ? new Date().toISOString().replace(/\.\d+Z$/, 'Z') : hpa.status?.lastScaleTime
    if (lastScaleTime) status.lastScaleTime = lastScaleTime
    if (JSON.stringify(status) === JSON.stringify(hpa.status ?? {})) return
    await this.client.update(refFor(HPAS, hpa.metadata?.namespace, hpa.metadata?.name, 'status'), { ...hpa, status } as KObject)
  }
}

function podInfo(p: Pod, resource: string): PodInfo {
  let request = 0
  let missingRequestIn: string | undefined
  for (const c of p.spec?.containers ?? []) {
    const q = (c.resources?.requests as Record<string, string | number | undefined> | undefined)?.[resource]
    if (q === undefined) missingRequestIn ??= c.name
    else request += milli(q)
  }
  return {
    name: p.metadata?.name ?? '',
    ignored: Boolean(p.metadata?.deletionTimestamp) || p.status?.phase === 'Failed',
    pending: p.status?.phase === 'Pending' || !p.status?.phase,
    unready: !isPodReady(p),
    request: missingRequestIn === undefined ? request : undefined,
    missingRequestIn,
  }
}

/** A quantity in milli-units (upstream's MilliValue). */
function milli(q: string | number | undefined): number {
  return Math.round((parseQuantity(q) ?? 0) * 1000)
}

/** Milli-units as a canonical quantity ("250m", "2", "4194304"). */
export function formatMilli(m: number): string {
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
