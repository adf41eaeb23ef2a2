import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'
import type { KObject, StoredObject } from '../../../api/meta.js'
import { RESOURCES, versionsOf } from '../../../api/resources.js'
import type { Strategy } from '../strategy.js'
import { buildStrategies } from './index.js'

const STRATEGIES = buildStrategies()
const s = (key: string): Strategy => STRATEGIES.get(key)!
const stored = (o: Record<string, unknown>): StoredObject =>
  ({ metadata: { name: 'x', namespace: 'ns', uid: 'u', resourceVersion: '1' }, ...o }) as StoredObject
const withDefaults = (key: string, o: Record<string, unknown>): KObject => {
  const copy = structuredClone(o) as KObject
  s(key).defaults!(copy)
  return copy
}
const fields = (key: string, o: Record<string, unknown>, old?: Record<string, unknown>): string[] =>
  (s(key).validate?.(o as KObject, old as KObject | undefined) ?? []).map((e) => `${e.type} ${e.field}`)
const POD = { spec: { containers: [{ name: 'c', image: 'i:1' }] } }
const RS_SPEC = { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: POD.spec } }
const ROLE_RULES = { rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] }
const BINDING = { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'ann' }] }

/** One row: a strategy, what is asked of it, and the answer upstream's strategy gives. */
interface Row {
  key: string
  name: string
  got: () => unknown
  want: unknown
}

const ROWS: Row[] = [
  {
    key: '/Pod',
    name: 'restartPolicy Always, grace 30 s',
    got: () => {
      const spec = withDefaults('/Pod', POD).spec as Record<string, unknown>
      return [spec.restartPolicy, spec.terminationGracePeriodSeconds]
    },
    want: ['Always', 30],
  },
  {
    key: '/Pod',
    name: 'a tagged image is pulled IfNotPresent',
    got: () => (withDefaults('/Pod', POD).spec as { containers: Array<{ imagePullPolicy: string }> }).containers[0]!.imagePullPolicy,
    want: 'IfNotPresent',
  },
  { key: '/Pod', name: 'starts Pending', got: () => s('/Pod').initialStatus!(), want: { phase: 'Pending' } },
  { key: '/Pod', name: 'keeps a generation', got: () => s('/Pod').hasGeneration, want: true },
  {
    key: '/Pod',
    name: 'qosClass from the admitted spec',
    got: () => {
      const o = { ...structuredClone(POD), status: {} } as KObject
      s('/Pod').afterAdmit!(o)
      return o.status
    },
    want: { qosClass: 'BestEffort' },
  },
  {
    key: '/Pod',
    name: 'a status write cannot change qosClass',
    got: () => {
      const n = { ...structuredClone(POD), status: { qosClass: 'Guaranteed' } } as KObject
      s('/Pod').preserve!(n, stored({ status: { qosClass: 'BestEffort' } }))
      return n.status
    },
    want: { qosClass: 'BestEffort' },
  },
  { key: '/Pod', name: 'a pod needs containers', got: () => fields('/Pod', { spec: { containers: [] } }), want: ['FieldValueRequired spec.containers'] },
  {
    key: '/Pod',
    name: 'a scheduled pod is deleted gracefully (30 s)',
    got: () => {
      const c = stored({ spec: { nodeName: 'n1' } })
      const r = s('/Pod').beginDelete!(c, structuredClone(c), {}, new Set())
      return (r as KObject).metadata?.deletionGracePeriodSeconds
    },
    want: 30,
  },
  {
    key: '/Pod',
    name: 'an unscheduled pod goes at once',
    got: () => {
      const c = stored({ spec: {} })
      return s('/Pod').beginDelete!(c, structuredClone(c), {}, new Set())
    },
    want: undefined,
  },
  {
    key: '/Pod',
    name: 'a pod in its grace period is not removed by an update',
    got: () => s('/Pod').deleteOnUpdate!({ metadata: { deletionGracePeriodSeconds: 30 } } as KObject),
    want: false,
  },

  { key: '/Namespace', name: 'names are DNS-1123 labels', got: () => s('/Namespace').nameRule, want: 'dns1123-label' },
  { key: '/Namespace', name: 'spec.finalizers defaults to kubernetes', got: () => withDefaults('/Namespace', {}).spec, want: { finalizers: ['kubernetes'] } },
  { key: '/Namespace', name: 'starts Active', got: () => s('/Namespace').initialStatus!(), want: { phase: 'Active' } },
  {
    key: '/Namespace',
    name: 'a delete marks it Terminating while spec.finalizers remain',
    got: () => {
      const c = stored({ spec: { finalizers: ['kubernetes'] } })
      return (s('/Namespace').beginDelete!(c, structuredClone(c), {}, new Set()) as KObject).status
    },
    want: { phase: 'Terminating' },
  },
  {
    key: '/Namespace',
    name: 'without finalizers it goes at once',
    got: () => {
      const c = stored({ spec: {} })
      return s('/Namespace').beginDelete!(c, structuredClone(c), {}, new Set())
    },
    want: 'now',
  },
  {
    key: '/Namespace',
    name: 'an update keeps it while spec.finalizers remain',
    got: () => s('/Namespace').deleteOnUpdate!({ spec: { finalizers: ['kubernetes'] } } as KObject),
    want: false,
  },

  { key: '/Service', name: 'names are DNS-1035 labels', got: () => s('/Service').nameRule, want: 'dns1035-label' },
  {
    key: '/Service',
    name: 'type ClusterIP, protocol TCP, targetPort = port',
    got: () => withDefaults('/Service', { spec: { ports: [{ port: 80 }] } }).spec,
    want: { type: 'ClusterIP', sessionAffinity: 'None', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] },
  },
  {
    key: '/Service',
    name: 'an unknown type',
    got: () => fields('/Service', { spec: { type: 'Magic', ports: [{ port: 80 }] } }),
    want: ['FieldValueNotSupported spec.type'],
  },
  { key: '/Service', name: 'starts with an empty load balancer', got: () => s('/Service').initialStatus!(), want: { loadBalancer: {} } },

  {
    key: 'apps/Deployment',
    name: 'RollingUpdate 25% / 25%',
    got: () => (withDefaults('apps/Deployment', { spec: {} }).spec as { strategy: unknown }).strategy,
    want: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
  },
  {
    key: 'apps/Deployment',
    name: 'Recreate with a rolling update',
    got: () => fields('apps/Deployment', { spec: { ...RS_SPEC, strategy: { type: 'Recreate', rollingUpdate: {} } } }),
    want: ['FieldValueForbidden spec.strategy.rollingUpdate'],
  },
  {
    key: 'apps/Deployment',
    name: 'the selector is immutable',
    got: () =>
      fields(
        'apps/Deployment',
        { spec: { ...RS_SPEC, selector: { matchLabels: { a: 'c' } }, template: { ...RS_SPEC.template, metadata: { labels: { a: 'c' } } } } },
        { spec: RS_SPEC },
      ),
    want: ['FieldValueInvalid spec.selector'],
  },

  { key: 'apps/ReplicaSet', name: 'starts with replicas 0', got: () => s('apps/ReplicaSet').initialStatus!(), want: { replicas: 0 } },
  {
    key: 'apps/ReplicaSet',
    name: 'an empty selector is invalid for a replicaset',
    got: () => s('apps/ReplicaSet').validate!({ spec: { ...RS_SPEC, selector: {} } } as KObject, undefined).map((e) => e.detail),
    want: ['empty selector is invalid for replicaset'],
  },
  { key: 'apps/ReplicaSet', name: 'a valid one', got: () => fields('apps/ReplicaSet', { spec: RS_SPEC }), want: [] },

  {
    key: '/ReplicationController',
    name: 'selector, labels and replicas default from the template',
    got: () => {
      const o = withDefaults('/ReplicationController', { metadata: {}, spec: { template: RS_SPEC.template } })
      const spec = o.spec as Record<string, unknown>
      return [spec.selector, o.metadata?.labels, spec.replicas]
    },
    want: [{ a: 'b' }, { a: 'b' }, 1],
  },
  {
    key: '/ReplicationController',
    name: 'a selector or labels given are kept',
    got: () => {
      const o = withDefaults('/ReplicationController', {
        metadata: { labels: { x: 'y' } },
        spec: { selector: { a: 'b' }, template: { ...RS_SPEC.template, metadata: { labels: { a: 'b', c: 'd' } } } },
      })
      return [(o.spec as Record<string, unknown>).selector, o.metadata?.labels]
    },
    want: [{ a: 'b' }, { x: 'y' }],
  },
  { key: '/ReplicationController', name: 'starts with replicas 0', got: () => s('/ReplicationController').initialStatus!(), want: { replicas: 0 } },
  {
    key: '/ReplicationController',
    name: 'an empty selector is required (no template labels to default it from)',
    got: () => fields('/ReplicationController', { spec: { replicas: 1, template: { spec: POD.spec } } }),
    want: ['FieldValueRequired spec.selector'],
  },
  {
    key: '/ReplicationController',
    name: 'a selector that does not match the template labels',
    got: () => fields('/ReplicationController', { spec: { replicas: 1, selector: { a: 'c' }, template: RS_SPEC.template } }),
    want: ['FieldValueInvalid spec.template.metadata.labels'],
  },
  {
    key: '/ReplicationController',
    name: 'the selector may change (unlike apps/v1)',
    got: () =>
      fields(
        '/ReplicationController',
        { spec: { replicas: 1, selector: { a: 'c' }, template: { ...RS_SPEC.template, metadata: { labels: { a: 'c' } } } } },
        { spec: { replicas: 1, selector: { a: 'b' }, template: RS_SPEC.template } },
      ),
    want: [],
  },
  {
    key: '/ReplicationController',
    name: 'negative replicas',
    got: () => fields('/ReplicationController', { spec: { replicas: -1, selector: { a: 'b' }, template: RS_SPEC.template } }),
    want: ['FieldValueInvalid spec.replicas'],
  },
  {
    key: 'apps/DaemonSet',
    name: 'RollingUpdate with maxUnavailable 1 and maxSurge 0, history of 10',
    got: () => {
      const spec = withDefaults('apps/DaemonSet', { spec: {} }).spec as Record<string, unknown>
      return [spec.updateStrategy, spec.revisionHistoryLimit]
    },
    want: [{ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, 10],
  },
  {
    key: 'apps/DaemonSet',
    name: 'starts with the four counters upstream never omits',
    got: () => s('apps/DaemonSet').initialStatus!(),
    want: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
  },
  {
    key: 'apps/DaemonSet',
    name: 'restartPolicy must be Always; an unknown update strategy',
    got: () =>
      fields('apps/DaemonSet', {
        spec: { ...RS_SPEC, template: { ...RS_SPEC.template, spec: { ...POD.spec, restartPolicy: 'Never' } }, updateStrategy: { type: 'Recreate' } },
      }),
    want: ['FieldValueNotSupported spec.template.spec.restartPolicy', 'FieldValueNotSupported spec.updateStrategy.type'],
  },
  {
    key: 'apps/DaemonSet',
    name: 'columns of kubectl get daemonsets',
    got: () => s('apps/DaemonSet').printer!.columns.map((c) => c.name),
    want: ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers', 'Images', 'Selector'],
  },
  {
    key: 'apps/DaemonSet',
    name: 'the node selector cell',
    got: () => s('apps/DaemonSet').printer!.cells({ metadata: { name: 'd' }, spec: { template: { spec: { nodeSelector: { disk: 'ssd' } } } }, status: {} })[6],
    want: 'disk=ssd',
  },
  {
    key: 'apps/StatefulSet',
    name: 'OrderedReady, RollingUpdate with partition 0, Retain claims',
    got: () => {
      const spec = withDefaults('apps/StatefulSet', { spec: {} }).spec as Record<string, unknown>
      return [spec.replicas, spec.podManagementPolicy, spec.updateStrategy, spec.persistentVolumeClaimRetentionPolicy]
    },
    want: [1, 'OrderedReady', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, { whenDeleted: 'Retain', whenScaled: 'Retain' }],
  },
  {
    key: 'apps/StatefulSet',
    name: 'an update may change only replicas, template, updateStrategy, ordinals, claim retention and minReadySeconds',
    got: () => [
      fields('apps/StatefulSet', { spec: { ...RS_SPEC, replicas: 3 } }, { spec: RS_SPEC }),
      fields('apps/StatefulSet', { spec: { ...RS_SPEC, serviceName: 'other' } }, { spec: RS_SPEC }),
    ],
    want: [[], ['FieldValueForbidden spec']],
  },
  {
    key: 'apps/StatefulSet',
    name: 'READY is ready/desired',
    got: () =>
      s('apps/StatefulSet')
        .printer!.cells({ metadata: { name: 'db' }, spec: { replicas: 3 }, status: { readyReplicas: 2 } })
        .slice(0, 2),
    want: ['db', '2/3'],
  },
  {
    key: 'apps/ControllerRevision',
    name: 'CONTROLLER is <kind>.<group>/<name>, then REVISION',
    got: () =>
      s('apps/ControllerRevision')
        .printer!.cells({
          metadata: { name: 'agent-abc', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }] },
          revision: 2,
        })
        .slice(0, 3),
    want: ['agent-abc', 'daemonset.apps/agent', 2],
  },
  {
    key: 'apps/ControllerRevision',
    name: 'data is immutable',
    got: () => fields('apps/ControllerRevision', { data: { a: 2 }, revision: 1 }, { data: { a: 1 }, revision: 1 }),
    want: ['FieldValueInvalid data'],
  },

  {
    key: 'autoscaling/HorizontalPodAutoscaler',
    name: 'minReplicas defaults to 1',
    got: () => withDefaults('autoscaling/HorizontalPodAutoscaler', { spec: {} }).spec,
    want: { minReplicas: 1 },
  },
  {
    key: 'autoscaling/HorizontalPodAutoscaler',
    name: "v1's round-trip annotations are not stored (upstream DropRoundTripHorizontalPodAutoscalerAnnotations)",
    got: () =>
      withDefaults('autoscaling/HorizontalPodAutoscaler', {
        metadata: { annotations: { 'autoscaling.alpha.kubernetes.io/conditions': '[]', 'autoscaling.alpha.kubernetes.io/metrics': '[]', team: 'a' } },
        spec: {},
      }).metadata,
    want: { annotations: { team: 'a' } },
  },
  {
    key: 'autoscaling/HorizontalPodAutoscaler',
    name: 'starts with desiredReplicas 0',
    got: () => s('autoscaling/HorizontalPodAutoscaler').initialStatus!(),
    want: { desiredReplicas: 0 },
  },

  {
    key: 'policy/PodDisruptionBudget',
    name: 'minAvailable and maxUnavailable together',
    got: () => fields('policy/PodDisruptionBudget', { spec: { minAvailable: 1, maxUnavailable: 1 } }),
    want: ['FieldValueInvalid spec'],
  },
  {
    key: 'policy/PodDisruptionBudget',
    name: 'over 100%',
    got: () => fields('policy/PodDisruptionBudget', { spec: { minAvailable: '120%' } }),
    want: ['FieldValueInvalid spec.minAvailable'],
  },

  {
    key: 'networking.k8s.io/Ingress',
    name: 'starts with an empty load balancer',
    got: () => s('networking.k8s.io/Ingress').initialStatus!(),
    want: { loadBalancer: {} },
  },
  { key: '/Endpoints', name: 'a PUT may create', got: () => s('/Endpoints').allowCreateOnUpdate, want: true },
  {
    key: '/Endpoints',
    name: 'ip:port cells',
    got: () =>
      s('/Endpoints')
        .printer!.cells({ metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] })
        .slice(0, 2),
    want: ['e', '10.0.0.1:80'],
  },
  { key: '/Event', name: 'a PUT may create', got: () => s('/Event').allowCreateOnUpdate, want: true },
  { key: '/Event', name: 'columns', got: () => s('/Event').printer!.columns.map((c) => c.name), want: ['Last Seen', 'Type', 'Reason', 'Object', 'Message'] },
  { key: 'coordination.k8s.io/Lease', name: 'a PUT may create', got: () => s('coordination.k8s.io/Lease').allowCreateOnUpdate, want: true },
  {
    key: '/Node',
    name: 'a cordoned ready node',
    got: () =>
      s('/Node').printer!.cells({ metadata: { name: 'n' }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }] } })[1],
    want: 'Ready,SchedulingDisabled',
  },
  {
    key: '/LimitRange',
    name: 'the default limit comes from max',
    got: () => withDefaults('/LimitRange', { spec: { limits: [{ type: 'Container', max: { cpu: '1' } }] } }).spec,
    want: { limits: [{ type: 'Container', max: { cpu: '1' }, default: { cpu: '1' }, defaultRequest: { cpu: '1' } }] },
  },

  { key: 'rbac.authorization.k8s.io/Role', name: 'names are path segments', got: () => s('rbac.authorization.k8s.io/Role').nameRule, want: 'path-segment' },
  {
    key: 'rbac.authorization.k8s.io/Role',
    name: 'namespaced rules cannot name URLs',
    got: () => fields('rbac.authorization.k8s.io/Role', { rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] }),
    want: ['FieldValueInvalid rules[0].nonResourceURLs'],
  },
  {
    key: 'rbac.authorization.k8s.io/ClusterRole',
    name: 'cluster rules may name URLs',
    got: () => fields('rbac.authorization.k8s.io/ClusterRole', { rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] }),
    want: [],
  },
  {
    key: 'rbac.authorization.k8s.io/ClusterRole',
    name: 'a rule needs verbs',
    got: () => fields('rbac.authorization.k8s.io/ClusterRole', { rules: [{ ...ROLE_RULES.rules[0], verbs: [] }] }),
    want: ['FieldValueRequired rules[0].verbs'],
  },
  {
    key: 'rbac.authorization.k8s.io/RoleBinding',
    name: 'roleRef cannot change',
    got: () => fields('rbac.authorization.k8s.io/RoleBinding', BINDING, { ...BINDING, roleRef: { ...BINDING.roleRef, name: 'edit' } }),
    want: ['FieldValueInvalid roleRef'],
  },
  {
    key: 'rbac.authorization.k8s.io/ClusterRoleBinding',
    name: 'only ClusterRoles',
    got: () => fields('rbac.authorization.k8s.io/ClusterRoleBinding', { ...BINDING, roleRef: { ...BINDING.roleRef, kind: 'Role' } }),
    want: ['FieldValueNotSupported roleRef.kind'],
  },
  {
    key: 'apiregistration.k8s.io/APIService',
    name: 'a local group',
    got: () =>
      s('apiregistration.k8s.io/APIService')
        .printer!.cells({ metadata: { name: 'v1.' }, spec: {}, status: {} })
        .slice(1, 3),
    want: ['Local', 'Unknown'],
  },
]

describe('strategies: one table, one row set per kind', () => {
  for (const row of ROWS) it(`${row.key}: ${row.name}`, () => assert.deepEqual(row.got(), row.want))

  it('every strategy has rows', () => {
    const tested = new Set(ROWS.map((r) => r.key))
    assert.deepEqual(
      [...STRATEGIES.keys()].filter((k) => !tested.has(k)),
      [],
    )
  })

  it('every version a kind is served in besides its stored one has a conversion, and no other', () => {
    const wrong = RESOURCES.flatMap((r) => {
      const want = versionsOf(r).filter((v) => v !== r.version)
      const got = Object.keys(STRATEGIES.get(`${r.group}/${r.kind}`)?.conversions ?? {})
      return JSON.stringify(want.sort()) === JSON.stringify(got.sort()) ? [] : [`${r.group}/${r.kind}: served ${want.join(',')}, converts ${got.join(',')}`]
    })
    assert.deepEqual(wrong, [])
  })

  it('every strategy is for a served kind', () => {
    const served = new Set(RESOURCES.map((r) => `${r.group}/${r.kind}`))
    assert.deepEqual(
      [...STRATEGIES.keys()].filter((k) => !served.has(k)),
      [],
    )
  })
})

describe('the generic registry knows no kind by name', () => {
  it('no served kind is named in a string outside strategies/', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), '..')
    const kinds = RESOURCES.map((r) => r.kind)
    const found: string[] = []
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      const text = readFileSync(join(dir, f), 'utf8')
      for (const k of kinds) if (new RegExp(`['"\`]${k}['"\`]`).test(text)) found.push(`${f}: ${k}`)
    }
    assert.deepEqual(found, [])
  })
})
