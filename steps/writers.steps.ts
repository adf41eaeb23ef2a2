// Steps about who wrote what, read from the API server's audit events (capability @audit, with
// "Given the API server writes an audit log"; on the cluster target, its configured log from
// where it stood when the scenario began): which identity created the pods, bound them, and
// reported their status, and what else a component wrote. The audit log is written as requests
// complete, so each step waits a moment for the lines of requests that already took effect.

import { Then } from './define.js'
import { expect } from 'chai'
import type { V1Pod } from '@kubernetes/client-node'
import { eventually } from '../support/eventually.js'
import { podsLabelled } from '../support/workloads.js'
import { auditEventsOf, describeWrite, isLeaderElectionLease, successfulWrites, writesOf, type Write } from '../support/writers.js'
import type { OckWorld } from '../support/world.js'

/** How long the audit log may lag behind what the API already shows. */
const AUDIT_LAG_MS = 5_000

async function check(
  world: OckWorld,
  selector: string | undefined,
  what: string,
  assert: (writes: Write[], pods: V1Pod[], namespace: string) => void,
): Promise<void> {
  const s = await world.cluster()
  const pods = selector ? await podsLabelled(s.kubeconfig, s.namespace, selector) : []
  if (selector) expect(pods, `pods labelled ${selector}`).to.not.be.empty
  await eventually(
    async () => successfulWrites({ readAuditLog: () => auditEventsOf(s) }),
    (writes) => assert(writes, pods, s.namespace),
    AUDIT_LAG_MS,
    { describe: what },
  )
}

Then(
  ['the audit log shows each pod labelled {string} created by {string}', 'الـ audit log بيقول إن كل pod عليها الـ label {string} اتعملها create من {string}'],
  async function (this: OckWorld, selector: string, user: string) {
    await check(this, selector, `the creation of the pods labelled ${selector} by ${user}`, (writes, pods, ns) => {
      for (const p of pods) {
        const creates = writesOf(writes, 'pods', ns, p.metadata!.name!).filter((w) => w.verb === 'create' && !w.subresource)
        expect(creates.map(describeWrite), `creations of pod ${p.metadata?.name}`).to.have.length(1)
        expect(creates[0]!.user, `who created pod ${p.metadata?.name}`).to.equal(user)
      }
    })
  },
)

Then(
  [
    'the audit log shows each pod labelled {string} bound once through pods\\/binding by {string}, after its creation, and its spec written by no one',
    'الـ audit log بيقول إن كل pod عليها الـ label {string} اتعملها bind مرة واحدة عن طريق pods\\/binding من {string}، بعد ما اتعملها create، ومحدش كتب الـ spec بتاعها',
  ],
  async function (this: OckWorld, selector: string, user: string) {
    await check(this, selector, `one binding per pod labelled ${selector}, by ${user}`, (writes, pods, ns) => {
      for (const p of pods) {
        const name = p.metadata!.name!
        const mine = writesOf(writes, 'pods', ns, name)
        const bindings = mine.filter((w) => w.subresource === 'binding')
        expect(bindings.map(describeWrite), `bindings of pod ${name}`).to.have.length(1)
        expect(bindings[0]!.user, `who bound ${name}`).to.equal(user)
        const created = mine.find((w) => w.verb === 'create' && !w.subresource)
        expect(created, `the creation of pod ${name}`).to.not.equal(undefined)
        expect(created!.index, `${name} was created before it was bound`).to.be.lessThan(bindings[0]!.index)
        // the node can only have come from the binding: nobody updated or patched the pod itself
        expect(
          mine.filter((w) => !w.subresource && (w.verb === 'update' || w.verb === 'patch')).map(describeWrite),
          `writes of pod ${name} itself (its spec) after its creation`,
        ).to.deep.equal([])
        expect(p.spec?.nodeName, `node of ${name}`).to.be.a('string')
      }
    })
  },
)

Then(
  [
    'the audit log shows no write by {string} other than bindings, events and its leader-election lease',
    'الـ audit log بيقول إن {string} مكتبش غير bindings و events والـ leader-election lease بتاعه',
  ],
  async function (this: OckWorld, user: string) {
    await check(this, undefined, `the writes of ${user}`, (writes) => {
      const by = writes.filter((w) => w.user === user)
      expect(
        by.filter((w) => w.resource === 'pods' && w.subresource === 'binding'),
        `bindings by ${user}`,
      ).to.not.be.empty
      const other = by.filter((w) => !(w.resource === 'pods' && w.subresource === 'binding') && w.resource !== 'events' && !isLeaderElectionLease(w))
      expect(other.map(describeWrite), `writes by ${user} other than bindings, events and its Lease`).to.deep.equal([])
    })
  },
)

Then(
  [
    'the audit log shows the status of each pod labelled {string} written only by the kubelet of its node',
    'الـ audit log بيقول إن الـ status بتاعة كل pod عليها الـ label {string} محدش كتبها غير الـ kubelet بتاعة الـ node بتاعتها',
  ],
  async function (this: OckWorld, selector: string) {
    await check(this, selector, `the status of the pods labelled ${selector} written by their kubelets`, (writes, pods, ns) => {
      for (const p of pods) {
        const kubelet = `system:node:${p.spec?.nodeName}`
        const status = writesOf(writes, 'pods/status', ns, p.metadata!.name!)
        expect(
          status.filter((w) => w.user === kubelet),
          `status writes of pod ${p.metadata?.name} by ${kubelet}`,
        ).to.not.be.empty
        expect(status.filter((w) => w.user !== kubelet).map(describeWrite), `status writes of pod ${p.metadata?.name} by anyone but ${kubelet}`).to.deep.equal(
          [],
        )
      }
    })
  },
)
