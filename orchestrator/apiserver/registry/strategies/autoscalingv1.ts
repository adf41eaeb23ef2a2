// autoscaling/v1 HorizontalPodAutoscalers, served beside the stored autoscaling/v2 ones: the
// conversion both ways (the strategy's `conversions.v1`). Mirrors
// pkg/apis/autoscaling/v1/conversion.go: targetCPUUtilizationPercentage is the first `cpu`
// Resource metric with a Utilization target, currentCPUUtilizationPercentage its current
// utilization; what v1 cannot say travels in annotations, as upstream:
// autoscaling.alpha.kubernetes.io/metrics (the other metrics, as v1 MetricSpecs),
// .../current-metrics (every current metric, as v1 MetricStatuses), .../conditions, and
// .../behavior (spec.behavior, encoded with Go's field names as upstream's internal type is);
// they are lifted back out when a v1 object is written. A v1 object with no metric at all gets
// upstream's default (cpu at 80 % utilization).
// Simplifies: no v2beta1/v2beta2.

import type { KObject } from '../../../api/meta.js'
import { obj, type Json } from '../defaults.js'
import type { VersionConversion } from '../strategy.js'

export const METRIC_SPECS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics'
export const METRIC_STATUSES_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics'
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions'
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior'

const ROUND_TRIP_ANNOTATIONS = [METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION]

/**
 * Upstream DropRoundTripHorizontalPodAutoscalerAnnotations: an autoscaling/v2 object never keeps
 * the annotations v1 carries its extra fields in (v2 says them in its own fields).
 */
export function dropRoundTripAnnotations(o: KObject): void {
  const annotations = o.metadata?.annotations
  if (!annotations) return
  for (const k of ROUND_TRIP_ANNOTATIONS) delete annotations[k]
  if (!Object.keys(annotations).length) delete o.metadata!.annotations
}

/** Upstream autoscaling.DefaultCPUUtilization. */
export const DEFAULT_CPU_UTILIZATION = 80

/** An object without its undefined members (Go's omitempty for pointers). */
function compact(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
}

function isCpuUtilization(m: Json): boolean {
  const r = obj(m.resource)
  return m.type === 'Resource' && r?.name === 'cpu' && obj(r.target)?.averageUtilization !== undefined
}

// ---------------------------------------------------------------------------------------------
// metric specs and statuses: v2 (metric identifier + target/current) <-> v1 (v2beta1 shapes)

function specToV1(m: Json): Json {
  const out: Json = { type: m.type }
  const r = obj(m.resource)
  const cr = obj(m.containerResource)
  const o = obj(m.object)
  const p = obj(m.pods)
  const e = obj(m.external)
  if (r) {
    const rt = obj(r.target) ?? {}
    out.resource = compact({ name: r.name, targetAverageUtilization: rt.averageUtilization, targetAverageValue: rt.averageValue })
  }
  if (cr) {
    const ct = obj(cr.target) ?? {}
    out.containerResource = compact({
      name: cr.name,
      targetAverageUtilization: ct.averageUtilization,
      targetAverageValue: ct.averageValue,
      container: cr.container,
    })
  }
  if (o) {
    const ot = obj(o.target) ?? {}
    const oid = obj(o.metric) ?? {}
    out.object = compact({
      target: o.describedObject,
      metricName: oid.name,
      targetValue: ot.value ?? '0',
      selector: oid.selector,
      averageValue: ot.averageValue,
    })
  }
  if (p) {
    const pt = obj(p.target) ?? {}
    const pid = obj(p.metric) ?? {}
    out.pods = compact({ metricName: pid.name, targetAverageValue: pt.averageValue ?? '0', selector: pid.selector })
  }
  if (e) {
    const et = obj(e.target) ?? {}
    const eid = obj(e.metric) ?? {}
    out.external = compact({ metricName: eid.name, metricSelector: eid.selector, targetValue: et.value, targetAverageValue: et.averageValue })
  }
  return out
}

function specFromV1(m: Json): Json {
  const out: Json = { type: m.type }
  const r = obj(m.resource)
  const cr = obj(m.containerResource)
  const o = obj(m.object)
  const p = obj(m.pods)
  const e = obj(m.external)
  const resourceTarget = (x: Json): Json =>
    compact({
      type: x.targetAverageUtilization === undefined ? 'AverageValue' : 'Utilization',
      averageValue: x.targetAverageValue,
      averageUtilization: x.targetAverageUtilization,
    })
  if (r) out.resource = { name: r.name, target: resourceTarget(r) }
  if (cr) out.containerResource = { name: cr.name, container: cr.container, target: resourceTarget(cr) }
  if (o)
    out.object = {
      describedObject: o.target,
      metric: compact({ name: o.metricName, selector: o.selector }),
      target: compact({ type: o.averageValue === undefined ? 'Value' : 'AverageValue', value: o.targetValue, averageValue: o.averageValue }),
    }
  if (p) out.pods = { metric: compact({ name: p.metricName, selector: p.selector }), target: { type: 'AverageValue', averageValue: p.targetAverageValue } }
  if (e)
    out.external = {
      metric: compact({ name: e.metricName, selector: e.metricSelector }),
      target: compact({ type: e.targetValue === undefined ? 'AverageValue' : 'Value', value: e.targetValue, averageValue: e.targetAverageValue }),
    }
  return out
}

function statusToV1(m: Json): Json {
  const out: Json = { type: m.type }
  const r = obj(m.resource)
  const cr = obj(m.containerResource)
  const o = obj(m.object)
  const p = obj(m.pods)
  const e = obj(m.external)
  const cur = (x: Json): Json => obj(x.current) ?? {}
  const id = (x: Json): Json => obj(x.metric) ?? {}
  if (r) out.resource = compact({ name: r.name, currentAverageUtilization: cur(r).averageUtilization, currentAverageValue: cur(r).averageValue ?? '0' })
  if (cr)
    out.containerResource = compact({
      name: cr.name,
      currentAverageUtilization: cur(cr).averageUtilization,
      currentAverageValue: cur(cr).averageValue ?? '0',
      container: cr.container,
    })
  if (o)
    out.object = compact({
      target: o.describedObject,
      metricName: id(o).name,
      currentValue: cur(o).value ?? '0',
      selector: id(o).selector,
      averageValue: cur(o).averageValue,
    })
  if (p) out.pods = compact({ metricName: id(p).name, currentAverageValue: cur(p).averageValue ?? '0', selector: id(p).selector })
  if (e)
    out.external = compact({
      metricName: id(e).name,
      metricSelector: id(e).selector,
      currentValue: cur(e).value ?? '0',
      currentAverageValue: cur(e).averageValue,
    })
  return out
}

function statusFromV1(m: Json): Json {
  const out: Json = { type: m.type }
  const r = obj(m.resource)
  const cr = obj(m.containerResource)
  const o = obj(m.object)
  const p = obj(m.pods)
  const e = obj(m.external)
  if (r) out.resource = { name: r.name, current: compact({ averageValue: r.currentAverageValue, averageUtilization: r.currentAverageUtilization }) }
  if (cr)
    out.containerResource = {
      name: cr.name,
      container: cr.container,
      current: compact({ averageValue: cr.currentAverageValue, averageUtilization: cr.currentAverageUtilization }),
    }
  if (o)
    out.object = {
      metric: compact({ name: o.metricName, selector: o.selector }),
      current: compact({ value: o.currentValue, averageValue: o.averageValue }),
      describedObject: o.target,
    }
  if (p) out.pods = { metric: compact({ name: p.metricName, selector: p.selector }), current: { averageValue: p.currentAverageValue } }
  if (e)
    out.external = {
      metric: compact({ name: e.metricName, selector: e.metricSelector }),
      current: compact({ value: e.currentValue, averageValue: e.currentAverageValue }),
    }
  return out
}

/** Go's encoding of a struct without json tags: every key with its first letter upper-cased (and back). */
function recase(v: unknown, f: (k: string) => string): unknown {
  if (Array.isArray(v)) return v.map((x) => recase(x, f))
  const o = obj(v)
  return o ? Object.fromEntries(Object.entries(o).map(([k, x]) => [f(k), recase(x, f)])) : v
}
const upper = (k: string): string => k.charAt(0).toUpperCase() + k.slice(1)
const lower = (k: string): string => k.charAt(0).toLowerCase() + k.slice(1)

function parseAnnotation(annotations: Record<string, string>, key: string): unknown {
  const raw = annotations[key]
  delete annotations[key]
  if (raw === undefined) return undefined
  try {
    return JSON.parse(raw) as unknown
  } catch {
    return undefined // upstream fails the conversion; a broken annotation is dropped here
  }
}

// ---------------------------------------------------------------------------------------------

/** autoscaling/v2 (stored) -> autoscaling/v1. */
export function hpaToV1(o: KObject): KObject {
  const spec = obj(o.spec) ?? {}
  const status = obj(o.status) ?? {}
  const metrics = (Array.isArray(spec.metrics) ? spec.metrics : []) as Json[]
  const currentMetrics = (Array.isArray(status.currentMetrics) ? status.currentMetrics : []) as Json[]
  const conditions = Array.isArray(status.conditions) ? status.conditions : []
  const annotations: Record<string, string> = { ...(o.metadata?.annotations ?? {}) }
  const others = metrics.filter((m) => !isCpuUtilization(m)).map(specToV1)
  if (others.length) annotations[METRIC_SPECS_ANNOTATION] = JSON.stringify(others)
  if (currentMetrics.length) annotations[METRIC_STATUSES_ANNOTATION] = JSON.stringify(currentMetrics.map(statusToV1))
  if (conditions.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(conditions)
  if (spec.behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(recase(spec.behavior, upper))
  const cpu = metrics.find((m) => m.type === 'Resource' && obj(m.resource)?.name === 'cpu')
  const cpuNow = currentMetrics.find((m) => m.type === 'Resource' && obj(m.resource)?.name === 'cpu')
  const metadata = { ...o.metadata }
  if (Object.keys(annotations).length) metadata.annotations = annotations
  return {
    apiVersion: 'autoscaling/v1',
    kind: o.kind,
    metadata,
    spec: compact({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      targetCPUUtilizationPercentage: obj(obj(cpu?.resource)?.target)?.averageUtilization,
    }),
    status: compact({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: obj(obj(cpuNow?.resource)?.current)?.averageUtilization,
    }),
  }
}

/** autoscaling/v1 -> autoscaling/v2 (stored). */
export function hpaFromV1(o: KObject): KObject {
  const spec = obj(o.spec) ?? {}
  const status = obj(o.status)
  const annotations: Record<string, string> = { ...(o.metadata?.annotations ?? {}) }
  const others = parseAnnotation(annotations, METRIC_SPECS_ANNOTATION)
  const current = parseAnnotation(annotations, METRIC_STATUSES_ANNOTATION)
  const conditions = parseAnnotation(annotations, CONDITIONS_ANNOTATION)
  const behavior = parseAnnotation(annotations, BEHAVIOR_ANNOTATION)
  const metrics: Json[] = Array.isArray(others) ? (others as Json[]).map(specFromV1) : []
  const cpu = spec.targetCPUUtilizationPercentage
  if (cpu !== undefined && cpu !== null) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } })
  // autoscaling/v1 once had this default in the controller; upstream applies it on conversion
  if (!metrics.length)
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } })
  const metadata = { ...o.metadata }
  if (Object.keys(annotations).length) metadata.annotations = annotations
  else delete metadata.annotations
  const out: KObject = {
    apiVersion: 'autoscaling/v2',
    kind: o.kind,
    metadata,
    spec: compact({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      metrics,
      behavior: behavior === undefined ? undefined : recase(behavior, lower),
    }),
  }
  if (status) {
    const cpuNow = status.currentCPUUtilizationPercentage
    const currentMetrics = Array.isArray(current)
      ? (current as Json[]).map(statusFromV1)
      : cpuNow !== undefined && cpuNow !== null
        ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cpuNow } } }]
        : undefined
    out.status = compact({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas,
      desiredReplicas: status.desiredReplicas,
      currentMetrics,
      conditions: Array.isArray(conditions) ? conditions : undefined,
    })
  }
  return out
}

export const autoscalingV1: VersionConversion = { fromStored: hpaToV1, toStored: hpaFromV1 }
