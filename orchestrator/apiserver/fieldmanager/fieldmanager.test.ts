// Field ownership as upstream's field manager keeps it: updates take the fields they change,
// applies own their configuration, conflicts are refused with upstream's words unless forced,
// same values are shared, what an applier stops applying goes when nobody else owns it.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError, encodeStatus } from '../../api/errors.js'
import type { KObject } from '../../api/meta.js'
import { applyConfiguration, appliedOnCreate, trackUpdate, type ManagedFieldsEntry } from './fieldmanager.js'
import { managerFromUserAgent, requestManager } from './request.js'

const apps = { group: 'apps', version: 'v1', statusOwnedBy: 'status' as const }
const update = (manager: string) => ({ manager, operation: 'Update' as const, force: false })
const applier = (manager: string, force = false) => ({ manager, operation: 'Apply' as const, force })

function deployment(replicas: number, image = 'app:1', extra: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'app', image }] } }, ...extra },
  }
}

function entries(o: KObject): ManagedFieldsEntry[] {
  return (o.metadata?.managedFields ?? []) as ManagedFieldsEntry[]
}

function owners(o: KObject): Record<string, unknown> {
  return Object.fromEntries(entries(o).map((e) => [`${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`, e.fieldsV1]))
}

/** A live object created by `kubectl-create`, applied by `kubectl` and scaled by `kubectl` on /scale. */
function scaledLive(): KObject {
  const created = applied('kubectl', deployment(2))
  const scaled = structuredClone(created) as KObject & { spec: { replicas: number } }
  scaled.spec.replicas = 4
  trackUpdate(update('kubectl'), apps, 'scale', scaled, created)
  return scaled
}

function applied(manager: string, config: KObject): KObject {
  const o = structuredClone(config)
  o.metadata!.managedFields = appliedOnCreate(applier(manager), apps, config) as never
  return o
}

function conflictOf(fn: () => unknown): ApiError {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e))
    return e
  }
  assert.fail('expected a conflict')
}

describe('updates take ownership of what they change', () => {
  it('a create owns every field it set, maps and items with `.`, value structs without', () => {
    const o = deployment(2, 'app:1', { strategy: { rollingUpdate: { maxSurge: 1 } } })
    o.metadata!.labels = { app: 'web' }
    trackUpdate(update('kubectl-create'), apps, '', o, undefined)
    assert.deepEqual(
      entries(o).map((e) => [e.manager, e.operation, e.apiVersion, e.fieldsType, typeof e.time]),
      [['kubectl-create', 'Update', 'apps/v1', 'FieldsV1', 'string']],
    )
    assert.deepEqual(entries(o)[0]!.fieldsV1, {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {} } },
        'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
      },
    })
  })

  it('an update takes a changed field from its owner, who keeps the rest', () => {
    const live = applied('kubectl', deployment(2))
    const next = structuredClone(live) as KObject & { spec: { template: { spec: { containers: Array<{ image: string }> } } } }
    next.spec.template.spec.containers[0]!.image = 'app:2'
    trackUpdate(update('kubectl-set'), apps, '', next, live)
    const o = owners(next)
    assert.deepEqual(o['kubectl-set/Update'], { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { 'f:image': {} } } } } } })
    assert.deepEqual((o['kubectl/Apply'] as Record<string, Record<string, unknown>>)['f:spec']!['f:template'], {
      'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:name': {} } } },
    })
  })

  it('an update that changes nothing leaves managedFields as they were', () => {
    const live = applied('kubectl', deployment(2))
    const next = structuredClone(live)
    trackUpdate(update('other'), apps, '', next, live)
    assert.deepEqual(next.metadata!.managedFields, live.metadata!.managedFields)
  })

  it('status on the main resource is nobody’s; the status subresource owns it', () => {
    const live = applied('kubectl', deployment(2))
    const next = { ...structuredClone(live), status: { replicas: 2 } }
    trackUpdate(update('kube-controller-manager'), apps, '', next, live)
    assert.deepEqual(owners(next)['kube-controller-manager/Update'], undefined)
    trackUpdate(update('kube-controller-manager'), apps, 'status', next, live)
    assert.deepEqual(owners(next)['kube-controller-manager/Update/status'], { 'f:status': { '.': {}, 'f:replicas': {} } })
  })

  it('past 10 update managers, the oldest are merged into "ancient-changes"', () => {
    let live: KObject = deployment(1)
    trackUpdate(update('m0'), apps, '', live, undefined)
    for (let i = 1; i <= 11; i++) {
      const next = structuredClone(live)
      next.metadata!.annotations = { ...next.metadata!.annotations, [`a${i}`]: 'x' }
      for (const e of entries(next)) e.time = `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`
      trackUpdate(update(`m${i}`), apps, '', next, live)
      live = next
    }
    const managers = entries(live).map((e) => e.manager)
    assert.equal(managers.length, 10)
    assert.ok(managers.includes('ancient-changes') && managers.includes('m11') && !managers.includes('m0') && !managers.includes('m1'))
    const ancient = entries(live).find((e) => e.manager === 'ancient-changes')!.fieldsV1 as Record<string, Record<string, Record<string, unknown>>>
    assert.ok(ancient['f:spec'] && ancient['f:metadata']!['f:annotations']!['f:a1'], 'the oldest managers’ fields are kept in the bucket')
  })

  it('an object nobody tracked stays untracked on update; [] resets', () => {
    const live = deployment(2)
    const next = deployment(3)
    trackUpdate(update('x'), apps, '', next, live)
    assert.equal(next.metadata!.managedFields, undefined)
    const tracked = applied('kubectl', deployment(2))
    const reset = structuredClone(tracked)
    reset.metadata!.managedFields = []
    trackUpdate(update('x'), apps, '', reset, tracked)
    assert.equal(reset.metadata!.managedFields, undefined)
  })
})

describe('apply: ownership and conflicts', () => {
  const rows: Array<{ name: string; live: () => KObject; config: KObject; manager?: string; message?: string; causes?: unknown[] }> = [
    {
      name: 'a different value for a field the scale subresource owns',
      live: scaledLive,
      config: deployment(3),
      message: 'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
      causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl" with subresource "scale" using apps/v1', field: '.spec.replicas' }],
    },
    {
      name: 'a field an updater owns, by its update manager',
      live: () => {
        const o = deployment(2)
        trackUpdate(update('kubectl-client-side-apply'), apps, '', o, undefined)
        return o
      },
      config: deployment(5),
      manager: 'kubectl',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    },
    {
      name: 'fields of two managers: plural, by manager, members before children',
      live: () => {
        const o = applied('team-a', deployment(2))
        const next = structuredClone(o) as KObject & { spec: { template: { spec: { containers: Array<{ image: string }> } } } }
        next.spec.template.spec.containers[0]!.image = 'app:2'
        trackUpdate(update('kubectl-set'), apps, '', next, o)
        return next
      },
      config: deployment(7, 'app:3'),
      manager: 'team-b',
      message:
        'Apply failed with 2 conflicts: conflicts with "kubectl-set" using apps/v1:\n' +
        '- .spec.template.spec.containers[name="app"].image\n' +
        'conflicts with "team-a":\n' +
        '- .spec.replicas',
      causes: [
        { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-set" using apps/v1', field: '.spec.template.spec.containers[name="app"].image' },
        { reason: 'FieldManagerConflict', message: 'conflict with "team-a"', field: '.spec.replicas' },
      ],
    },
    { name: 'the same values as another applier: shared, no conflict', live: () => applied('team-a', deployment(2)), config: deployment(2), manager: 'team-b' },
    { name: 'a field nobody owns', live: () => applied('team-a', deployment(2)), config: deployment(2, 'app:1', { paused: true }), manager: 'team-b' },
  ]
  for (const r of rows) {
    it(r.name, () => {
      const live = r.live()
      const run = (): KObject => applyConfiguration(applier(r.manager ?? 'kubectl'), apps, live, r.config)
      if (!r.message) {
        const out = run()
        assert.ok(owners(out)[`${r.manager}/Apply`])
        return
      }
      const e = conflictOf(run)
      assert.equal(e.code, 409)
      assert.equal(e.reason, 'Conflict')
      assert.equal(e.message, r.message)
      if (r.causes) assert.deepEqual(e.details, { causes: r.causes })
    })
  }

  it('the conflict’s Status is upstream’s, byte for byte', () => {
    const e = conflictOf(() => applyConfiguration(applier('kubectl'), apps, scaledLive(), deployment(3)))
    assert.equal(
      encodeStatus(e.toStatus()),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",' +
        '"message":"Apply failed with 1 conflict: conflict with \\"kubectl\\" with subresource \\"scale\\" using apps/v1: .spec.replicas",' +
        '"reason":"Conflict","details":{"causes":[{"reason":"FieldManagerConflict",' +
        '"message":"conflict with \\"kubectl\\" with subresource \\"scale\\" using apps/v1","field":".spec.replicas"}]},"code":409}',
    )
  })

  it('applies to status are their own managers, "with subresource"', () => {
    const live = applied('kubectl', deployment(2))
    const first = applyConfiguration(applier('ctrl-a'), apps, live, { ...deployment(2), spec: undefined, status: { replicas: 1 } }, 'status')
    assert.deepEqual(owners(first)['ctrl-a/Apply/status'], { 'f:status': { 'f:replicas': {} } })
    const e = conflictOf(() => applyConfiguration(applier('ctrl-b'), apps, first, { ...deployment(2), spec: undefined, status: { replicas: 3 } }, 'status'))
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "ctrl-a" with subresource "status": .status.replicas')
  })

  it('force moves the conflicting field to the applier', () => {
    const out = applyConfiguration(applier('kubectl', true), apps, scaledLive(), deployment(3))
    assert.equal((out as { spec: { replicas: number } }).spec.replicas, 3)
    assert.deepEqual(Object.keys(owners(out)), ['kubectl/Apply'])
    assert.deepEqual((owners(out)['kubectl/Apply'] as Record<string, Record<string, unknown>>)['f:spec']!['f:replicas'], {})
  })

  it('shared fields stay with both appliers; a re-apply of the same configuration changes nothing', () => {
    const live = applied('team-a', deployment(2))
    const shared = applyConfiguration(applier('team-b'), apps, live, deployment(2))
    assert.deepEqual(Object.keys(owners(shared)).sort(), ['team-a/Apply', 'team-b/Apply'])
    const again = applyConfiguration(applier('team-b'), apps, shared, deployment(2))
    assert.deepEqual(again.metadata!.managedFields, shared.metadata!.managedFields)
  })

  it('an applier that stops applying a field removes it, unless someone else owns it', () => {
    const live = applied('kubectl', deployment(2, 'app:1', { paused: true, minReadySeconds: 5 }))
    const shared = applyConfiguration(applier('other'), apps, live, { ...deployment(2), spec: { minReadySeconds: 5 } })
    const out = applyConfiguration(applier('kubectl'), apps, shared, deployment(2)) as { spec: Record<string, unknown> }
    assert.equal(out.spec.paused, undefined)
    assert.equal(out.spec.minReadySeconds, 5)
  })

  it('the applied configuration may not carry managedFields', () => {
    const config = deployment(2)
    config.metadata!.managedFields = []
    const e = conflictOf(() => applyConfiguration(applier('kubectl'), apps, deployment(2), config))
    assert.deepEqual([e.code, e.message], [400, 'metadata.managedFields must be nil'])
  })

  it('fields set before the first apply belong to "before-first-apply", which conflicts like any manager', () => {
    const out = applyConfiguration(applier('kubectl'), apps, deployment(2), deployment(2))
    assert.ok(owners(out)['before-first-apply/Update'])
    const e = conflictOf(() => applyConfiguration(applier('kubectl'), apps, deployment(2), deployment(3)))
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas')
  })
})

describe('the request’s manager', () => {
  it('comes from the user agent when the client names none', () => {
    assert.equal(managerFromUserAgent('kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9'), 'kubectl')
    assert.equal(managerFromUserAgent('OpenAPI-Generator/31.0.0/python'), 'OpenAPI-Generator')
    assert.equal(managerFromUserAgent(undefined), '')
    assert.equal(requestManager('update', false, null, undefined, 'kubectl/v1.32.0').manager, 'kubectl')
    assert.equal(requestManager('create', false, 'kubectl-create', undefined, 'kubectl/v1.32.0').manager, 'kubectl-create')
  })

  const refusals: Array<[Parameters<typeof requestManager>, string]> = [
    [['patch', true, null, undefined, 'x'], 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'],
    [['patch', false, 'm', false, 'x'], 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'],
    [['create', false, 'x'.repeat(129), undefined, 'x'], 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes'],
  ]
  for (const [args, message] of refusals) {
    it(message, () => {
      const e = conflictOf(() => requestManager(...args))
      assert.deepEqual([e.code, e.reason, e.message], [422, 'Invalid', message])
    })
  }
})
