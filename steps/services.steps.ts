// Steps about Services: the endpoints the endpoints controller keeps (which pods, ready or not),
// the stable address a Service keeps, and HTTP requests through a Service's address (the service
// proxy on its ClusterIP), with which pod answered each one.

import { Then } from './define.js'
import type { V1Pod } from '@kubernetes/client-node'
import { expect } from 'chai'
import { consistently, eventually } from '../support/eventually.js'
import { thatPod } from '../support/containers.js'
import { answeringPod, endpointsOf, httpGet, ingressAddress, serviceURL } from '../support/services.js'
import { core, isPodReady, podsLabelled } from '../support/workloads.js'
import type { OckWorld } from '../support/world.js'

Then(
  [
    'within {duration} the endpoints of the service {string} list the ready pods labelled {string}',
    'خلال {duration} الـ endpoints بتاعة الـ service {string} يبقى فيها الـ pods الـ ready اللي عليها الـ label {string}',
  ],
  async function (this: OckWorld, ms: number, service: string, selector: string) {
    const s = await this.cluster()
    const svc = await core(s.kubeconfig).readNamespacedService({ name: service, namespace: s.namespace })
    await eventually(
      async () => ({ endpoints: await endpointsOf(s.kubeconfig, s.namespace, service), pods: await podsLabelled(s.kubeconfig, s.namespace, selector) }),
      ({ endpoints, pods }) => {
        const live = pods.filter((p) => !p.metadata?.deletionTimestamp)
        const ready = live
          .filter(isPodReady)
          .map((p) => p.metadata!.uid!)
          .sort()
        expect(ready.length, `ready pods labelled ${selector}`).to.equal(live.length)
        expect(endpoints.ready, `pods (by uid) in the endpoints of ${service}; the ready pods are ${describe(live)}`).to.deep.equal(ready)
        expect(endpoints.notReady, `not-ready addresses of ${service}`).to.deep.equal([])
        expect(endpoints.portNames, `endpoint port names (the Service's port names)`).to.deep.equal((svc.spec?.ports ?? []).map((p) => p.name ?? '').sort())
      },
      ms,
      { describe: `the endpoints of ${service} to list exactly the ready pods labelled ${selector}` },
    )
  },
)

function describe(pods: V1Pod[]): string {
  return pods.map((p) => `${p.metadata?.name} (${p.metadata?.uid?.slice(0, 8)})`).join(', ') || 'none'
}

Then(
  ['the service {string} still has the address it was given when created', 'الـ service {string} لسه ليها نفس الـ address اللي اخدته لما اتعملها create'],
  async function (this: OckWorld, service: string) {
    const created = [...(this.previouslyApplied ?? []), ...(this.applied ?? [])].find((o) => o.kind === 'Service' && o.metadata?.name === service) as
      { spec?: { clusterIP?: string } } | undefined
    const first = created?.spec?.clusterIP
    expect(first, `the address the API server gave service ${service} when it was created`).to.match(/^127\.\d+\.\d+\.\d+$/)
    const s = await this.cluster()
    const now = await core(s.kubeconfig).readNamespacedService({ name: service, namespace: s.namespace })
    expect(now.spec?.clusterIP, `the address of service ${service} now`).to.equal(first)
  },
)

/** Sends `n` requests, one connection each; which pod answered each (or what went wrong). */
async function answers(world: OckWorld, url: string, n: number): Promise<string[]> {
  const s = await world.cluster()
  const target = await serviceURL(s.kubeconfig, url, s.namespace)
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const r = await httpGet(target)
    out.push(
      'body' in r
        ? r.status === 200
          ? (answeringPod(r.body) ?? `200 from an unknown server: ${r.body.slice(0, 60)}`)
          : `HTTP ${r.status}`
        : `error ${r.error}`,
    )
  }
  return out
}

Then(
  [
    '{int} requests to {string} are answered by at least {int} of the pods labelled {string}',
    '{int} request لـ {string} بيرد عليهم {int} على الأقل من الـ pods اللي عليها الـ label {string}',
  ],
  async function (this: OckWorld, n: number, url: string, k: number, selector: string) {
    const s = await this.cluster()
    const names = (await podsLabelled(s.kubeconfig, s.namespace, selector)).map((p) => p.metadata!.name!)
    const got = await answers(this, url, n)
    for (const a of got) expect(names, `who answered a request to ${url} (answers: ${got.join(', ')})`).to.include(a)
    expect(new Set(got).size, `different pods that answered ${n} requests to ${url}: ${[...new Set(got)].join(', ')}`).to.be.at.least(k)
  },
)

Then(
  [
    'for {duration} requests to {string} are all answered by other pods than that one',
    'لمدة {duration} كل الـ requests لـ {string} بترد عليها pods تانية غير دي',
  ],
  async function (this: OckWorld, ms: number, url: string) {
    const avoid = thatPod(this).name
    const seen: string[] = []
    await consistently(
      () => answers(this, url, 1),
      ([a]) => {
        seen.push(a!)
        expect(a, `who answered a request to ${url}`).to.not.match(/^(error|HTTP)/)
        expect(a, `who answered a request to ${url} (${avoid} is not ready)`).to.not.equal(avoid)
      },
      ms,
      { describe: `requests to ${url} reaching only pods other than ${avoid}`, intervalMs: 50 },
    )
    expect(seen.length, 'requests sent').to.be.greaterThan(5)
    this.log(`${seen.length} requests in ${ms} ms, answered by: ${[...new Set(seen)].join(', ')}`)
  },
)

/**
 * The URL of a path behind an Ingress, at the address its controller published. Read once
 * through the API and remembered, as a DNS record or a load balancer would keep it: later
 * requests still go there while the API is down.
 */
async function ingressURL(world: OckWorld, name: string, path: string): Promise<string | undefined> {
  let a = world.remembered.ingressAddresses.get(name)
  if (!a) {
    const s = await world.cluster()
    a = await ingressAddress(s.kubeconfig, name, s.namespace)
    if (!a) return undefined
    world.remembered.ingressAddresses.set(name, a)
  }
  return `http://${a.ip}:${a.port}${path}`
}

const outcome = (r: Awaited<ReturnType<typeof httpGet>>): string => ('body' in r ? `HTTP ${r.status}` : `error ${r.error}`)

Then(
  ['within {duration} the ingress {string} answers {int} at {string}', 'خلال {duration} الـ ingress {string} يرد بـ {int} على {string}'],
  async function (this: OckWorld, ms: number, name: string, code: number, path: string) {
    await eventually(
      async () => {
        const url = await ingressURL(this, name, path)
        return url ? outcome(await httpGet(url)) : `ingress ${name} has no address in its status yet`
      },
      (got) => {
        expect(got, `a request to ${path} through the ingress ${name}`).to.equal(`HTTP ${code}`)
      },
      ms,
      { describe: `the ingress ${name} to answer ${code} at ${path}` },
    )
  },
)

Then(
  ['for {duration} the ingress {string} answers {int} at {string} every time', 'لمدة {duration} الـ ingress {string} يرد بـ {int} على {string} كل مرة'],
  async function (this: OckWorld, ms: number, name: string, code: number, path: string) {
    const url = await ingressURL(this, name, path)
    if (!url) throw new Error(`ingress ${name} has no address in its status`)
    let sent = 0
    await consistently(
      async () => outcome(await httpGet(url)),
      (got) => {
        sent++
        expect(got, `request ${sent} to ${path} through the ingress ${name}`).to.equal(`HTTP ${code}`)
      },
      ms,
      { describe: `the ingress ${name} answering ${code} at ${path}`, intervalMs: 100 },
    )
    this.log(`${sent} requests through the ingress ${name} in ${ms} ms, all answered ${code}`)
  },
)
