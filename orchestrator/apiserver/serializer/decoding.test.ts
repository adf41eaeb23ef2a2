import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from '../../api/errors.js'
import { lookupResource } from '../../api/resources.js'
import { MemoryStore } from '../../store/memory.js'
import { Registry } from '../registry/store.js'
import type { RequestContext } from '../registry/strategy.js'
import { buildStrategies } from '../registry/strategies/index.js'
import { Trace } from '../trace.js'

const ctx: RequestContext = { requestId: 'test', user: { name: 'kubernetes-admin', groups: ['system:masters'] } }
const QUANTITY = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
const PERCENT = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"

const container = (extra: object = {}) => ({ name: 'app', image: 'registry.internal/a:1', ...extra })
const pod = (spec: object, metadata: object = { name: 'p' }) => ({ apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [container()], ...spec } })
const deployment = (spec: object) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [container()] } }, ...spec },
})
const POD_PREFIX = 'Pod in version "v1" cannot be handled as a Pod: '
const DEPLOYMENT_PREFIX = 'Deployment in version "v1" cannot be handled as a Deployment: '

/** What creating `body` answers: 'created', or `<code> <reason>: <message>`. */
async function create(resource: [string, string], body: unknown): Promise<string> {
  const registry = new Registry(new MemoryStore(), new Trace('t'), { mutating: [], validating: [] }, { strategies: buildStrategies() })
  const info = lookupResource(...resource)!
  try {
    await registry.create(ctx, info, info.namespaced ? 'default' : '', structuredClone(body))
    return 'created'
  } catch (e) {
    if (!(e instanceof ApiError)) throw e
    return `${e.code} ${e.reason}: ${e.message}`
  }
}

describe('decoding as kube-apiserver decodes (400 BadRequest, the first failure in the document)', () => {
  const PODS: [string, string] = ['', 'pods']
  const DEPLOYMENTS: [string, string] = ['apps', 'deployments']
  const cases: [string, [string, string], unknown, string][] = [
    [
      'an int64 that overflows',
      PODS,
      pod({ terminationGracePeriodSeconds: 1e308 }),
      `400 BadRequest: ${POD_PREFIX}json: cannot unmarshal number 1e+308 into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64`,
    ],
    ['the largest exact int64 a JSON number gives', PODS, pod({ terminationGracePeriodSeconds: 2 ** 53 }), 'created'],
    [
      'an int32 that overflows',
      DEPLOYMENTS,
      deployment({ replicas: 2 ** 31 }),
      `400 BadRequest: ${DEPLOYMENT_PREFIX}json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32`,
    ],
    [
      'a fraction for an integer',
      DEPLOYMENTS,
      deployment({ replicas: 1.5 }),
      `400 BadRequest: ${DEPLOYMENT_PREFIX}json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32`,
    ],
    [
      'a string for an integer',
      DEPLOYMENTS,
      deployment({ replicas: '3' }),
      `400 BadRequest: ${DEPLOYMENT_PREFIX}json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`,
    ],
    [
      'deep in a list: the struct that holds the field, the path without indices',
      PODS,
      pod({ containers: [container({ ports: [{ containerPort: '80' }] })] }),
      `400 BadRequest: ${POD_PREFIX}json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32`,
    ],
    [
      'a map value',
      PODS,
      pod({}, { name: 'p', labels: { a: 1 } }),
      `400 BadRequest: ${POD_PREFIX}json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string`,
    ],
    [
      'a list for a struct',
      DEPLOYMENTS,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: [] },
      `400 BadRequest: ${DEPLOYMENT_PREFIX}json: cannot unmarshal array into Go struct field Deployment.spec of type v1.DeploymentSpec`,
    ],
    [
      'a bool for a string',
      PODS,
      pod({ nodeName: true }),
      `400 BadRequest: ${POD_PREFIX}json: cannot unmarshal bool into Go struct field PodSpec.spec.nodeName of type string`,
    ],
    [
      'an IntOrString that is neither',
      DEPLOYMENTS,
      deployment({ strategy: { rollingUpdate: { maxSurge: 1.5 } } }),
      `400 BadRequest: ${DEPLOYMENT_PREFIX}json: cannot unmarshal number 1.5 into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32`,
    ],
    [
      'a quantity that does not parse',
      PODS,
      pod({ containers: [container({ resources: { limits: { cpu: 'lots' } } })] }),
      `400 BadRequest: ${POD_PREFIX}${QUANTITY}`,
    ],
    ['a quantity as a JSON number', PODS, pod({ containers: [container({ resources: { limits: { cpu: 2 } } })] }), 'created'],
    [
      'the first failure in the document wins',
      PODS,
      pod({ nodeName: 1, priority: 'high' }),
      `400 BadRequest: ${POD_PREFIX}json: cannot unmarshal number into Go struct field PodSpec.spec.nodeName of type string`,
    ],
    [
      'but a failing UnmarshalJSON stops the decoder, even after a type error',
      PODS,
      pod({ nodeName: 1, containers: [container({ resources: { requests: { memory: 'x' } } })] }),
      `400 BadRequest: ${POD_PREFIX}${QUANTITY}`,
    ],
    ['null leaves a field unset, as Go does', PODS, pod({ nodeName: null }, { name: 'p', labels: null }), 'created'],
    [
      'a null element is the zero value, which validation then judges',
      PODS,
      pod({ containers: [null] }),
      '422 Invalid: Pod "p" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]',
    ],
    [
      'a kind that is not a string',
      PODS,
      { ...pod({}), kind: 7 },
      '400 BadRequest: the object provided is unrecognized (must be of type Pod): couldn\'t get version/kind; json parse error: json: cannot unmarshal number into Go struct field .kind of type string ({"apiVersion":"v1","kind":7,"m ...)',
    ],
    ['no kind: the URL says it (the decoder defaults it)', PODS, { apiVersion: 'v1', metadata: { name: 'p' }, spec: { containers: [container()] } }, 'created'],
  ]
  for (const [name, resource, body, want] of cases) it(name, async () => assert.equal(await create(resource, body), want))
})

describe('object meta and percentages (422 Invalid, upstream messages)', () => {
  const SUBDOMAIN =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
  const cases: [string, [string, string], unknown, string][] = [
    [
      'an invalid generateName next to a valid name',
      ['', 'pods'],
      pod({}, { name: 'p', generateName: 'Web_' }),
      `422 Invalid: Pod "p" is invalid: metadata.generateName: Invalid value: "Web_": ${SUBDOMAIN}`,
    ],
    ['a generateName may end with a dash', ['', 'pods'], pod({}, { generateName: 'web-' }), 'created'],
    [
      'a long generateName is cut to 58 characters before the suffix',
      ['', 'configmaps'],
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: `${'a'.repeat(70)}-` } },
      'created',
    ],
    [
      'a Service name is a DNS-1035 label',
      ['', 'services'],
      { apiVersion: 'v1', kind: 'Service', metadata: { name: '1web' }, spec: { ports: [{ port: 80 }] } },
      "422 Invalid: Service \"1web\" is invalid: metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ],
    [
      'maxSurge that is no percentage',
      ['apps', 'deployments'],
      deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'str' } } }),
      `422 Invalid: Deployment.apps "d" is invalid: spec.strategy.rollingUpdate.maxSurge: Invalid value: "str": ${PERCENT}`,
    ],
  ]
  for (const [name, resource, body, want] of cases) it(name, async () => assert.equal(await create(resource, body), want))
})
