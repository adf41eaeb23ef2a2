// Steps about proving who you are: requests with no credentials or a bearer token, and the
// service account tokens `kubectl create token` prints.

import { Then, When } from './define.js'
import { expect } from 'chai'
import { KubeConfig } from '@kubernetes/client-node'
import { expandNamespace } from '../support/expand.js'
import { collectionPath, type KindRef } from '../support/kinds.js'
import { objectPath, requestAs, resignedToken, type Actor } from '../support/identities.js'
import { inNamespace, parseManifests } from '../support/kube.js'
import type { Session } from '../support/targets/target.js'
import type { OckWorld } from '../support/world.js'

/** A client that trusts the cluster CA and presents nothing (or only the given headers). */
function bareActor(s: Session, headers: Record<string, string> = {}): Actor {
  const kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [{ name: 'ock', server: s.server, caData: Buffer.from(s.caPem).toString('base64') }],
    users: [{ name: 'nobody' }],
    contexts: [{ name: 'nobody', cluster: 'ock', user: 'nobody' }],
    currentContext: 'nobody',
  })
  return { label: 'nobody', kc, file: '', headers }
}

async function record(world: OckWorld, a: Actor, method: string, path: string, body?: unknown): Promise<void> {
  world.lastError = undefined
  world.lastErrorChecked = true
  const answer = await requestAs(a, method, path, body)
  if (answer.status) world.rejected(answer.status)
}

When(
  ['a client without credentials tries to create the manifest:', 'client من غير credentials حاول يعمل create للـ manifest:'],
  async function (this: OckWorld, doc: string) {
    const s = await this.cluster()
    const [o] = parseManifests(doc).map((x) => inNamespace(x, s.namespace))
    await record(this, bareActor(s), 'POST', objectPath(o!, s.namespace), o)
    this.lastObject = o
  },
)

When(
  ['a client without credentials tries to create a {kind} from the body:', 'client من غير credentials حاول يعمل create لـ {kind} من الـ body:'],
  async function (this: OckWorld, kind: KindRef, body: string) {
    const s = await this.cluster()
    await record(this, bareActor(s), 'POST', collectionPath(kind, s.namespace), body)
    this.lastObject = { apiVersion: kind.apiVersion, kind: kind.kind, metadata: kind.namespaced ? { namespace: s.namespace } : {} }
  },
)

When(
  ['a client lists config maps with the bearer token {string}', 'client عمل list للـ config maps بالـ bearer token {string}'],
  async function (this: OckWorld, token: string) {
    const s = await this.cluster()
    await record(this, bareActor(s, { Authorization: `Bearer ${token}` }), 'GET', `/api/v1/namespaces/${s.namespace}/configmaps`)
  },
)

function lastToken(world: OckWorld): string {
  const out = world.lastCommand?.stdout.trim() ?? ''
  expect(out.split('.'), `a JWT printed by "${world.lastCommand?.command}" (stderr: ${world.lastCommand?.stderr})`).to.have.length(3)
  return out
}

Then(
  ['the output is a service account token for {string}', 'الـ output هو service account token لـ {string}'],
  async function (this: OckWorld, subject: string) {
    const s = await this.cluster()
    const claims = JSON.parse(Buffer.from(lastToken(this).split('.')[1]!, 'base64url').toString('utf8')) as { sub?: string; exp?: number; aud?: string[] }
    expect(claims.sub, 'the token subject').to.equal(expandNamespace(subject, s.namespace))
    expect(claims.exp ?? 0, 'the token expiry').to.be.greaterThan(Date.now() / 1000)
    expect(claims.aud ?? [], 'the token audiences').to.not.be.empty
  },
)

When(
  ['a client lists config maps with the token from the output', 'client عمل list للـ config maps بالـ token اللي طلع في الـ output'],
  async function (this: OckWorld) {
    const s = await this.cluster()
    await record(this, bareActor(s, { Authorization: `Bearer ${lastToken(this)}` }), 'GET', `/api/v1/namespaces/${s.namespace}/configmaps`)
  },
)

When(
  [
    'a client lists config maps with the token from the output, signed by another key',
    'client عمل list للـ config maps بالـ token اللي طلع في الـ output، بس متعمله sign بـ key تاني',
  ],
  async function (this: OckWorld) {
    const s = await this.cluster()
    await record(this, bareActor(s, { Authorization: `Bearer ${await resignedToken(lastToken(this))}` }), 'GET', `/api/v1/namespaces/${s.namespace}/configmaps`)
  },
)
