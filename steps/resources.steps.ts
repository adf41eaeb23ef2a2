// Steps about API objects in general: apply, create and delete manifests; read fields of an
// object now, eventually, or consistently; existence. They act through the Kubernetes API only.

import { Given, Then, When, type DataTable } from './define.js'
import { expect } from 'chai'
import type { KubernetesObject } from '@kubernetes/client-node'
import { consistently, eventually } from '../support/eventually.js'
import { apply, create, inNamespace, parseManifests, read, remove, toStatus } from '../support/kube.js'
import type { KindRef } from '../support/kinds.js'
import { expectField } from '../support/paths.js'
import { mapImages } from '../support/images.js'
import type { OckWorld } from '../support/world.js'

async function manifests(world: OckWorld, text: string): Promise<KubernetesObject[]> {
  const s = await world.cluster()
  // the kit's images under the names the cluster pulls them by (cluster target), else as written
  return parseManifests(text).map((o) => mapImages(inNamespace(o, s.namespace), s.images))
}

/** Runs `op` for each object; on rejection records it (try) or throws it with the Status. */
async function each(world: OckWorld, objects: KubernetesObject[], op: (o: KubernetesObject) => Promise<KubernetesObject>, attempt: boolean): Promise<void> {
  const s = await world.cluster()
  const results: KubernetesObject[] = []
  world.lastError = undefined
  world.lastErrorChecked = true
  for (const o of objects) {
    try {
      world.sentAt.set(`${o.kind}/${o.metadata?.name}`, performance.now())
      results.push(await op(o))
      world.answeredAt.set(`${o.kind}/${o.metadata?.name}`, performance.timeOrigin + performance.now())
    } catch (e) {
      const st = toStatus(e)
      if (!attempt) throw new Error(`${o.kind}/${o.metadata?.name ?? ''} was rejected in namespace ${s.namespace}: ${st.code} ${st.reason}: ${st.message}`)
      world.rejected(st)
      world.lastObject = o
      return
    }
  }
  world.lastObject = results.at(-1)
  world.previouslyApplied = world.applied
  world.applied = results
}

Given(['I apply the manifest:', 'عملت apply للـ manifest:'], async function (this: OckWorld, doc: string) {
  const s = await this.cluster()
  this.lastManifests = await manifests(this, doc)
  await each(this, this.lastManifests, (o) => apply(s.kubeconfig, o), false)
})

When(['I try to apply the manifest:', 'حاولت اعمل apply للـ manifest:'], async function (this: OckWorld, doc: string) {
  const s = await this.cluster()
  this.lastManifests = await manifests(this, doc)
  await each(this, this.lastManifests, (o) => apply(s.kubeconfig, o), true)
})

When(['I apply the same manifest again', 'عملت apply لنفس الـ manifest تاني'], async function (this: OckWorld) {
  const s = await this.cluster()
  expect(this.lastManifests, 'no manifest was applied before').to.not.be.empty
  // compare with the objects as they are now (controllers may have written their status since)
  const now: KubernetesObject[] = []
  for (const o of this.lastManifests) {
    const current = await read(s.kubeconfig, { kind: o.kind!, name: o.metadata!.name!, namespace: o.metadata?.namespace }, s.namespace)
    if (current) now.push(current)
  }
  await each(this, this.lastManifests, (o) => apply(s.kubeconfig, o), false)
  this.previouslyApplied = now
})

Given(['I create the manifest:', 'عملت create للـ manifest:'], async function (this: OckWorld, doc: string) {
  const s = await this.cluster()
  this.lastManifests = await manifests(this, doc)
  await each(this, this.lastManifests, (o) => create(s.kubeconfig, o), false)
})

When(['I try to create the manifest:', 'حاولت اعمل create للـ manifest:'], async function (this: OckWorld, doc: string) {
  const s = await this.cluster()
  this.lastManifests = await manifests(this, doc)
  await each(this, this.lastManifests, (o) => create(s.kubeconfig, o), true)
})

When(['I delete the {kind} {string}', 'مسحت الـ {kind} {string}'], async function (this: OckWorld, kind: KindRef, name: string) {
  const s = await this.cluster()
  await remove(s.kubeconfig, { kind: kind.kind, name }, s.namespace)
})

Then(['the objects of the manifest are unchanged', 'الـ objects بتاعة الـ manifest متغيرتش'], function (this: OckWorld) {
  const before = this.previouslyApplied ?? []
  const after = this.applied ?? []
  expect(after.length, 'objects applied the second time').to.equal(before.length)
  after.forEach((o, i) => {
    const b = before[i]!
    const what = `${o.kind}/${o.metadata?.name}`
    expect(o.metadata?.uid, `${what} uid`).to.equal(b.metadata?.uid)
    expect(o.metadata?.resourceVersion, `${what} resourceVersion`).to.equal(b.metadata?.resourceVersion)
    expect(o.metadata?.generation, `${what} generation`).to.equal(b.metadata?.generation)
  })
})

const HOST_FIELDS = ['spec.nodeName', 'spec.nodeSelector', 'spec.hostNetwork', 'spec.hostname', 'spec.affinity.nodeAffinity']

Then(['the manifest names no node or host', 'الـ manifest مفيهوش اسم أي node أو host'], function (this: OckWorld) {
  const found: string[] = []
  const visit = (o: unknown, path: string): void => {
    if (!o || typeof o !== 'object') return
    for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
      const p = path ? `${path}.${k}` : k
      if (HOST_FIELDS.some((f) => p.endsWith(f)) || k === 'hostPort' || k === 'hostPath') found.push(p)
      visit(v, p)
    }
  }
  this.lastManifests.forEach((m, i) => visit(m, `[${i}]`))
  expect(found, 'fields that tie the workload to a node or host').to.deep.equal([])
})

async function readObject(world: OckWorld, kind: KindRef, name: string, namespace?: string): Promise<KubernetesObject | undefined> {
  const s = await world.cluster()
  return read(s.kubeconfig, { kind: kind.kind, name }, namespace ?? s.namespace)
}

function checkTable(obj: KubernetesObject | undefined, what: string, table: DataTable): void {
  expect(obj, `${what} exists`).to.not.equal(undefined)
  for (const [path, value] of table.raw()) expectField(obj, path!, value!)
}

Then(['the {kind} {string} has:', 'الـ {kind} {string} فيه:'], async function (this: OckWorld, kind: KindRef, name: string, table: DataTable) {
  checkTable(await readObject(this, kind, name), `${kind.kind} ${name}`, table)
})

Then(
  ['the {kind} {string} in the namespace {string} has:', 'الـ {kind} {string} اللي في الـ namespace {string} فيه:'],
  async function (this: OckWorld, kind: KindRef, name: string, namespace: string, table: DataTable) {
    checkTable(await readObject(this, kind, name, namespace), `${kind.kind} ${namespace}/${name}`, table)
  },
)

Then(
  ['within {duration} the {kind} {string} has:', 'خلال {duration} الـ {kind} {string} يبقى فيه:'],
  async function (this: OckWorld, ms: number, kind: KindRef, name: string, table: DataTable) {
    await eventually(
      () => readObject(this, kind, name),
      (o) => checkTable(o, `${kind.kind} ${name}`, table),
      ms,
      { describe: `${kind.kind} ${name} to have ${JSON.stringify(table.raw())}` },
    )
  },
)

Then(
  ['for {duration} the {kind} {string} keeps:', 'لمدة {duration} الـ {kind} {string} يفضل فيه:'],
  async function (this: OckWorld, ms: number, kind: KindRef, name: string, table: DataTable) {
    await consistently(
      () => readObject(this, kind, name),
      (o) => checkTable(o, `${kind.kind} ${name}`, table),
      ms,
      { describe: `${kind.kind} ${name} having ${JSON.stringify(table.raw())}` },
    )
  },
)

Then(['the {kind} {string} exists', 'الـ {kind} {string} موجودة'], async function (this: OckWorld, kind: KindRef, name: string) {
  expect(await readObject(this, kind, name), `${kind.kind} ${name}`).to.not.equal(undefined)
})

Then(['the {kind} {string} does not exist', 'الـ {kind} {string} مش موجودة'], async function (this: OckWorld, kind: KindRef, name: string) {
  expect(await readObject(this, kind, name), `${kind.kind} ${name}`).to.equal(undefined)
})

Then(
  ['for {duration} the {kind} {string} does not exist', 'لمدة {duration} الـ {kind} {string} مش موجودة'],
  async function (this: OckWorld, ms: number, kind: KindRef, name: string) {
    await consistently(
      () => readObject(this, kind, name),
      (o) => o === undefined,
      ms,
      { describe: `${kind.kind} ${name} staying absent` },
    )
  },
)

Then(
  ['within {duration} the {kind} {string} no longer exists', 'خلال {duration} الـ {kind} {string} مبقتش موجودة'],
  async function (this: OckWorld, ms: number, kind: KindRef, name: string) {
    await eventually(
      () => readObject(this, kind, name),
      (o) => o === undefined,
      ms,
      { describe: `${kind.kind} ${name} to be gone` },
    )
  },
)

Then(
  [
    'the {kind} {string} was answered with a revision of the whole cluster: an object written after it gets a later resourceVersion',
    'الـ {kind} {string} رجع بـ revision من الـ cluster كله: أي object يتكتب بعده ياخد resourceVersion أكبر',
  ],
  async function (this: OckWorld, kind: KindRef, name: string) {
    const s = await this.cluster()
    const answer = (this.applied ?? []).find((o) => o.kind === kind.kind && o.metadata?.name === name)
    expect(answer, `the API server's answer for ${kind.kind} ${name}`).to.not.equal(undefined)
    const rv = answer!.metadata?.resourceVersion ?? ''
    // opaque to clients, but a store revision on every etcd-backed API server: a decimal count of the store's writes
    expect(rv, `the resourceVersion ${kind.kind} ${name} was answered with`).to.match(/^[1-9][0-9]*$/)
    const stored = await readObject(this, kind, name)
    expect(stored?.metadata?.uid, `${kind.kind} ${name} as the API serves it now: the object the answer named`).to.equal(answer!.metadata?.uid)
    const after = await create(s.kubeconfig, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `written-after-${name}`, namespace: s.namespace } })
    const later = after.metadata?.resourceVersion ?? ''
    expect(later, 'the resourceVersion of a config map written after it').to.match(/^[1-9][0-9]*$/)
    expect(BigInt(later) > BigInt(rv), `a config map written after ${kind.kind} ${name} (resourceVersion ${rv}) got resourceVersion ${later}`).to.equal(true)
    this.log(`${kind.kind} ${name} answered at revision ${rv}; a config map written after it at ${later}`)
  },
)
