// Request bodies in Kubernetes' protobuf encoding (application/vnd.kubernetes.protobuf), which
// Go clients - kubectl's typed `create` commands among them - send for built-in kinds. A body
// is the magic "k8s\0" followed by a runtime.Unknown (typeMeta, raw object, encoding), and the
// raw object is the kind's protobuf message; it is decoded here into the JSON the rest of the
// API server speaks. The field numbers are those of the upstream generated.proto files (the
// wire format); Go marshals every non-pointer field, so most fields arrive even when empty.
// Simplifies: decoding only (answers are JSON, which every client accepts), and only the
// messages below: a field not described here is ignored when it is empty and refused with a
// 415 that says what to send instead when it carries a value, so nothing is silently dropped.
// Over 400 lines: the message table (field numbers from upstream's generated.proto) reads best
// whole, beside the few lines of wire decoding it drives.

import { ApiError } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf'
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00])

type Scalar = 'string' | 'int' | 'bool' | 'bytes'
type Special = 'time' | 'quantity' | 'intstr' | 'ignore'

/** How one field is read: a scalar, a message (by name), a map, or a special type. */
interface Field {
  name: string
  type: Scalar | Special | { message: string } | { map: Scalar | 'quantity' }
  repeated?: boolean
  /** A Go pointer field: its zero value is meaningful (replicas: 0) and is kept. */
  keepZero?: boolean
}

type Schema = Record<number, Field>

const s = (name: string, extra: Partial<Field> = {}): Field => ({ name, type: 'string', ...extra })
const i = (name: string, extra: Partial<Field> = {}): Field => ({ name, type: 'int', ...extra })
const b = (name: string, extra: Partial<Field> = {}): Field => ({ name, type: 'bool', ...extra })
const m = (name: string, message: string, extra: Partial<Field> = {}): Field => ({ name, type: { message }, ...extra })
const map = (name: string, of: Scalar | 'quantity' = 'string'): Field => ({ name, type: { map: of } })
const ignore = (name: string): Field => ({ name, type: 'ignore' })

const MESSAGES: Record<string, Schema> = {
  // k8s.io/apimachinery/pkg/runtime
  Unknown: { 1: m('typeMeta', 'TypeMeta'), 2: { name: 'raw', type: 'bytes' }, 3: s('contentEncoding'), 4: s('contentType') },
  TypeMeta: { 1: s('apiVersion'), 2: s('kind') },
  // k8s.io/apimachinery/pkg/apis/meta/v1
  ObjectMeta: {
    1: s('name'),
    2: s('generateName'),
    3: s('namespace'),
    4: s('selfLink'),
    5: s('uid'),
    6: s('resourceVersion'),
    7: i('generation'),
    8: { name: 'creationTimestamp', type: 'time' },
    9: { name: 'deletionTimestamp', type: 'time' },
    10: i('deletionGracePeriodSeconds', { keepZero: true }),
    11: map('labels'),
    12: map('annotations'),
    13: m('ownerReferences', 'OwnerReference', { repeated: true }),
    14: s('finalizers', { repeated: true }),
    17: ignore('managedFields'),
  },
  OwnerReference: {
    1: s('kind'),
    3: s('name'),
    4: s('uid'),
    5: s('apiVersion'),
    6: b('controller', { keepZero: true }),
    7: b('blockOwnerDeletion', { keepZero: true }),
  },
  LabelSelector: { 1: map('matchLabels'), 2: m('matchExpressions', 'LabelSelectorRequirement', { repeated: true }) },
  LabelSelectorRequirement: { 1: s('key'), 2: s('operator'), 3: s('values', { repeated: true }) },
  // k8s.io/api/apps/v1
  Deployment: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'DeploymentSpec'), 3: ignore('status') },
  DeploymentSpec: {
    1: i('replicas', { keepZero: true }),
    2: m('selector', 'LabelSelector'),
    3: m('template', 'PodTemplateSpec'),
    4: m('strategy', 'DeploymentStrategy'),
    5: i('minReadySeconds'),
    6: i('revisionHistoryLimit', { keepZero: true }),
    7: b('paused'),
    9: i('progressDeadlineSeconds', { keepZero: true }),
  },
  DeploymentStrategy: { 1: s('type'), 2: m('rollingUpdate', 'RollingUpdateDeployment') },
  RollingUpdateDeployment: { 1: { name: 'maxUnavailable', type: 'intstr' }, 2: { name: 'maxSurge', type: 'intstr' } },
  // k8s.io/api/batch/v1 (kubectl create job, create cronjob, create job --from=cronjob/...)
  Job: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'JobSpec'), 3: ignore('status') },
  JobSpec: {
    1: i('parallelism', { keepZero: true }),
    2: i('completions', { keepZero: true }),
    3: i('activeDeadlineSeconds', { keepZero: true }),
    4: m('selector', 'LabelSelector'),
    5: b('manualSelector', { keepZero: true }),
    6: m('template', 'PodTemplateSpec'),
    7: i('backoffLimit', { keepZero: true }),
    8: i('ttlSecondsAfterFinished', { keepZero: true }),
    9: s('completionMode'),
    10: b('suspend', { keepZero: true }),
    12: i('backoffLimitPerIndex', { keepZero: true }),
    13: i('maxFailedIndexes', { keepZero: true }),
    14: s('podReplacementPolicy'),
    15: s('managedBy'),
  },
  CronJob: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'CronJobSpec'), 3: ignore('status') },
  CronJobSpec: {
    1: s('schedule'),
    2: i('startingDeadlineSeconds', { keepZero: true }),
    3: s('concurrencyPolicy'),
    4: b('suspend', { keepZero: true }),
    5: m('jobTemplate', 'JobTemplateSpec'),
    6: i('successfulJobsHistoryLimit', { keepZero: true }),
    7: i('failedJobsHistoryLimit', { keepZero: true }),
    8: s('timeZone'),
  },
  JobTemplateSpec: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'JobSpec') },
  // k8s.io/api/core/v1
  Pod: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'PodSpec'), 3: ignore('status') },
  PodTemplateSpec: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'PodSpec') },
  PodSpec: {
    2: m('containers', 'Container', { repeated: true }),
    3: s('restartPolicy'),
    4: i('terminationGracePeriodSeconds', { keepZero: true }),
    5: i('activeDeadlineSeconds', { keepZero: true }),
    6: s('dnsPolicy'),
    7: map('nodeSelector'),
    8: s('serviceAccountName'),
    9: s('serviceAccount'),
    10: s('nodeName'),
    11: b('hostNetwork'),
    12: b('hostPID'),
    13: b('hostIPC'),
    // the empty context a defaulted template carries (kubectl create job --from=cronjob/...); a set field is refused
    14: m('securityContext', 'PodSecurityContext'),
    15: m('imagePullSecrets', 'LocalObjectReference', { repeated: true }),
    16: s('hostname'),
    17: s('subdomain'),
    19: s('schedulerName'),
    20: m('initContainers', 'Container', { repeated: true }),
    21: b('automountServiceAccountToken', { keepZero: true }),
    22: m('tolerations', 'Toleration', { repeated: true }),
    24: s('priorityClassName'),
    25: i('priority', { keepZero: true }),
    30: b('enableServiceLinks', { keepZero: true }),
  },
  LocalObjectReference: { 1: s('name') },
  PodSecurityContext: {},
  Toleration: { 1: s('key'), 2: s('operator'), 3: s('value'), 4: s('effect'), 5: i('tolerationSeconds', { keepZero: true }) },
  Container: {
    1: s('name'),
    2: s('image'),
    3: s('command', { repeated: true }),
    4: s('args', { repeated: true }),
    5: s('workingDir'),
    6: m('ports', 'ContainerPort', { repeated: true }),
    7: m('env', 'EnvVar', { repeated: true }),
    8: m('resources', 'ResourceRequirements'),
    13: s('terminationMessagePath'),
    14: s('imagePullPolicy'),
    16: b('stdin'),
    17: b('stdinOnce'),
    18: b('tty'),
    20: s('terminationMessagePolicy'),
  },
  ContainerPort: { 1: s('name'), 2: i('hostPort'), 3: i('containerPort'), 4: s('protocol'), 5: s('hostIP') },
  EnvVar: { 1: s('name'), 2: s('value') },
  ResourceRequirements: { 1: map('limits', 'quantity'), 2: map('requests', 'quantity') },
  Namespace: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'NamespaceSpec'), 3: ignore('status') },
  NamespaceSpec: { 1: s('finalizers', { repeated: true }) },
  ConfigMap: { 1: m('metadata', 'ObjectMeta'), 2: map('data'), 3: map('binaryData', 'bytes'), 4: b('immutable', { keepZero: true }) },
  Secret: { 1: m('metadata', 'ObjectMeta'), 2: map('data', 'bytes'), 3: s('type'), 4: map('stringData'), 5: b('immutable', { keepZero: true }) },
  ServiceAccount: {
    1: m('metadata', 'ObjectMeta'),
    3: m('imagePullSecrets', 'LocalObjectReference', { repeated: true }),
    4: b('automountServiceAccountToken', { keepZero: true }),
  },
  Service: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'ServiceSpec'), 3: ignore('status') },
  ServiceSpec: {
    1: m('ports', 'ServicePort', { repeated: true }),
    2: map('selector'),
    3: s('clusterIP'),
    4: s('type'),
    5: s('externalIPs', { repeated: true }),
    7: s('sessionAffinity'),
    8: s('loadBalancerIP'),
    10: s('externalName'),
    11: s('externalTrafficPolicy'),
    12: i('healthCheckNodePort'),
    13: b('publishNotReadyAddresses'),
    18: s('clusterIPs', { repeated: true }),
    19: s('ipFamilies', { repeated: true }),
    17: s('ipFamilyPolicy'),
  },
  ServicePort: { 1: s('name'), 2: s('protocol'), 3: i('port'), 4: { name: 'targetPort', type: 'intstr' }, 5: i('nodePort'), 6: s('appProtocol') },
  // k8s.io/api/rbac/v1 (kubectl create role / clusterrole / rolebinding / clusterrolebinding)
  Role: { 1: m('metadata', 'ObjectMeta'), 2: m('rules', 'PolicyRule', { repeated: true }) },
  ClusterRole: { 1: m('metadata', 'ObjectMeta'), 2: m('rules', 'PolicyRule', { repeated: true }), 3: m('aggregationRule', 'AggregationRule') },
  AggregationRule: { 1: m('clusterRoleSelectors', 'LabelSelector', { repeated: true }) },
  PolicyRule: {
    1: s('verbs', { repeated: true }),
    2: s('apiGroups', { repeated: true }),
    3: s('resources', { repeated: true }),
    4: s('resourceNames', { repeated: true }),
    5: s('nonResourceURLs', { repeated: true }),
  },
  RoleBinding: { 1: m('metadata', 'ObjectMeta'), 2: m('subjects', 'Subject', { repeated: true }), 3: m('roleRef', 'RoleRef') },
  ClusterRoleBinding: { 1: m('metadata', 'ObjectMeta'), 2: m('subjects', 'Subject', { repeated: true }), 3: m('roleRef', 'RoleRef') },
  Subject: { 1: s('kind'), 2: s('apiGroup'), 3: s('name'), 4: s('namespace') },
  RoleRef: { 1: s('apiGroup'), 2: s('kind'), 3: s('name') },
  // k8s.io/api/policy/v1 (kubectl drain's evictions, kubectl create poddisruptionbudget)
  Eviction: { 1: m('metadata', 'ObjectMeta'), 2: m('deleteOptions', 'DeleteOptions') },
  DeleteOptions: {
    1: i('gracePeriodSeconds', { keepZero: true }),
    2: m('preconditions', 'Preconditions'),
    3: b('orphanDependents', { keepZero: true }),
    4: s('propagationPolicy'),
    5: s('dryRun', { repeated: true }),
    6: b('ignoreStoreReadErrorWithClusterBreakingPotential', { keepZero: true }),
  },
  Preconditions: { 1: s('uid'), 2: s('resourceVersion') },
  PodDisruptionBudget: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'PodDisruptionBudgetSpec'), 3: ignore('status') },
  PodDisruptionBudgetSpec: {
    1: { name: 'minAvailable', type: 'intstr', keepZero: true },
    2: m('selector', 'LabelSelector'),
    3: { name: 'maxUnavailable', type: 'intstr', keepZero: true },
    4: s('unhealthyPodEvictionPolicy'),
  },
  // k8s.io/api/autoscaling/v1 (kubectl autoscale)
  HorizontalPodAutoscaler: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'HorizontalPodAutoscalerSpec'), 3: ignore('status') },
  HorizontalPodAutoscalerSpec: {
    1: m('scaleTargetRef', 'CrossVersionObjectReference'),
    2: i('minReplicas', { keepZero: true }),
    3: i('maxReplicas', { keepZero: true }),
    4: i('targetCPUUtilizationPercentage', { keepZero: true }),
  },
  CrossVersionObjectReference: { 1: s('kind'), 2: s('name'), 3: s('apiVersion') },
  // k8s.io/api/authentication/v1 (kubectl create token)
  TokenRequest: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'TokenRequestSpec'), 3: ignore('status') },
  TokenRequestSpec: { 1: s('audiences', { repeated: true }), 3: m('boundObjectRef', 'BoundObjectReference'), 4: i('expirationSeconds', { keepZero: true }) },
  BoundObjectReference: { 1: s('kind'), 2: s('apiVersion'), 3: s('name'), 4: s('uid') },
  SelfSubjectReview: { 1: m('metadata', 'ObjectMeta'), 2: ignore('status') },
  // k8s.io/api/authorization/v1 (kubectl auth can-i)
  SelfSubjectAccessReview: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'SelfSubjectAccessReviewSpec'), 3: ignore('status') },
  SelfSubjectAccessReviewSpec: { 1: m('resourceAttributes', 'ResourceAttributes'), 2: m('nonResourceAttributes', 'NonResourceAttributes') },
  ResourceAttributes: {
    1: s('namespace'),
    2: s('verb'),
    3: s('group'),
    4: s('version'),
    5: s('resource'),
    6: s('subresource'),
    7: s('name'),
    8: ignore('fieldSelector'),
    9: ignore('labelSelector'),
  },
  NonResourceAttributes: { 1: s('path'), 2: s('verb') },
  // kubectl auth can-i --list
  SelfSubjectRulesReview: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'SelfSubjectRulesReviewSpec'), 3: ignore('status') },
  SelfSubjectRulesReviewSpec: { 1: s('namespace') },
}

/** Top-level message per apiVersion/kind. */
const KINDS: Record<string, string> = {
  'apps/v1/Deployment': 'Deployment',
  'v1/Pod': 'Pod',
  'v1/Namespace': 'Namespace',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/ServiceAccount': 'ServiceAccount',
  'v1/Service': 'Service',
  'rbac.authorization.k8s.io/v1/Role': 'Role',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'ClusterRoleBinding',
  'authentication.k8s.io/v1/TokenRequest': 'TokenRequest',
  'authentication.k8s.io/v1/SelfSubjectReview': 'SelfSubjectReview',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'SelfSubjectRulesReview',
  'policy/v1/Eviction': 'Eviction',
  'policy/v1beta1/Eviction': 'Eviction',
  'policy/v1/PodDisruptionBudget': 'PodDisruptionBudget',
  'autoscaling/v1/HorizontalPodAutoscaler': 'HorizontalPodAutoscaler',
  'batch/v1/Job': 'Job',
  'batch/v1/CronJob': 'CronJob',
}

// ---------------------------------------------------------------------------------------------
// the wire format

interface WireField {
  no: number
  wire: number
  /** varint value (as bigint, exact for int64) */
  varint?: bigint
  bytes?: Buffer
}

class Reader {
  constructor(
    private readonly buf: Buffer,
    private pos = 0,
    private readonly end = buf.length,
  ) {}

  done(): boolean {
    return this.pos >= this.end
  }

  varint(): bigint {
    let result = 0n
    let shift = 0n
    for (;;) {
      if (this.pos >= this.end) throw bad('a varint runs past the end of the message')
      const byte = this.buf[this.pos++]!
      result |= BigInt(byte & 0x7f) << shift
      if (!(byte & 0x80)) return result
      shift += 7n
      if (shift > 70n) throw bad('a varint is longer than 10 bytes')
    }
  }

  field(): WireField {
    const key = Number(this.varint())
    const no = key >>> 3
    const wire = key & 7
    switch (wire) {
      case 0:
        return { no, wire, varint: this.varint() }
      case 1:
        return { no, wire, bytes: this.take(8) }
      case 2:
        return { no, wire, bytes: this.take(Number(this.varint())) }
      case 5:
        return { no, wire, bytes: this.take(4) }
      default:
        throw bad(`wire type ${wire} (field ${no}) is not supported`)
    }
  }

  private take(n: number): Buffer {
    if (n < 0 || this.pos + n > this.end) throw bad('a field runs past the end of the message')
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }
}

function bad(why: string): ApiError {
  return new ApiError(400, 'BadRequest', `the protobuf body could not be decoded: ${why}`)
}

function unsupported(message: string, no: number): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `protobuf field ${no} of ${message} is not understood by this API server; send the object as JSON instead (for example: kubectl create ... --dry-run=client -o json | kubectl create -f -)`,
  )
}

function toInt(v: bigint | undefined): number {
  if (v === undefined) return 0
  // int32/int64 are two's complement varints: a negative value arrives as a huge unsigned one
  const signed = BigInt.asIntN(64, v)
  return Number(signed)
}

/** True when a field carries nothing (an empty string/bytes/message, a zero or false). */
function isEmpty(f: WireField): boolean {
  return f.varint !== undefined ? f.varint === 0n : (f.bytes?.length ?? 0) === 0
}

function decodeScalar(type: Scalar, f: WireField): unknown {
  switch (type) {
    case 'string':
      return (f.bytes ?? Buffer.alloc(0)).toString('utf8')
    case 'bytes':
      return (f.bytes ?? Buffer.alloc(0)).toString('base64')
    case 'int':
      return toInt(f.varint)
    case 'bool':
      return f.varint !== undefined && f.varint !== 0n
  }
}

function decodeSpecial(type: Special, f: WireField): unknown {
  const r = new Reader(f.bytes ?? Buffer.alloc(0))
  switch (type) {
    case 'time': {
      let seconds = 0
      let nanos = 0
      while (!r.done()) {
        const x = r.field()
        if (x.no === 1) seconds = toInt(x.varint)
        if (x.no === 2) nanos = toInt(x.varint)
      }
      if (seconds === 0 && nanos === 0) return undefined
      return new Date(seconds * 1000 + Math.floor(nanos / 1e6)).toISOString().replace(/\.\d{3}Z$/, 'Z')
    }
    case 'quantity': {
      while (!r.done()) {
        const x = r.field()
        if (x.no === 1) return (x.bytes ?? Buffer.alloc(0)).toString('utf8')
      }
      return '0'
    }
    case 'intstr': {
      let kind = 0
      let intVal = 0
      let strVal = ''
      while (!r.done()) {
        const x = r.field()
        if (x.no === 1) kind = toInt(x.varint)
        if (x.no === 2) intVal = toInt(x.varint)
        if (x.no === 3) strVal = (x.bytes ?? Buffer.alloc(0)).toString('utf8')
      }
      return kind === 1 ? strVal : intVal
    }
    case 'ignore':
      return undefined
  }
}

function decodeMapEntry(of: Scalar | 'quantity', f: WireField): [string, unknown] {
  const r = new Reader(f.bytes ?? Buffer.alloc(0))
  let key = ''
  let value: unknown =
    of === 'quantity' ? '0' : decodeScalar(of, { no: 2, wire: 2, bytes: Buffer.alloc(0), varint: of === 'int' || of === 'bool' ? 0n : undefined })
  while (!r.done()) {
    const x = r.field()
    if (x.no === 1) key = (x.bytes ?? Buffer.alloc(0)).toString('utf8')
    if (x.no === 2) value = of === 'quantity' ? decodeSpecial('quantity', x) : decodeScalar(of, x)
  }
  return [key, value]
}

/** Decodes one message into JSON, following its schema. */
export function decodeMessage(name: string, body: Buffer): Record<string, unknown> {
  const schema = MESSAGES[name]
  if (!schema) throw new Error(`no protobuf schema for ${name}`)
  const out: Record<string, unknown> = {}
  const r = new Reader(body)
  while (!r.done()) {
    const f = r.field()
    const field = schema[f.no]
    if (!field) {
      if (isEmpty(f)) continue // Go writes every non-pointer field, empty or not
      throw unsupported(name, f.no)
    }
    const t = field.type
    let value: unknown
    if (typeof t === 'object' && 'message' in t) value = decodeMessage(t.message, f.bytes ?? Buffer.alloc(0))
    else if (typeof t === 'object' && 'map' in t) {
      const [k, v] = decodeMapEntry(t.map, f)
      const obj = (out[field.name] ??= {}) as Record<string, unknown>
      obj[k] = v
      continue
    } else if (t === 'time' || t === 'quantity' || t === 'intstr' || t === 'ignore') value = decodeSpecial(t, f)
    else value = decodeScalar(t, f)
    if (value === undefined) continue
    if (field.repeated) {
      ;((out[field.name] ??= []) as unknown[]).push(value)
      continue
    }
    // empty scalars of non-pointer fields are Go's zero values: JSON leaves them out (omitempty)
    if (!field.keepZero && (value === '' || value === 0 || value === false)) continue
    out[field.name] = value
  }
  return out
}

/** Decodes a whole request body (magic + runtime.Unknown) into the object it carries. */
export function decodeProtobufObject(body: Buffer): KObject {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) throw bad('the body does not start with the k8s protobuf magic number')
  const unknown = decodeMessage('Unknown', body.subarray(MAGIC.length))
  const tm = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string }
  if (unknown.contentEncoding) throw bad(`content encoding ${String(unknown.contentEncoding)} is not supported`)
  const message = KINDS[`${tm.apiVersion}/${tm.kind}`]
  if (!message) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `this API server decodes protobuf only for ${Object.keys(KINDS).join(', ')}; send ${tm.apiVersion ?? ''}/${tm.kind ?? ''} as JSON instead`,
    )
  }
  const raw = Buffer.from((unknown.raw as string | undefined) ?? '', 'base64')
  return { apiVersion: tm.apiVersion, kind: tm.kind, ...decodeMessage(message, raw) }
}
