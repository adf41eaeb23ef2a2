import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KObject } from '../../../api/meta.js'
import { BEHAVIOR_ANNOTATION, CONDITIONS_ANNOTATION, hpaFromV1, hpaToV1, METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION } from './autoscalingv1.js'

// The autoscaling/v1 <-> v2 conversion table, as upstream's pkg/apis/autoscaling/v1/conversion.go.

const META = { name: 'web', namespace: 'shop', uid: 'u', resourceVersion: '7', generation: 2, creationTimestamp: '2026-12-06T00:00:00Z' }
const REF = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }
const cpu = (n: number): Record<string, unknown> => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: n } } })
const v2 = (
  spec: Record<string, unknown>,
  status: Record<string, unknown> = { currentReplicas: 0, desiredReplicas: 0 },
  annotations?: Record<string, string>,
): KObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { ...META, ...(annotations ? { annotations } : {}) },
  spec: { scaleTargetRef: REF, minReplicas: 2, maxReplicas: 5, ...spec },
  status,
})

describe('autoscaling/v1 <-> v2 conversion', () => {
  const roundTrips: { name: string; stored: KObject }[] = [
    { name: 'a cpu utilization target', stored: v2({ metrics: [cpu(80)] }) },
    {
      name: 'other metrics first, then cpu (the order upstream rebuilds)',
      stored: v2({
        metrics: [
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '64Mi' } } },
          { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
          {
            type: 'Object',
            object: { describedObject: { apiVersion: 'v1', kind: 'Service', name: 'front' }, metric: { name: 'rps' }, target: { type: 'Value', value: '100' } },
          },
          {
            type: 'External',
            external: { metric: { name: 'queue', selector: { matchLabels: { q: 'a' } } }, target: { type: 'AverageValue', averageValue: '3' } },
          },
          { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: 70 } } },
          cpu(50),
        ],
      }),
    },
    {
      name: 'only a memory target (no cpu)',
      stored: v2({ metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 60 } } }] }),
    },
    {
      name: 'status with current metrics, conditions and a scale time',
      stored: v2(
        { metrics: [cpu(80)] },
        {
          observedGeneration: 2,
          lastScaleTime: '2026-12-06T00:01:00Z',
          currentReplicas: 3,
          desiredReplicas: 4,
          currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '120m', averageUtilization: 95 } } }],
          conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: 'ok', lastTransitionTime: '2026-12-06T00:01:00Z' }],
        },
      ),
    },
    {
      name: 'a behavior (carried with Go field names) and the user annotations',
      stored: v2(
        {
          metrics: [cpu(80)],
          behavior: { scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 15 }] } },
        },
        undefined,
        { team: 'shop' },
      ),
    },
  ]
  for (const tc of roundTrips) {
    it(`v2 -> v1 -> v2 gives the stored object back: ${tc.name}`, () => {
      assert.deepEqual(hpaFromV1(hpaToV1(structuredClone(tc.stored))), tc.stored)
    })
  }

  const toV1: { name: string; stored: KObject; spec: Record<string, unknown>; status?: Record<string, unknown>; annotations?: Record<string, string> }[] = [
    {
      name: 'the cpu target becomes targetCPUUtilizationPercentage',
      stored: v2({ metrics: [cpu(80)] }),
      spec: { scaleTargetRef: REF, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 },
      status: { currentReplicas: 0, desiredReplicas: 0 },
    },
    {
      name: 'a memory target goes to the metrics annotation as a v1 MetricSpec',
      stored: v2({ metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '64Mi' } } }] }),
      spec: { scaleTargetRef: REF, minReplicas: 2, maxReplicas: 5 },
      annotations: { [METRIC_SPECS_ANNOTATION]: '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"64Mi"}}]' },
    },
    {
      name: 'current cpu is currentCPUUtilizationPercentage, every current metric and the conditions go to annotations',
      stored: v2(
        { metrics: [cpu(80)] },
        {
          currentReplicas: 1,
          desiredReplicas: 2,
          currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40 } } }],
          conditions: [{ type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric' }],
        },
      ),
      spec: { scaleTargetRef: REF, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 },
      status: { currentReplicas: 1, desiredReplicas: 2, currentCPUUtilizationPercentage: 40 },
      annotations: {
        [METRIC_STATUSES_ANNOTATION]: '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":40,"currentAverageValue":"0"}}]',
        [CONDITIONS_ANNOTATION]: '[{"type":"ScalingActive","status":"False","reason":"FailedGetResourceMetric"}]',
      },
    },
    {
      name: 'a behavior goes to the behavior annotation with Go field names',
      stored: v2({ metrics: [cpu(80)], behavior: { scaleUp: { stabilizationWindowSeconds: 0 } } }),
      spec: { scaleTargetRef: REF, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 },
      annotations: { [BEHAVIOR_ANNOTATION]: '{"ScaleUp":{"StabilizationWindowSeconds":0}}' },
    },
  ]
  for (const tc of toV1) {
    it(`v2 -> v1: ${tc.name}`, () => {
      const v1 = hpaToV1(tc.stored)
      assert.equal(v1.apiVersion, 'autoscaling/v1')
      assert.deepEqual(v1.spec, tc.spec)
      if (tc.status) assert.deepEqual(v1.status, tc.status)
      assert.deepEqual(v1.metadata?.annotations, tc.annotations)
    })
  }

  const fromV1: { name: string; v1: KObject; metrics: unknown[] }[] = [
    {
      name: 'what kubectl autoscale --cpu-percent=80 sends',
      v1: {
        apiVersion: 'autoscaling/v1',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web' },
        spec: { scaleTargetRef: REF, maxReplicas: 5, targetCPUUtilizationPercentage: 80 },
      },
      metrics: [cpu(80)],
    },
    {
      name: 'no target at all: upstream default of cpu at 80 %',
      v1: { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: REF, maxReplicas: 5 } },
      metrics: [cpu(80)],
    },
    {
      name: 'the metrics annotation is lifted into spec.metrics (and removed), cpu last',
      v1: {
        apiVersion: 'autoscaling/v1',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web', annotations: { [METRIC_SPECS_ANNOTATION]: '[{"type":"Pods","pods":{"metricName":"qps","targetAverageValue":"10"}}]' } },
        spec: { scaleTargetRef: REF, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
      },
      metrics: [{ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } }, cpu(50)],
    },
  ]
  for (const tc of fromV1) {
    it(`v1 -> v2: ${tc.name}`, () => {
      const stored = hpaFromV1(tc.v1)
      assert.equal(stored.apiVersion, 'autoscaling/v2')
      assert.deepEqual((stored.spec as { metrics: unknown[] }).metrics, tc.metrics)
      assert.equal(stored.metadata?.annotations, undefined)
    })
  }
})
