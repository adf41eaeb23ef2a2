import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { fieldErrorBody } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import { lookupResource } from '../../api/resources.js'
import type { ResourceInfo } from '../../api/resources.js'
import { validateLabels } from './semantic.js'
import { strategyOf } from './strategy.js'
import { buildStrategies } from './strategies/index.js'

const STRATEGIES = buildStrategies()

/** What the generic store checks beyond schema and names: labels, then the kind's strategy (none for subresource writes). */
function validateSemantics(info: ResourceInfo, o: KObject, old?: KObject, subresource = '') {
  if (subresource) return []
  return [...validateLabels(o.metadata?.labels, 'metadata.labels'), ...(strategyOf(STRATEGIES, info).validate?.(o, old) ?? [])]
}

const pods = lookupResource('', 'pods')!
const deployments = lookupResource('apps', 'deployments')!
const pdbs = lookupResource('policy', 'poddisruptionbudgets')!
const PERCENT = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
const rolling = (rollingUpdate: object) =>
  dep({ selector: { matchLabels: { app: 'a' } }, template: template({ app: 'a' }), strategy: { type: 'RollingUpdate', rollingUpdate } })
const pdb = (spec: object): KObject => ({ metadata: { name: 'b' }, spec: { selector: { matchLabels: { app: 'a' } }, ...spec } })
const describeErrors = (info: typeof pods, o: KObject, old?: KObject) => validateSemantics(info, o, old).map((e) => `${e.field}: ${fieldErrorBody(e)}`)
const pod = (spec: object): KObject => ({ metadata: { name: 'p' }, spec })
const dep = (spec: object): KObject => ({ metadata: { name: 'd' }, spec })
const template = (labels: object, containers: object[] = [{ name: 'app', image: 'i' }]) => ({ metadata: { labels }, spec: { containers } })

describe('semantic validation (upstream field paths and messages)', () => {
  const cases: [string, typeof pods, KObject, KObject | undefined, string[]][] = [
    ['a valid pod', pods, pod({ containers: [{ name: 'app', image: 'i' }] }), undefined, []],
    ['no containers', pods, pod({ containers: [] }), undefined, ['spec.containers: Required value']],
    [
      'no image, bad name',
      pods,
      pod({ containers: [{ name: 'App' }] }),
      undefined,
      [
        "spec.containers[0].name: Invalid value: \"App\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        'spec.containers[0].image: Required value',
      ],
    ],
    [
      'duplicate names',
      pods,
      pod({
        containers: [
          { name: 'a', image: 'i' },
          { name: 'a', image: 'i' },
        ],
      }),
      undefined,
      ['spec.containers[1].name: Duplicate value: "a"'],
    ],
    [
      'port out of range',
      pods,
      pod({ containers: [{ name: 'a', image: 'i', ports: [{ containerPort: 70000, protocol: 'TCP' }] }] }),
      undefined,
      ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    ],
    [
      'request above limit',
      pods,
      pod({ containers: [{ name: 'a', image: 'i', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] }),
      undefined,
      ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
    ],
    [
      'pod spec change',
      pods,
      pod({ containers: [{ name: 'a', image: 'i' }], restartPolicy: 'Never' }),
      pod({ containers: [{ name: 'a', image: 'i' }], restartPolicy: 'Always' }),
      [
        'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
      ],
    ],
    ['pod image change', pods, pod({ containers: [{ name: 'a', image: 'j' }] }), pod({ containers: [{ name: 'a', image: 'i' }] }), []],
    [
      'selector misses the template',
      deployments,
      dep({ replicas: 1, selector: { matchLabels: { app: 'a' } }, template: template({ app: 'b' }) }),
      undefined,
      ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`'],
    ],
    [
      'negative replicas',
      deployments,
      dep({ replicas: -1, selector: { matchLabels: { app: 'a' } }, template: template({ app: 'a' }) }),
      undefined,
      ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'selector changed',
      deployments,
      dep({ selector: { matchLabels: { app: 'b' } }, template: template({ app: 'b' }) }),
      dep({ selector: { matchLabels: { app: 'a' } }, template: template({ app: 'a' }) }),
      [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      ],
    ],
    // IntOrString percentages (apps ValidatePositiveIntOrPercent, IsNotMoreThan100Percent)
    [
      'maxSurge that is no percentage',
      deployments,
      rolling({ maxSurge: 'str', maxUnavailable: '25%' }),
      undefined,
      [`spec.strategy.rollingUpdate.maxSurge: Invalid value: "str": ${PERCENT}`],
    ],
    ['a percentage or an integer', deployments, rolling({ maxSurge: '30%', maxUnavailable: 1 }), undefined, []],
    [
      'a bare number in a string is no percentage',
      deployments,
      rolling({ maxSurge: 1, maxUnavailable: '1' }),
      undefined,
      [`spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "1": ${PERCENT}`],
    ],
    [
      'negative maxUnavailable',
      deployments,
      rolling({ maxSurge: 1, maxUnavailable: -1 }),
      undefined,
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'both zero, an invalid string counting as 0',
      deployments,
      rolling({ maxSurge: 'x', maxUnavailable: '0%' }),
      undefined,
      [
        `spec.strategy.rollingUpdate.maxSurge: Invalid value: "x": ${PERCENT}`,
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0',
      ],
    ],
    [
      'maxUnavailable above 100%',
      deployments,
      rolling({ maxSurge: 1, maxUnavailable: '150%' }),
      undefined,
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%'],
    ],
    ['a PodDisruptionBudget percentage', pdbs, pdb({ minAvailable: '50' }), undefined, [`spec.minAvailable: Invalid value: "50": ${PERCENT}`]],
    [
      'a PodDisruptionBudget above 100%',
      pdbs,
      pdb({ maxUnavailable: '101%' }),
      undefined,
      ['spec.maxUnavailable: Invalid value: "101%": must not be greater than 100%'],
    ],
    [
      'a PodDisruptionBudget eviction policy',
      pdbs,
      pdb({ minAvailable: 1, unhealthyPodEvictionPolicy: 'Never' }),
      undefined,
      ['spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"'],
    ],
  ]
  for (const [name, info, o, old, want] of cases) it(name, () => assert.deepEqual(describeErrors(info, o, old), want))

  it('skips spec rules for subresource writes', () => {
    assert.deepEqual(validateSemantics(pods, pod({ containers: [], nodeName: 'n1' }), pod({ containers: [] }), 'binding'), [])
  })
})
