// Steps about namespaces as units of cleanup: a namespace with content that is being deleted
// (Terminating) and waits for the namespace controller to empty and finalize it.

import { Given } from './define.js'
import { expect } from 'chai'
import { apply, read, remove } from '../support/kube.js'
import type { OckWorld } from '../support/world.js'

Given(
  ['the namespace {string} with a configmap in it is being deleted', 'الـ namespace {string} اللي فيها configmap بتتمسح'],
  async function (this: OckWorld, name: string) {
    const s = await this.cluster()
    await apply(s.kubeconfig, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } })
    await apply(s.kubeconfig, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'content', namespace: name } } as never)
    await remove(s.kubeconfig, { kind: 'Namespace', name }, s.namespace)
    const ns = (await read(s.kubeconfig, { kind: 'Namespace', name }, s.namespace)) as { status?: { phase?: string } } | undefined
    expect(ns?.status?.phase, `phase of namespace ${name} right after the delete`).to.equal('Terminating')
  },
)
