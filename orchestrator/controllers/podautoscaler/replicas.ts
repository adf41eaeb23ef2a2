// The HPA's arithmetic, as pure functions: how many replicas a resource metric asks for, and
// how the recommendation is stabilised and bounded before it is applied.
//   desired = ceil(ready pods x currentMetric / target), unchanged within the tolerance (0.1);
//   pods without metrics count as 100 % of target when scaling down, 0 when scaling up; not-ready
//   pods count as 0 when scaling up (CPU only) and are ignored otherwise.
//   Without spec.behavior: the highest recommendation of the downscale stabilization window
//   (5 min), at most max(2 x current, 4) per step, within min/max.
//   With spec.behavior: each direction's stabilization window and rate policies.
// Mirrors pkg/controller/podautoscaler/replica_calculator.go and horizontal.go
// (normalizeDesiredReplicas*, convertDesiredReplicas*, calculateScale*LimitWithScalingRules),
// reasons and messages included.
// Simplifies: a pod is "not ready" when its Ready condition is not True (no CPU initialization
// period or initial readiness delay).

import type { HPAScalingRules } from '../../api/types.js'

/** One pod's usage of a resource, in milli-units (millicores, milli-bytes). */
export interface PodMetric {
  value: number
  timestamp: number
}

/** What the calculator knows of one pod the target's selector matches. */
export interface PodInfo {
  name: string
  /** Not yet running: counted as unready whatever the resource. */
  pending: boolean
  /** Its Ready condition is not True. */
  unready: boolean
  /** Being deleted or failed: left out entirely. */
  ignored: boolean
  /** The pod's request for the resource, milli-units (undefined when a container has none). */
  request?: number
  /** The first container without a request for the resource. */
  missingRequestIn?: string
}

export interface ReplicaResult {
  replicas: number
  /** Average utilization, percent of request (utilization targets only). */
  utilization?: number
  /** Average usage per pod, milli-units. */
  averageValue: number
  timestamp: number
}

/** A resource metric's error in upstream's words. */
export class MetricError extends Error {}

function group(
  pods: readonly PodInfo[],
  metrics: ReadonlyMap<string, PodMetric>,
  resource: string,
): { ready: number; unready: Set<string>; missing: Set<string>; counted: Map<string, PodMetric> } {
  const unready = new Set<string>()
  const missing = new Set<string>()
  const counted = new Map<string, PodMetric>()
  let ready = 0
  for (const p of pods) {
    if (p.ignored) continue
    if (p.pending) {
      unready.add(p.name)
      continue
    }
    const m = metrics.get(p.name)
    if (!m) {
      missing.add(p.name)
      continue
    }
    if (resource === 'cpu' && p.unready) {
      unready.add(p.name)
      continue
    }
    ready++
    counted.set(p.name, m)
  }
  return { ready, unready, missing, counted }
}

function utilizationRatio(
  metrics: ReadonlyMap<string, PodMetric>,
  requests: ReadonlyMap<string, number>,
  target: number,
): { ratio: number; utilization: number; average: number } {
  let usage = 0
  let requested = 0
  for (const [pod, m] of metrics) {
    const r = requests.get(pod)
    if (r === undefined) continue
    usage += m.value
    requested += r
  }
  if (requested === 0) throw new MetricError('no metrics returned matched known pods')
  const utilization = Math.trunc((usage * 100) / requested)
  return { ratio: utilization / target, utilization, average: Math.trunc(usage / metrics.size) }
}

/**
 * Replicas for a resource metric with an averageUtilization target (GetResourceReplicas) or,
 * when `targetUtilization` is undefined, an averageValue target (`targetAverageValue`,
 * milli-units; GetRawResourceReplicas).
 */
export function resourceReplicas(args: {
  currentReplicas: number
  resource: string
  pods: readonly PodInfo[]
  metrics: ReadonlyMap<string, PodMetric>
  tolerance: number
  targetUtilization?: number
  targetAverageValue?: number
}): ReplicaResult {
  const { currentReplicas, resource, pods, metrics, tolerance } = args
  if (metrics.size === 0) throw new MetricError(`unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`)
  if (pods.length === 0) throw new MetricError('no pods returned by selector while calculating replica count')
  const { ready, unready, missing, counted } = group(pods, metrics, resource)
  if (counted.size === 0) throw new MetricError('did not receive metrics for targeted pods (pods might be unready)')
  const timestamp = Math.min(...[...counted.values()].map((m) => m.timestamp))
  const requests = new Map<string, number>()
  for (const p of pods) {
    if (p.ignored) continue
    if (args.targetUtilization !== undefined && p.request === undefined)
      throw new MetricError(`missing request for ${resource} in container ${p.missingRequestIn ?? ''} of Pod ${p.name}`)
    requests.set(p.name, p.request ?? 0)
  }
  // the usage ratio of the pods that count, and what each fill-in pod is assumed to use
  const ratioOf = (m: ReadonlyMap<string, PodMetric>): { ratio: number; utilization?: number; average: number } => {
    if (args.targetUtilization !== undefined) return utilizationRatio(m, requests, args.targetUtilization)
    let sum = 0
    for (const x of m.values()) sum += x.value
    const average = sum / m.size
    return { ratio: average / args.targetAverageValue!, average: Math.trunc(average) }
  }
  const first = ratioOf(counted)
  const result = (replicas: number): ReplicaResult => ({ replicas, utilization: first.utilization, averageValue: first.average, timestamp })
  const scaleUpWithUnready = unready.size > 0 && first.ratio > 1.0
  if (!scaleUpWithUnready && missing.size === 0) {
    if (Math.abs(1.0 - first.ratio) <= tolerance) return result(currentReplicas)
    return result(Math.ceil(first.ratio * ready))
  }
  const filled = new Map(counted)
  if (missing.size > 0) {
    for (const name of missing) {
      if (first.ratio < 1.0) {
        // scaling down: a pod without metrics is assumed to use 100 % of its target
        const fallback =
          args.targetUtilization !== undefined
            ? Math.trunc(((requests.get(name) ?? 0) * Math.max(100, args.targetUtilization)) / 100)
            : args.targetAverageValue!
        filled.set(name, { value: fallback, timestamp })
      } else if (first.ratio > 1.0) filled.set(name, { value: 0, timestamp })
    }
  }
  if (scaleUpWithUnready) for (const name of unready) filled.set(name, { value: 0, timestamp })
  const again = ratioOf(filled)
  if (Math.abs(1.0 - again.ratio) <= tolerance || (first.ratio < 1.0 && again.ratio > 1.0) || (first.ratio > 1.0 && again.ratio < 1.0))
    return result(currentReplicas)
  const replicas = Math.ceil(again.ratio * filled.size)
  if ((again.ratio < 1.0 && replicas > currentReplicas) || (again.ratio > 1.0 && replicas < currentReplicas)) return result(currentReplicas)
  return result(replicas)
}

// ---------------------------------------------------------------------------------------------
// normalisation: stabilization windows, rate limits, min/max

export interface Recommendation {
  replicas: number
  at: number
}

export interface ScaleEvent {
  change: number
  at: number
  outdated?: boolean
}

export interface Condition {
  status: 'True' | 'False'
  reason: string
  message: string
}

export interface Normalized {
  replicas: number
  ableToScale: Condition
  scalingLimited: Condition
}

/** Upstream's defaults for spec.behavior's unset fields (scaleDown's window comes from the controller's flag). */
export function behaviorWithDefaults(
  b: { scaleUp?: HPAScalingRules; scaleDown?: HPAScalingRules },
  downscaleStabilizationSeconds: number,
): {
  scaleUp: Required<Pick<HPAScalingRules, 'stabilizationWindowSeconds' | 'selectPolicy' | 'policies'>>
  scaleDown: Required<Pick<HPAScalingRules, 'stabilizationWindowSeconds' | 'selectPolicy' | 'policies'>>
} {
  return {
    scaleUp: {
      stabilizationWindowSeconds: b.scaleUp?.stabilizationWindowSeconds ?? 0,
      selectPolicy: b.scaleUp?.selectPolicy ?? 'Max',
      policies: b.scaleUp?.policies ?? [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: b.scaleDown?.stabilizationWindowSeconds ?? downscaleStabilizationSeconds,
      selectPolicy: b.scaleDown?.selectPolicy ?? 'Max',
      policies: b.scaleDown?.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    },
  }
}

const WITHIN_RANGE = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' }

/** Records `desired` in `history` (reusing an entry older than every window) and returns the updated list. */
function record(history: Recommendation[], desired: number, now: number, oldestNeeded: number): Recommendation[] {
  const i = history.findIndex((r) => r.at < oldestNeeded)
  const next = [...history]
  if (i >= 0) next[i] = { replicas: desired, at: now }
  else next.push({ replicas: desired, at: now })
  return next
}

/** Without spec.behavior (normalizeDesiredReplicas + convertDesiredReplicasWithRules). */
export function normalize(args: {
  current: number
  desired: number
  min: number
  max: number
  history: Recommendation[]
  now: number
  downscaleStabilizationMs: number
}): Normalized & { history: Recommendation[] } {
  const { current, desired, min, max, now } = args
  const cutoff = now - args.downscaleStabilizationMs
  let stabilized = desired
  for (const r of args.history) if (r.at > cutoff) stabilized = Math.max(stabilized, r.replicas)
  const history = record(args.history, desired, now, cutoff)
  const ableToScale: Condition =
    stabilized !== desired
      ? {
          status: 'True',
          reason: 'ScaleDownStabilized',
          message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
        }
      : { status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' }
  const scaleUpLimit = Math.max(2 * current, 4)
  let maximum = max
  let limiting = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' }
  if (max > scaleUpLimit) {
    maximum = scaleUpLimit
    limiting = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' }
  }
  let replicas = stabilized
  let why = WITHIN_RANGE
  if (stabilized < min) {
    replicas = min
    why = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' }
  } else if (stabilized > maximum) {
    replicas = maximum
    why = limiting
  }
  return { replicas, ableToScale, scalingLimited: { status: replicas === stabilized ? 'False' : 'True', ...why }, history }
}

function changeInPeriod(periodSeconds: number, events: readonly ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000
  return events.filter((e) => e.at > cutoff && !e.outdated).reduce((n, e) => n + e.change, 0)
}

/** With spec.behavior (normalizeDesiredReplicasWithBehaviors). */
export function normalizeWithBehavior(args: {
  current: number
  desired: number
  min: number
  max: number
  behavior: ReturnType<typeof behaviorWithDefaults>
  history: Recommendation[]
  scaleUpEvents: readonly ScaleEvent[]
  scaleDownEvents: readonly ScaleEvent[]
  now: number
}): Normalized & { history: Recommendation[] } {
  const { current, desired, min, max, behavior, now } = args
  const upCutoff = now - behavior.scaleUp.stabilizationWindowSeconds * 1000
  const downCutoff = now - behavior.scaleDown.stabilizationWindowSeconds * 1000
  let up = desired
  let down = desired
  for (const r of args.history) {
    if (r.at > upCutoff) up = Math.min(up, r.replicas)
    if (r.at > downCutoff) down = Math.max(down, r.replicas)
  }
  let stabilized = current
  if (stabilized < up) stabilized = up
  if (stabilized > down) stabilized = down
  const history = record(args.history, desired, now, Math.min(upCutoff, downCutoff))
  const ableToScale: Condition =
    stabilized === desired
      ? { status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' }
      : desired >= current
        ? {
            status: 'True',
            reason: 'ScaleUpStabilized',
            message: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
          }
        : {
            status: 'True',
            reason: 'ScaleDownStabilized',
            message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
          }
  let replicas = stabilized
  let why = WITHIN_RANGE
  if (stabilized > current) {
    let limit = scaleUpLimit(current, args.scaleUpEvents, args.scaleDownEvents, behavior.scaleUp, now)
    if (limit < current) limit = current
    let maximum = max
    let limiting = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' }
    if (maximum > limit) {
      maximum = limit
      limiting = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' }
    }
    if (stabilized > maximum) [replicas, why] = [maximum, limiting]
  } else if (stabilized < current) {
    let limit = scaleDownLimit(current, args.scaleUpEvents, args.scaleDownEvents, behavior.scaleDown, now)
    if (limit > current) limit = current
    let minimum = min
    let limiting = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' }
    if (minimum < limit) {
      minimum = limit
      limiting = { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' }
    }
    if (stabilized < minimum) [replicas, why] = [minimum, limiting]
  }
  return { replicas, ableToScale, scalingLimited: { status: replicas === stabilized ? 'False' : 'True', ...why }, history }
}

type Rules = ReturnType<typeof behaviorWithDefaults>['scaleUp']

function scaleUpLimit(current: number, ups: readonly ScaleEvent[], downs: readonly ScaleEvent[], rules: Rules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max
  let result = rules.selectPolicy === 'Min' ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER
  for (const p of rules.policies) {
    const start = current - changeInPeriod(p.periodSeconds, ups, now) + changeInPeriod(p.periodSeconds, downs, now)
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100))
    result = pick(result, proposed)
  }
  return result
}

function scaleDownLimit(current: number, ups: readonly ScaleEvent[], downs: readonly ScaleEvent[], rules: Rules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min
  let result = rules.selectPolicy === 'Min' ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER
  for (const p of rules.policies) {
    const start = current - changeInPeriod(p.periodSeconds, ups, now) + changeInPeriod(p.periodSeconds, downs, now)
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100))
    result = pick(result, proposed)
  }
  return result
}
