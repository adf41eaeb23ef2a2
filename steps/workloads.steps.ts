// Steps about workload controllers: a Deployment's ready replicas, the ReplicaSet it owns
// (editing or deleting it to see the controller put things back), and the ownership chain
// Deployment -> ReplicaSet -> Pod.

import { Then, When, type DataTable } from './define.js'
import { AppsV1Api } from '@kubernetes/client-node'
import { expect } from 'chai'
import { eventually } from '../support/eventually.js'
import { remove } from '../support/kube.js'
import { expectField } from '../support/paths.js'
import { activeReplicaSetOf, core, replicaSetsOf, scaleDeployment, scaleReplicaSet } from '../support/workloads.js'
import type { OckWorld } from '../support/world.js'

Then(
  ['within {duration} the deployment {string} has {int} ready replica(s)', 'خلال {duration} الـ deployment {string} يبقى ليه {int} ready replica(s)'],
  async function (this: OckWorld, ms: number, name: string, n: number) {
    const s = await this.cluster()
    const apps = s.kubeconfig.makeApiClient(AppsV1Api)
    await eventually(
      () => apps.readNamespacedDeployment({ name, namespace: s.namespace }),
      (d) => {
        expect(d.status?.readyReplicas ?? 0, 'status.readyReplicas').to.equal(n)
        expect(d.status?.availableReplicas ?? 0, 'status.availableReplicas').to.equal(n)
        expect(d.status?.replicas ?? 0, 'status.replicas (no old pods left)').to.equal(n)
        expect(d.status?.observedGeneration, 'status.observedGeneration').to.equal(d.metadata?.generation)
      },
      ms,
      { describe: `deployment ${name} to have ${n} ready replicas` },
    )
  },
)

When(
  ['I scale the replica set of the deployment {string} to {int} replica(s)', 'عملت scale للـ replica set بتاعة الـ deployment {string} لـ {int} replica(s)'],
  async function (this: OckWorld, name: string, n: number) {
    const s = await this.cluster()
    const rs = await activeReplicaSetOf(s.kubeconfig, s.namespace, name)
    await scaleReplicaSet(s.kubeconfig, s.namespace, rs.metadata!.name!, n)
  },
)

When(
  ['I delete the replica set of the deployment {string}', 'مسحت الـ replica set بتاعة الـ deployment {string}'],
  async function (this: OckWorld, name: string) {
    const s = await this.cluster()
    const rs = await activeReplicaSetOf(s.kubeconfig, s.namespace, name)
    this.remembered.replicaSetUids.set(name, rs.metadata?.uid)
    await remove(s.kubeconfig, { kind: 'ReplicaSet', name: rs.metadata!.name! }, s.namespace)
  },
)

Then(
  ['within {duration} the replica set of the deployment {string} has:', 'خلال {duration} الـ replica set بتاعة الـ deployment {string} يبقى فيها:'],
  async function (this: OckWorld, ms: number, name: string, table: DataTable) {
    const s = await this.cluster()
    await eventually(
      () => activeReplicaSetOf(s.kubeconfig, s.namespace, name),
      (rs) => {
        for (const [path, value] of table.raw()) expectField(rs, path!, value!)
      },
      ms,
      { describe: `the replica set of deployment ${name} to have ${JSON.stringify(table.raw())}` },
    )
  },
)

Then(
  [
    'within {duration} the deployment {string} has a new replica set in place of the deleted one',
    'خلال {duration} الـ deployment {string} يبقى ليه replica set جديدة مكان اللي اتمسحت',
  ],
  async function (this: OckWorld, ms: number, name: string) {
    const deleted = this.remembered.replicaSetUids.get(name)
    if (!deleted) throw new Error(`no replica set of deployment ${name} was deleted before this step`)
    const s = await this.cluster()
    await eventually(
      () => replicaSetsOf(s.kubeconfig, s.namespace, name),
      (rss) => {
        expect(
          rss.map((r) => r.metadata?.uid),
          'replica sets the deployment owns',
        ).to.not.include(deleted)
        expect(rss.length, 'replica sets the deployment owns').to.equal(1)
      },
      ms,
      { describe: `deployment ${name} to own a new replica set` },
    )
  },
)

Then(
  [
    'within {duration} the deployment {string} owns a replica set that owns {int} pod(s)',
    'خلال {duration} الـ deployment {string} يبقى ليه replica set ليها {int} pod(s)',
  ],
  async function (this: OckWorld, ms: number, name: string, n: number) {
    const s = await this.cluster()
    await eventually(
      async () => {
        const [rs] = await replicaSetsOf(s.kubeconfig, s.namespace, name)
        const pods = rs ? (await core(s.kubeconfig).listNamespacedPod({ namespace: s.namespace })).items : []
        return { rs, pods: pods.filter((p) => p.metadata?.ownerReferences?.some((r) => r.controller && r.uid === rs?.metadata?.uid)) }
      },
      ({ rs, pods }) => {
        expect(rs, `a replica set controlled by deployment ${name}`).to.not.equal(undefined)
        expect(
          rs!.metadata?.ownerReferences?.find((r) => r.controller),
          'its controller reference',
        ).to.include({ kind: 'Deployment', name })
        expect(pods.length, `pods controlled by ${rs!.metadata?.name}`).to.equal(n)
        for (const p of pods)
          expect(
            p.metadata?.ownerReferences?.find((r) => r.controller),
            `controller of ${p.metadata?.name}`,
          ).to.include({ kind: 'ReplicaSet', name: rs!.metadata?.name })
      },
      ms,
      { describe: `deployment ${name} -> replica set -> ${n} pods` },
    )
  },
)

When(
  ['I scale the deployment {string} to {int} replica(s)', 'عملت scale للـ deployment {string} لـ {int} replica(s)'],
  async function (this: OckWorld, name: string, n: number) {
    const s = await this.cluster()
    await scaleDeployment(s.kubeconfig, s.namespace, name, n)
  },
)

When(
  ['I try to scale the deployment {string} to {int} replica(s)', 'حاولت اعمل scale للـ deployment {string} لـ {int} replica(s)'],
  async function (this: OckWorld, name: string, n: number) {
    const s = await this.cluster()
    this.remembered.scaleAttempt = await scaleDeployment(s.kubeconfig, s.namespace, name, n).then(
      () => 'accepted' as const,
      (e: unknown) => e,
    )
  },
)

Then(['the scale request never reached an API server', 'الـ scale request موصلش لأي API Server'], function (this: OckWorld) {
  const outcome = this.remembered.scaleAttempt
  if (outcome === undefined) throw new Error('no earlier step tried to scale ("I try to scale the deployment ...")')
  expect(outcome, 'the outcome of the scale request').to.not.equal('accepted')
  // an answer from an API server carries an HTTP status; a request that found none fails on its connection
  const code = (outcome as { code?: unknown }).code
  expect(typeof code === 'number' ? `HTTP ${code}` : 'no answer', `the scale request (${String(outcome)})`).to.equal('no answer')
  this.log(`the scale request failed: ${String(outcome)}`)
})
