// Steps that drive the cluster with a client a user has, kubectl or the official Python client
// (support/clients.ts), and check what the client itself reports: the config maps it lists, the
// events its watch saw, the output and exit code of a command it ran in a container, the HTTP
// answer through a port it forwarded. Effects on the cluster are checked through the API by the
// generic steps (resources.steps.ts). A client that is not installed skips the scenario with the
// reason, or fails it in a strict profile (ci, ar), as a missing capability does.

import { Given, Then, When } from './define.js'
import { expect } from 'chai'
import { eventually } from '../support/eventually.js'
import {
  clientMissing,
  createConfigMap,
  deleteConfigMap,
  execInPod,
  getThroughPortForward,
  listConfigMaps,
  patchConfigMap,
  watchConfigMaps,
  Clients,
  type ClientName,
  type ClientWatch,
  type ExecResult,
  type PatchType,
} from '../support/clients.js'
import { SKIP_PREFIX } from '../support/report/results.js'
import { read } from '../support/kube.js'
import type { OckWorld } from '../support/world.js'

/** What the scenario's clients reported, for the Then steps. */
interface Seen {
  clients?: Clients
  watches: Map<ClientName, ClientWatch>
  exec?: ExecResult
  answer?: string
}
const seenBy = new WeakMap<OckWorld, Seen>()

function seen(world: OckWorld): Seen {
  let s = seenBy.get(world)
  if (!s) seenBy.set(world, (s = { watches: new Map() }))
  return s
}

/** The scenario's clients (the Python client's process ends with the scenario). */
async function context(world: OckWorld): Promise<Clients> {
  const seenHere = seen(world)
  if (!seenHere.clients) {
    const s = await world.cluster()
    const clients = (seenHere.clients = new Clients({ kubeconfigFile: s.kubeconfigFile, namespace: s.namespace }))
    world.cleanups.push(() => clients.close())
  }
  return seenHere.clients
}

Given(['{client} is installed', '{client} متسطب'], async function (this: OckWorld, client: ClientName) {
  const why = await clientMissing(client)
  if (!why) return
  // worded as the capability gate words a missing capability (support/hooks.ts), so reports file it with them
  const message = `this machine cannot run this scenario: ${why}`
  if (this.parameters.strictCapabilities) throw new Error(`${message} (this profile requires every capability)`)
  this.log(`${SKIP_PREFIX}${message}`)
  return 'skipped'
})

Given(['{client} is watching the config maps', '{client} عامل watch على الـ config maps'], async function (this: OckWorld, client: ClientName) {
  const watch = await watchConfigMaps(client, await context(this))
  seen(this).watches.set(client, watch)
  this.cleanups.push(() => watch.stop())
})

When(
  ['{client} creates the config map {string} with {string}', '{client} عمل create للـ config map {string} وفيها {string}'],
  async function (this: OckWorld, client: ClientName, name: string, pair: string) {
    await createConfigMap(client, await context(this), name, pair)
  },
)

Then(
  ['{client} lists the config map {string}', '{client} عمل list ولقى الـ config map {string}'],
  async function (this: OckWorld, client: ClientName, name: string) {
    expect(await listConfigMaps(client, await context(this)), `config maps ${client} lists`).to.include(name)
  },
)

// each patch sets its own key, named after its type ("merge", "json", "strategic", "apply"), to "patched"
When(
  [
    '{client} patches the config map {string} with a patch of each type: {patchTypes}',
    '{client} عمل patch للـ config map {string} بـ patch من كل نوع: {patchTypes}',
  ],
  async function (this: OckWorld, client: ClientName, name: string, types: PatchType[]) {
    const ctx = await context(this)
    for (const type of types) await patchConfigMap(client, ctx, name, type, type, 'patched')
  },
)

Then(
  ['the config map {string} has the key of each patch: {patchTypes}', 'الـ config map {string} فيها الـ key بتاع كل patch: {patchTypes}'],
  async function (this: OckWorld, name: string, types: PatchType[]) {
    const s = await this.cluster()
    const cm = (await read(s.kubeconfig, { kind: 'ConfigMap', name }, s.namespace)) as { data?: Record<string, string> } | undefined
    expect(cm, `ConfigMap ${name}`).to.not.equal(undefined)
    for (const type of types) expect(cm!.data?.[type], `data.${type} of ConfigMap ${name} (${JSON.stringify(cm!.data)})`).to.equal('patched')
  },
)

When(
  ['{client} deletes the config map {string}', '{client} عمل delete للـ config map {string}'],
  async function (this: OckWorld, client: ClientName, name: string) {
    await deleteConfigMap(client, await context(this), name)
  },
)

// the events of one object, repeats folded ("MODIFIED, MODIFIED" is one MODIFIED): a client sees
// as many MODIFIED events as it sent changes
Then(
  ["{client}'s watch saw the config map {string}: {string}", 'الـ watch بتاع {client} شاف الـ config map {string}: {string}'],
  async function (this: OckWorld, client: ClientName, name: string, expected: string) {
    const watch = seen(this).watches.get(client)
    if (!watch) throw new Error(`${client} is not watching; a step "${client} is watching the config maps" comes first`)
    const folded = () =>
      watch
        .events()
        .filter((e) => e.name === name)
        .map((e) => e.type)
        .filter((t, i, all) => t !== all[i - 1])
    await eventually(
      async () => folded().join(', '),
      (got) => {
        expect(got).to.equal(expected)
      },
      10_000,
      { describe: `${client}'s watch to see ${name}: ${expected}` },
    )
  },
)

When(
  ['{client} runs {string} in the pod {string} with the input {string}', '{client} شغل {string} في الـ pod {string} والـ input بتاعه {string}'],
  async function (this: OckWorld, client: ClientName, command: string, pod: string, input: string) {
    seen(this).exec = await execInPod(client, await context(this), pod, command, `${input}\n`)
  },
)

Then(
  ['{client} reports the output {string} and the exit code {int}', '{client} طلع الـ output {string} والـ exit code {int}'],
  function (this: OckWorld, client: ClientName, output: string, code: number) {
    const r = seen(this).exec
    if (!r) throw new Error(`${client} ran no command`)
    expect(r.stdout.trimEnd(), `what ${client} printed (stderr: ${r.stderr})`).to.equal(output)
    expect(r.exitCode, `the exit code ${client} reports (stderr: ${r.stderr})`).to.equal(code)
  },
)

When(
  [
    '{client} forwards a local port to the port {int} of the pod {string} and asks for {string}',
    '{client} عمل port-forward للـ port {int} بتاع الـ pod {string} وطلب {string}',
  ],
  async function (this: OckWorld, client: ClientName, port: number, pod: string, path: string) {
    seen(this).answer = await getThroughPortForward(client, await context(this), pod, port, path)
  },
)

Then(['{client} gets the answer {string}', '{client} جاله الرد {string}'], function (this: OckWorld, client: ClientName, answer: string) {
  expect(seen(this).answer?.trim(), `the HTTP answer through ${client}'s forwarded port`).to.equal(answer)
})
