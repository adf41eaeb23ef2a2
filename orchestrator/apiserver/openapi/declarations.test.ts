import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { definitionName, validatorFormats } from './declarations.js'

describe('definition names', () => {
  const cases: [string, string | undefined][] = [
    ['IoK8sApiCoreV1PodSpec', 'io.k8s.api.core.v1.PodSpec'],
    ['IoK8sApiAppsV1Deployment', 'io.k8s.api.apps.v1.Deployment'],
    ['IoK8sApiAutoscalingV2beta2MetricSpec', 'io.k8s.api.autoscaling.v2beta2.MetricSpec'],
    ['IoK8sApiRbacV1ClusterRole', 'io.k8s.api.rbac.v1.ClusterRole'],
    ['IoK8sApimachineryPkgApisMetaV1ObjectMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'],
    ['IoK8sApimachineryPkgUtilIntstrIntOrString', 'io.k8s.apimachinery.pkg.util.intstr.IntOrString'],
    ['IoK8sApimachineryPkgApiResourceQuantity', 'io.k8s.apimachinery.pkg.api.resource.Quantity'],
    ['IoK8sKubeAggregatorPkgApisApiregistrationV1APIService', 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService'],
    ['IoK8sApiextensionsApiserverPkgApisApiextensionsV1JSONSchemaProps', 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps'],
    ['SomethingElse', undefined],
  ]
  for (const [pascal, name] of cases) it(`${pascal} is ${name}`, () => assert.equal(definitionName(pascal), name))
})

describe('formats from a compiled validator', () => {
  // the shape of ajv's standalone code in kubernetes-models/_schemas (ContainerPort, trimmed)
  const js =
    'import{formats}from"@kubernetes-models/validate";export const validate=validate1;let formats0=formats.int32;let formats1=formats["date-time"];' +
    'function validate2(data){if(!("number"==typeof data)){let e={params:{type:"integer"}}}if(!formats0.validate(data)){}}' +
    'function validate0(data){if("string"!=typeof data){let e={params:{type:"string"}}}}' +
    'function validate3(data){if(!formats1.validate(data)){}}' +
    'function validate4(data){for(let k in data)validate3(data[k],{})}' +
    'function validate1(data){void 0!==data.containerPort&&(validate2(data.containerPort,{instancePath:instancePath+"/containerPort"}));' +
    'void 0!==data.name&&(validate0(data.name,{}));void 0!==data["x-odd"]&&(validate4(data["x-odd"],{}))}'
  const cases: [string, { integer: boolean; format?: string }][] = [
    ['containerPort', { integer: true, format: 'int32' }],
    ['name', { integer: false }],
    ['x-odd', { integer: false, format: 'date-time' }],
  ]
  const formats = validatorFormats(js)
  for (const [field, want] of cases) it(`${field}: ${JSON.stringify(want)}`, () => assert.deepEqual(formats.get(field), want))
})
