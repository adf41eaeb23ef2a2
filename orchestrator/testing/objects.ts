// Builders of API objects for the orchestrator's unit tests: one `pod()` and one `node()` with
// named options instead of a private builder in every test file, so a new field of Pod or
// Node is added in one place and a test states only what it cares about. They play the part
// of upstream's test helpers (k8s.io/kubernetes/pkg/controller/testutil, the st.MakePod()
// wrappers of the scheduler's tests) as plain functions with an options object.
// Simplifies: only the fields the tests set today; objects are what a test hands a function,
// not what the API server would store (no defaults, no validation).

import type { OwnerReference } from '../api/meta.js'
import type { Container, Node, Pod, PodCondition, Taint } from '../api/types.js'

/** A fixed instant for timestamps tests do not care about. */
export const T0 = '2026-01-01T00:00:00Z'

export interface PodOptions {
  /** Default `web`. */
  name?: string
  /** Default `default`. */
  namespace?: string
  /** Default `uid-<name>`. */
  uid?: string
  labels?: Record<string, string>
  /** A controller reference to this owner (`controller: true`). */
  owner?: Pick<OwnerReference, 'apiVersion' | 'kind' | 'name' | 'uid'>
  /** metadata.creationTimestamp. */
  created?: string
  /** true (at T0) or a timestamp: metadata.deletionTimestamp. */
  deleting?: boolean | string
  /** spec.nodeName. */
  node?: string
  restartPolicy?: string
  /** Names (image `img/<name>:1`) or whole containers. Default one container, `app`. */
  containers?: (string | Container)[]
  /** status.phase; default Pending. */
  phase?: string
  /** status.podIP. */
  ip?: string
  /** Adds the Ready condition, True or False. */
  ready?: boolean
  /** Adds containerStatuses (one per container, ready as the pod) with this restartCount. */
  restarts?: number
  /** status.qosClass. */
  qosClass?: string
  /** Conditions before Ready. */
  conditions?: PodCondition[]
}

export function pod(o: PodOptions = {}): Pod {
  const name = o.name ?? 'web'
  const containers = (o.containers ?? ['app']).map((c): Container => (typeof c === 'string' ? { name: c, image: `img/${c}:1` } : c))
  const metadata: NonNullable<Pod['metadata']> = { name, namespace: o.namespace ?? 'default', uid: o.uid ?? `uid-${name}` }
  if (o.labels) metadata.labels = { ...o.labels }
  if (o.owner) metadata.ownerReferences = [{ ...o.owner, controller: true }]
  if (o.created) metadata.creationTimestamp = o.created
  if (o.deleting) metadata.deletionTimestamp = o.deleting === true ? T0 : o.deleting
  const spec: NonNullable<Pod['spec']> = { containers }
  if (o.node) spec.nodeName = o.node
  if (o.restartPolicy) spec.restartPolicy = o.restartPolicy as NonNullable<Pod['spec']>['restartPolicy']
  const status: NonNullable<Pod['status']> = { phase: (o.phase ?? 'Pending') as NonNullable<Pod['status']>['phase'] }
  if (o.ip) status.podIP = o.ip
  if (o.qosClass) status.qosClass = o.qosClass as NonNullable<Pod['status']>['qosClass']
  const conditions = [...(o.conditions ?? [])]
  if (o.ready !== undefined) conditions.push({ type: 'Ready', status: o.ready ? 'True' : 'False' })
  if (conditions.length) status.conditions = conditions
  if (o.restarts !== undefined) {
    status.containerStatuses = containers.map((c) => ({ name: c.name, image: c.image ?? '', imageID: '', ready: Boolean(o.ready), restartCount: o.restarts! }))
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec, status }
}

export interface NodeOptions {
  /** Default `node-1`. */
  name?: string
  labels?: Record<string, string>
  /** Condition type -> status (`{ Ready: 'True' }`). */
  conditions?: Record<string, string>
  taints?: Taint[]
  unschedulable?: boolean
}

export function node(o: NodeOptions = {}): Node {
  const n: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: o.name ?? 'node-1' }, spec: {} }
  if (o.labels) n.metadata!.labels = { ...o.labels }
  if (o.taints) n.spec!.taints = o.taints
  if (o.unschedulable !== undefined) n.spec!.unschedulable = o.unschedulable
  if (o.conditions) n.status = { conditions: Object.entries(o.conditions).map(([type, status]) => ({ type, status })) }
  return n
}
