// The etcd store door against one real etcd member: the history and content under the door's
// key prefix only, values that are not JSON (a real kube-apiserver's protobuf) without an
// object, and a history whose last write lies outside the prefix still ends; and against a
// member that serves TLS and asks for client certificates, as a kubeadm cluster's etcd does
// (certificates made with the openssl CLI).

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Etcd3 } from 'etcd3'
import { execa, type ResultPromise } from 'execa'
import { EtcdCluster } from '../../orchestrator/cluster/etcd.js'
import { etcdAvailable, freePorts } from '../../orchestrator/cluster/etcdmember.js'
import { eventually } from '../eventually.js'
import { etcdStoreDoor } from './storedoor.js'

const etcd = await etcdAvailable()
const skip = etcd.ok ? false : `needs a real etcd: ${etcd.reason}`

describe('the etcd store door', { skip }, () => {
  let cluster: EtcdCluster
  let client: Etcd3
  before(async () => {
    cluster = await EtcdCluster.start({ members: 1 })
    client = new Etcd3({ hosts: cluster.endpoints })
  })
  after(async () => {
    client?.close()
    await cluster?.destroy()
  })

  const cm = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns', name } })
  // what a kube-apiserver writes for a built-in kind: the `k8s\0` magic and a protobuf Unknown
  const protobuf = Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, 0x0e, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x08]), Buffer.from('ConfigMap')])

  it('reads the history and content under its prefix, protobuf values without an object', async () => {
    const door = etcdStoreDoor(cluster.endpoints, undefined, { prefix: '/registry/' })
    try {
      const from = await door.revision()
      await client.put('/registry/configmaps/ns/a').value(cm('a'))
      await client.put('/registry/configmaps/ns/b').value(protobuf)
      await client.put('/calico/ipam/v2/host/x').value('{"not":"kubernetes"}')
      await client.delete().key('/registry/configmaps/ns/a')
      // the last write is outside the prefix: the replay still ends at the current revision
      await client.put('/other/last').value('x')
      const writes = await door.writesSince(from)
      assert.deepEqual(
        writes.map((w) => [w.revision - from, w.type, w.key, w.object?.metadata?.name ?? null]),
        [
          [1, 'put', '/registry/configmaps/ns/a', 'a'],
          [2, 'put', '/registry/configmaps/ns/b', null],
          [4, 'delete', '/registry/configmaps/ns/a', 'a'],
        ],
      )
      assert.ok(
        writes.every((w) => w.acknowledgedAt === undefined),
        'no acknowledgement times: a real etcd cannot tell',
      )
      const keys = async (prefix?: string) => (await door.read(prefix)).map((v) => [v.key, v.object === undefined ? 'not JSON' : 'JSON'])
      const cases: [prefix: string | undefined, expected: string[][]][] = [
        [undefined, [['/registry/configmaps/ns/b', 'not JSON']]],
        ['/registry/configmaps/', [['/registry/configmaps/ns/b', 'not JSON']]],
        ['/', [['/registry/configmaps/ns/b', 'not JSON']]],
        ['/calico/', []],
      ]
      for (const [prefix, expected] of cases) assert.deepEqual(await keys(prefix), expected, `read(${prefix ?? ''})`)
      assert.ok(((await door.mark()) ?? 0) >= from + 5, 'a mark is a revision the store has reached')
      assert.match(door.describe(), /\(keys under \/registry\/\)$/)
    } finally {
      door.close()
    }
  })

  it('without a prefix reads every key (the built-in target)', async () => {
    const door = etcdStoreDoor(cluster.endpoints, () => [])
    try {
      const from = await door.revision()
      await client.put('/anything').value('{}')
      assert.deepEqual(
        (await door.writesSince(from)).map((w) => w.key),
        ['/anything'],
      )
      assert.ok((await door.read()).some((v) => v.key === '/calico/ipam/v2/host/x'))
    } finally {
      door.close()
    }
  })
})

/** A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files in `dir`. */
async function certificates(dir: string): Promise<void> {
  const openssl = (...args: string[]) => execa('openssl', args, { cwd: dir })
  const key = (name: string) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`)
  await key('ca')
  await openssl('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=etcd-ca', '-days', '1', '-out', 'ca.crt')
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'],
    ['client', 'extendedKeyUsage=clientAuth\n'],
  ] as const) {
    await key(name)
    await openssl('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`)
    await writeFile(join(dir, `${name}.ext`), ext)
    await openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    )
  }
}

/** What a promise gives within `ms`, or 'no answer'. */
async function within<T>(ms: number, p: Promise<T>): Promise<T | 'no answer' | Error> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'no answer'>((resolve) => (timer = setTimeout(() => resolve('no answer'), ms))) // a bound, not a wait
  try {
    return await Promise.race([p.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))), late])
  } finally {
    clearTimeout(timer)
  }
}

const openssl = await execa('openssl', ['version']).then(
  () => true,
  () => false,
)

describe('the etcd store door over TLS with a client certificate', { skip: skip || (openssl ? false : 'needs the openssl CLI') }, () => {
  let dir: string
  let member: ResultPromise | undefined
  let endpoint: string
  const pem = (f: string) => readFile(join(dir, f))
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ock-etcdtls-'))
    await certificates(dir)
    const [client, peer] = await freePorts(2)
    endpoint = `https://127.0.0.1:${client}`
    // etcd --client-cert-auth: only clients with a certificate of the trusted CA get in
    member = execa(
      'etcd',
      [
        ...['--name', 'tls', '--data-dir', join(dir, 'data'), '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint],
        ...['--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`],
        ...['--initial-cluster', `tls=http://127.0.0.1:${peer}`, '--log-level', 'error'],
        ...['--cert-file', join(dir, 'server.crt'), '--key-file', join(dir, 'server.key'), '--trusted-ca-file', join(dir, 'ca.crt'), '--client-cert-auth'],
      ],
      { reject: false },
    )
  })
  after(async () => {
    member?.kill('SIGKILL')
    await member
    await rm(dir, { recursive: true, force: true })
  })

  it('reads with the CA and the client certificate; without the certificate etcd refuses it', async () => {
    const tls = { ca: await pem('ca.crt'), cert: await pem('client.crt'), key: await pem('client.key') }
    const door = etcdStoreDoor([endpoint], undefined, { tls, prefix: '/registry/' })
    const stranger = etcdStoreDoor([endpoint], undefined, { tls: { ca: tls.ca }, prefix: '/registry/' })
    try {
      // the member may still be starting: its first answer within a bound (the etcd client opens
      // its circuit breaker after failures at start and tries again 5 s later)
      const revision = await eventually(
        () => within(1000, door.revision()),
        (r) => typeof r === 'number',
        20_000,
        {
          describe: 'the revision over TLS',
          intervalMs: 200,
        },
      )
      assert.equal(typeof revision, 'number')
      const admin = new Etcd3({ hosts: [endpoint], credentials: { rootCertificate: tls.ca, certChain: tls.cert, privateKey: tls.key } })
      await admin.put('/registry/configmaps/ns/tls').value('{"kind":"ConfigMap","metadata":{"namespace":"ns","name":"tls"}}')
      admin.close()
      assert.deepEqual(
        (await door.writesSince(revision as number)).map((w) => w.object?.metadata?.name),
        ['tls'],
      )
      const refused = await within(3000, stranger.read())
      assert.ok(!Array.isArray(refused), `without a client certificate etcd must not answer (got ${JSON.stringify(refused)})`)
    } finally {
      door.close()
      stranger.close()
    }
  })
})
