// Steps that inject node faults into the built-in cluster (capability @faults): a kubelet that
// stops or restarts, heartbeats that stop reaching the API server while the pods keep running,
// a container runtime that stops answering, memory / disk / PID pressure, a kubelet of another
// version; and a store that acknowledges writes late. Every fault is healed when the scenario
// ends, passed or failed.

import { Given, When } from './define.js'
import type { Faults, PressureCondition } from '../support/targets/target.js'
import type { OckWorld } from '../support/world.js'

async function faults(world: OckWorld): Promise<Faults> {
  const s = await world.cluster()
  if (!s.faults) throw new Error('this target cannot inject node faults (the scenario needs the @faults tag)')
  return s.faults
}

When(['the kubelet of the node {string} stops', 'الـ kubelet بتاعة الـ node {string} وقفت'], async function (this: OckWorld, node: string) {
  await (await faults(this)).stopKubelet(node)
})

When(['the kubelet of the node {string} starts again', 'الـ kubelet بتاعة الـ node {string} رجعت اشتغلت'], async function (this: OckWorld, node: string) {
  await (await faults(this)).startKubelet(node)
})

When(['the node {string} stops sending heartbeats', 'الـ node {string} بطلت تبعت heartbeats'], async function (this: OckWorld, node: string) {
  await (await faults(this)).freezeHeartbeats(node, true)
})

When(['the node {string} sends heartbeats again', 'الـ node {string} رجعت تبعت heartbeats'], async function (this: OckWorld, node: string) {
  await (await faults(this)).freezeHeartbeats(node, false)
})

When(
  ['the container runtime of the node {string} stops answering', 'الـ container runtime بتاع الـ node {string} بطل يرد'],
  async function (this: OckWorld, node: string) {
    await (await faults(this)).setRuntimeReachable(node, false)
  },
)

When(
  ['the container runtime of the node {string} answers again', 'الـ container runtime بتاع الـ node {string} رجع يرد'],
  async function (this: OckWorld, node: string) {
    await (await faults(this)).setRuntimeReachable(node, true)
  },
)

When(
  ['the node {string} comes under {pressure} pressure', 'الـ node {string} بقى عليها {pressure} pressure'],
  async function (this: OckWorld, node: string, pressure: PressureCondition) {
    await (await faults(this)).setPressure(node, pressure, true)
  },
)

When(
  ['the {pressure} pressure on the node {string} ends', 'الـ {pressure} pressure على الـ node {string} خلص'],
  async function (this: OckWorld, pressure: PressureCondition, node: string) {
    await (await faults(this)).setPressure(node, pressure, false)
  },
)

When(
  ['the kubelet of the node {string} restarts as version {string}', 'الـ kubelet بتاعة الـ node {string} اتعملها restart بـ version {string}'],
  async function (this: OckWorld, node: string, version: string) {
    await (await faults(this)).setKubeletVersion(node, version)
  },
)

When(
  ['the kubelet of the node {string} restarts as its own version', 'الـ kubelet بتاعة الـ node {string} اتعملها restart بالـ version بتاعتها'],
  async function (this: OckWorld, node: string) {
    await (await faults(this)).setKubeletVersion(node, undefined)
  },
)

Given(['the store acknowledges every write {duration} late', 'الـ store بيأكد كل write متأخر {duration}'], async function (this: OckWorld, ms: number) {
  const s = await this.cluster()
  if (!s.controlPlane) throw new Error('this target cannot slow its store down (the scenario needs the @faults tag and the built-in target)')
  s.controlPlane.delayStoreAcknowledgements(ms)
})

Given(['the store commits every write {duration} late', 'الـ store بيعمل commit لكل write متأخر {duration}'], async function (this: OckWorld, ms: number) {
  const s = await this.cluster()
  if (!s.controlPlane) throw new Error('this target cannot slow its store down (the scenario needs the @faults tag and the built-in target)')
  s.controlPlane.delayStoreCommits(ms)
})
