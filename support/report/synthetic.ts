// Synthetic API-server traces, shaped exactly like orchestrator/apiserver's (request, phases,
// store sent/ok, response, watch events), for unit tests of the diagram and for previewing the
// drawing (`npx tsx scripts/diagram-preview.ts`). `createObjectFlow()` is the notes' whole
// create-object process: a user creates a Deployment; the controller manager, the scheduler,
// two kubelets and their container runtimes do the rest, with heartbeats and noise around it.

import type { TraceEntry } from '../trace.js'

export interface RequestSpec {
  user: string
  verb: string
  resource?: string
  subresource?: string
  namespace?: string
  name?: string
  /** For non-resource requests: the path. */
  path?: string
  code: number
  /** Phases to record: 'read' = authn + authz; 'write' = the whole pipeline. */
  phases?: 'read' | 'write' | 'denied-authz' | 'denied-authn'
  store?: { op: 'create' | 'update' | 'delete'; revision: number; attrs?: TraceEntry['attrs'] }
  /** Milliseconds the request takes. */
  took?: number
}

export class TraceBuilder {
  readonly entries: TraceEntry[] = []
  private seq = 0
  private n = 0
  now = 0
  constructor(
    private readonly server = 'apiserver-0',
    private readonly start = Date.parse('2026-11-26T10:00:00.000Z'),
  ) {}

  private add(e: Omit<TraceEntry, 'seq' | 'ts' | 't' | 'server'>, dt = 0.2): TraceEntry {
    this.now += dt
    const entry: TraceEntry = {
      seq: ++this.seq,
      ts: new Date(this.start + this.now).toISOString(),
      t: Math.round(this.now * 1000) / 1000,
      server: this.server,
      ...e,
    }
    this.entries.push(entry)
    return entry
  }

  /** Moves the clock forward. */
  wait(ms: number): this {
    this.now += ms
    return this
  }

  request(r: RequestSpec): string {
    const requestId = `req-${++this.n}`
    const resource = r.resource
    const group = resource?.includes('.') ? resource.slice(resource.indexOf('.') + 1) : ''
    const plural = resource?.split('.')[0]
    const path =
      r.path ??
      `/${group ? `apis/${group}/v1` : 'api/v1'}${r.namespace ? `/namespaces/${r.namespace}` : ''}/${plural}${r.name && r.verb !== 'create' ? `/${r.name}` : ''}${r.subresource ? `${r.verb === 'create' ? `/${r.name}` : ''}/${r.subresource}` : ''}`
    const method = { create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE', get: 'GET', list: 'GET', watch: 'GET' }[r.verb] ?? 'GET'
    const step = (r.took ?? 2) / 8
    this.add(
      {
        kind: 'request',
        requestId,
        verb: r.verb,
        resource,
        subresource: r.subresource,
        namespace: r.namespace,
        name: r.verb === 'create' && !r.subresource ? undefined : r.name,
        message: `${method} ${path}`,
        attrs: { userAgent: r.user.startsWith('system:') ? r.user.replace('system:', '') : 'kubectl/v1.34.0' },
      },
      step,
    )
    const phases = r.phases ?? (r.store ? 'write' : 'read')
    if (phases === 'denied-authn') {
      this.add({ kind: 'phase', requestId, phase: 'authentication', outcome: 'denied', message: 'no valid credentials' }, step)
      this.add({ kind: 'response', requestId, user: 'system:anonymous', code: r.code, outcome: 'error', message: 'Unauthorized' }, step)
      return requestId
    }
    this.add({ kind: 'phase', requestId, user: r.user, phase: 'authentication', outcome: 'allowed', attrs: { authenticator: 'x509' } }, step)
    if (phases === 'denied-authz') {
      this.add(
        {
          kind: 'phase',
          requestId,
          user: r.user,
          phase: 'authorization',
          outcome: 'denied',
          message: `forbidden: User "${r.user}" cannot ${r.verb} resource "${plural}"`,
        },
        step,
      )
      this.add({ kind: 'response', requestId, user: r.user, code: 403, outcome: 'error', message: 'forbidden' }, step)
      return requestId
    }
    this.add({ kind: 'phase', requestId, user: r.user, phase: 'authorization', outcome: 'allowed', attrs: { authorizer: 'RBAC' } }, step)
    if (phases === 'write') {
      this.add({ kind: 'phase', requestId, user: r.user, resource, phase: 'mutating-admission', outcome: 'ok' }, step)
      this.add({ kind: 'phase', requestId, user: r.user, resource, phase: 'validation', outcome: r.code === 422 ? 'error' : 'ok' }, step)
      if (r.code !== 422) this.add({ kind: 'phase', requestId, user: r.user, resource, phase: 'validating-admission', outcome: 'ok' }, step)
    }
    if (r.store) {
      const storeResource = r.subresource === 'binding' ? 'pods' : resource
      const key = `/registry/${storeResource?.split('.')[0]}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`
      const common = { requestId, user: r.user, op: r.store.op, key, resource: storeResource, namespace: r.namespace, name: r.name }
      this.add({ kind: 'store', ...common, outcome: 'sent', message: `${r.store.op} sent to the store (memory)` }, step)
      this.add(
        {
          kind: 'store',
          ...common,
          outcome: 'ok',
          revision: r.store.revision,
          message: `store acknowledged ${r.store.op} at revision ${r.store.revision}`,
          attrs: r.store.attrs,
        },
        step,
      )
    }
    this.add({ kind: 'response', requestId, user: r.user, code: r.code, outcome: r.code < 400 ? 'ok' : 'error' }, step)
    return requestId
  }

  watch(watcher: string, event: string, resource: string, namespace: string | undefined, name: string, revision?: number): void {
    this.add({ kind: 'watch', requestId: `watch-${watcher}-${resource}`, user: watcher, event, resource, namespace, name, revision }, 0.1)
  }
}

const ADMIN = 'kubernetes-admin'
const CM = 'system:kube-controller-manager'
const SCHED = 'system:kube-scheduler'

/** The notes' create-object process, end to end, with heartbeats and harness noise around it. */
export function createObjectFlow(namespace = 'ock-abc123'): TraceEntry[] {
  const b = new TraceBuilder()
  let rev = 40
  const heartbeat = (node: string): void => {
    b.request({
      user: `system:node:${node}`,
      verb: 'update',
      resource: 'leases.coordination.k8s.io',
      namespace: 'kube-node-lease',
      name: node,
      code: 200,
      store: { op: 'update', revision: ++rev },
    })
  }
  b.request({ user: ADMIN, verb: 'get', path: '/apis/apps/v1', code: 200 })
  heartbeat('node-1')
  // 1-5: the user's request, checked, stored, confirmed, answered
  b.wait(3)
  b.request({ user: ADMIN, verb: 'create', resource: 'deployments.apps', namespace, name: 'web', code: 201, store: { op: 'create', revision: ++rev }, took: 6 })
  // 6: the controller manager sees it and creates the ReplicaSet, which creates the pods
  b.watch(CM, 'ADDED', 'deployments.apps', namespace, 'web', rev)
  b.wait(4)
  b.request({ user: CM, verb: 'create', resource: 'replicasets.apps', namespace, name: 'web-7d4b9', code: 201, store: { op: 'create', revision: ++rev } })
  b.request({
    user: CM,
    verb: 'create',
    resource: 'events',
    namespace,
    name: 'web.17f1',
    code: 201,
    store: {
      op: 'create',
      revision: ++rev,
      attrs: { reason: 'ScalingReplicaSet', involvedObject: 'Deployment/web', note: 'Scaled up replica set web-7d4b9 from 0 to 2' },
    },
  })
  b.watch(CM, 'ADDED', 'replicasets.apps', namespace, 'web-7d4b9', rev)
  heartbeat('node-2')
  const pods = ['web-7d4b9-x2k4q', 'web-7d4b9-p9m3z']
  for (const p of pods) {
    b.request({ user: CM, verb: 'create', resource: 'pods', namespace, name: p, code: 201, store: { op: 'create', revision: ++rev } })
    b.watch(SCHED, 'ADDED', 'pods', namespace, p, rev)
  }
  b.request({
    user: CM,
    verb: 'update',
    resource: 'deployments.apps',
    subresource: 'status',
    namespace,
    name: 'web',
    code: 200,
    store: { op: 'update', revision: ++rev },
  })
  // 7: the scheduler binds each pod to a node
  pods.forEach((p, i) => {
    b.wait(2)
    b.request({
      user: SCHED,
      verb: 'create',
      resource: 'pods',
      subresource: 'binding',
      namespace,
      name: p,
      code: 201,
      store: { op: 'update', revision: ++rev },
    })
    b.request({
      user: SCHED,
      verb: 'create',
      resource: 'events',
      namespace,
      name: `${p}.17f2`,
      code: 201,
      store: {
        op: 'create',
        revision: ++rev,
        attrs: { reason: 'Scheduled', involvedObject: `Pod/${p}`, note: `Successfully assigned ${namespace}/${p} to node-${i + 1}` },
      },
    })
  })
  heartbeat('node-1')
  // 8: each kubelet sees the pod bound to its node; 9: the runtime creates its containers
  pods.forEach((p, i) => {
    const node = `node-${i + 1}`
    b.watch(`system:node:${node}`, 'ADDED', 'pods', namespace, p, rev)
    b.wait(1)
    for (const [reason, note] of [
      ['Pulled', 'Container image "registry.internal/ock/app:1" already present on machine'],
      ['Created', 'Created container: app'],
      ['Started', 'Started container app'],
    ] as const) {
      b.wait(3)
      b.request({
        user: `system:node:${node}`,
        verb: 'create',
        resource: 'events',
        namespace,
        name: `${p}.${reason}`,
        code: 201,
        store: { op: 'create', revision: ++rev, attrs: { reason, involvedObject: `Pod/${p}`, note } },
      })
    }
    b.request({
      user: `system:node:${node}`,
      verb: 'patch',
      resource: 'pods',
      subresource: 'status',
      namespace,
      name: p,
      code: 200,
      store: { op: 'update', revision: ++rev },
    })
  })
  for (let i = 0; i < 6; i++) {
    b.wait(10)
    heartbeat(`node-${(i % 2) + 1}`)
  }
  // the harness reading the trace, and a component's traffic elsewhere
  b.request({ user: ADMIN, verb: 'get', path: '/debug/trace?since=41&limit=10000', code: 200 })
  b.request({ user: CM, verb: 'list', resource: 'pods', namespace: 'kube-system', code: 200 })
  return b.entries
}
