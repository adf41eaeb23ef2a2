// Steps about who acts and what they may do: users and service accounts other than the admin,
// the RBAC Roles and RoleBindings (ClusterRoles and ClusterRoleBindings for cluster-scoped
// kinds) that grant them verbs on resources, and requests and kubectl
// commands made as them. Identities are made through support/identities.ts (client
// certificates, impersonation or TokenRequest tokens, depending on the target).

import { Given, When } from './define.js'
import type { KubernetesObject } from '@kubernetes/client-node'
import { actorFor, ensureServiceAccount, objectPath, parseIdentity, requestAs, usernameOf, type Actor, type Identity } from '../support/identities.js'
import { expandNamespace } from '../support/expand.js'
import { collectionPath, kindRef, type KindRef } from '../support/kinds.js'
import { apply, inNamespace, parseManifests, remove } from '../support/kube.js'
import { mapImages } from '../support/images.js'
import { kubectl } from '../support/kubectl.js'
import type { OckWorld } from '../support/world.js'

const groupsOf = new WeakMap<OckWorld, Map<string, string[]>>()
const actors = new WeakMap<OckWorld, Map<string, Actor>>()

async function identity(world: OckWorld, text: string): Promise<Identity> {
  const s = await world.cluster()
  return parseIdentity(text, s.namespace)
}

async function actor(world: OckWorld, text: string): Promise<Actor> {
  const s = await world.cluster()
  const id = await identity(world, text)
  const key = usernameOf(id)
  const cache = actors.get(world) ?? new Map<string, Actor>()
  actors.set(world, cache)
  let a = cache.get(key)
  if (!a) {
    a = await actorFor(s, id, groupsOf.get(world)?.get(key) ?? [])
    cache.set(key, a)
  }
  return a
}

Given('{identity} is in the group {string}', async function (this: OckWorld, who: string, group: string) {
  const key = usernameOf(await identity(this, who))
  const m = groupsOf.get(this) ?? new Map<string, string[]>()
  groupsOf.set(this, m)
  m.set(key, [...(m.get(key) ?? []), group])
  actors.get(this)?.delete(key)
})

Given(['there is a service account {string}', 'فيه service account اسمه {string}'], async function (this: OckWorld, name: string) {
  const s = await this.cluster()
  const id = parseIdentity(`the service account "${name}"`, s.namespace)
  if (id.kind === 'serviceaccount') await ensureServiceAccount(s.kubeconfig, id.namespace, id.name)
})

async function grant(world: OckWorld, who: string, verbs: string[], kind: KindRef, namespace?: string): Promise<void> {
  const s = await world.cluster()
  const ns = namespace ?? s.namespace
  const id = await identity(world, who)
  const group = kind.apiVersion.includes('/') ? kind.apiVersion.split('/')[0]! : ''
  const rules: Record<string, unknown>[] = []
  const plain = verbs.filter((v) => v !== 'scale')
  if (plain.length) rules.push({ apiGroups: [group], resources: [kind.plural], verbs: plain })
  if (verbs.includes('scale')) rules.push({ apiGroups: [group], resources: [`${kind.plural}/scale`], verbs: ['get', 'update', 'patch'] })
  const name = `${usernameOf(id)}-${verbs.join('-')}-${kind.plural}`.replace(/[^a-z0-9.-]/g, '-').slice(0, 200)
  const subject =
    id.kind === 'user'
      ? { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: id.name }
      : { kind: 'ServiceAccount', name: id.name, namespace: id.namespace }
  // a cluster-scoped kind is granted cluster-wide (ClusterRole and ClusterRoleBinding), removed when the scenario ends
  const clusterWide = !kind.namespaced && namespace === undefined
  const metadata = clusterWide ? { name } : { name, namespace: ns }
  const role: KubernetesObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: clusterWide ? 'ClusterRole' : 'Role', metadata }
  const binding: KubernetesObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: clusterWide ? 'ClusterRoleBinding' : 'RoleBinding', metadata }
  await apply(s.kubeconfig, { ...role, rules } as KubernetesObject)
  await apply(s.kubeconfig, { ...binding, subjects: [subject], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: role.kind, name } } as KubernetesObject)
  if (clusterWide) for (const o of [binding, role]) removeAtEnd(world, o)
}

/** Cluster-scoped objects outlive the scenario's namespace: delete them (as the admin) when the scenario ends. */
function removeAtEnd(world: OckWorld, o: KubernetesObject): void {
  const s = world.currentSession
  if (!s || !o.kind || !o.metadata?.name) return
  const id = { kind: o.kind, name: o.metadata.name }
  world.cleanups.push(() => remove(s.kubeconfig, id, s.namespace).catch(() => undefined))
}

Given(
  ['{identity} may {verbs} {kind}', '{identity} مسموح له يعمل {verbs} للـ {kind}'],
  async function (this: OckWorld, who: string, verbs: string[], kind: KindRef) {
    await grant(this, who, verbs, kind)
  },
)

Given(
  ['{identity} may {verbs} {kind} in the namespace {string}', '{identity} مسموح له يعمل {verbs} للـ {kind} في الـ namespace {string}'],
  async function (this: OckWorld, who: string, verbs: string[], kind: KindRef, namespace: string) {
    await grant(this, who, verbs, kind, namespace)
  },
)

/** Creates each object as the actor; on the first rejection records it (try) or fails the step. */
async function createAs(world: OckWorld, who: string, doc: string, attempt: boolean): Promise<void> {
  const s = await world.cluster()
  const a = await actor(world, who)
  // a cluster-scoped object names the scenario's namespace to be its own (`binder-{namespace}`)
  const objects = parseManifests(expandNamespace(doc, s.namespace)).map((o) => mapImages(inNamespace(o, s.namespace), s.images))
  world.lastManifests = objects
  world.lastError = undefined
  world.lastErrorChecked = true
  const results: KubernetesObject[] = []
  for (const o of objects) {
    const answer = await requestAs(a, 'POST', objectPath(o, s.namespace), o)
    world.answeredAt.set(`${o.kind}/${o.metadata?.name}`, performance.timeOrigin + performance.now())
    if (answer.status) {
      if (!attempt)
        throw new Error(
          `${o.kind}/${o.metadata?.name ?? ''} was refused for ${a.label}: ${answer.status.code} ${answer.status.reason}: ${answer.status.message}`,
        )
      world.rejected(answer.status)
      world.lastObject = o
      return
    }
    results.push(answer.body as KubernetesObject)
    if (!kindRef(o.kind ?? '').namespaced) removeAtEnd(world, o)
  }
  world.lastObject = results.at(-1)
  world.previouslyApplied = world.applied
  world.applied = results
}

When(['{identity} tries to create the manifest:', '{identity} حاول يعمل create للـ manifest:'], async function (this: OckWorld, who: string, doc: string) {
  await createAs(this, who, doc, true)
})

When(['{identity} creates the manifest:', '{identity} عمل create للـ manifest:'], async function (this: OckWorld, who: string, doc: string) {
  await createAs(this, who, doc, false)
})

When(
  ['{identity} tries to create a {kind} from the body:', '{identity} حاول يعمل create لـ {kind} من الـ body:'],
  async function (this: OckWorld, who: string, kind: KindRef, body: string) {
    const s = await this.cluster()
    const answer = await requestAs(await actor(this, who), 'POST', collectionPath(kind, s.namespace), body)
    this.lastError = undefined
    this.lastErrorChecked = true
    this.lastObject = { apiVersion: kind.apiVersion, kind: kind.kind, metadata: kind.namespaced ? { namespace: s.namespace } : {} }
    if (answer.status) this.rejected(answer.status)
  },
)

When(['{identity} runs {string}', '{identity} شغل {string}'], async function (this: OckWorld, who: string, command: string) {
  const a = await actor(this, who)
  this.lastCommand = await kubectl(command, a.file, { images: (await this.cluster()).images })
})
