import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClusterTarget } from './cluster.js'
import { KIT_IMAGES } from './config.js'
import type { Capability } from './target.js'

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:1' } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`

describe("the cluster target's capabilities", () => {
  let dir: string
  let kubeconfig: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ock-clustertarget-'))
    kubeconfig = join(dir, 'kubeconfig')
    await writeFile(kubeconfig, KUBECONFIG)
  })
  after(() => rm(dir, { recursive: true, force: true }))

  async function capabilities(yaml: string | undefined) {
    let config: string | undefined
    if (yaml !== undefined) await writeFile((config = join(dir, 'target.yaml')), yaml)
    return new ClusterTarget(kubeconfig, config).capabilities()
  }

  const ALL_IMAGES = `images:\n${KIT_IMAGES.map((i) => `  ${i}: reg.example/${i.split('/').at(-1)}\n`).join('')}`
  const cases: [what: string, yaml: string | undefined, available: Capability[], reasons: Partial<Record<Capability, RegExp>>][] = [
    [
      'no target configuration',
      undefined,
      ['api'],
      {
        faults:
          /^no target configuration \(set OCK_TARGET_CONFIG or the world parameter targetConfig to a YAML file with the `faults` key; see docs\/target-config.example.yaml\)/,
        docker: /a YAML file with the `images` key/,
        etcd: /a YAML file with the `etcd` key/,
        store: /a YAML file with the `etcd` key.*: no etcd endpoints \(and client certificates\) to read the store beside the API server$/,
      },
    ],
    [
      'a configuration with timings only',
      'timings: { nodeMonitorGracePeriod: 40s }\n',
      ['api'],
      {
        faults: /^no `faults` in the target configuration \(\/\S+\/target\.yaml\): no fault provider/,
        docker:
          /^`images` in the target configuration \(\S+\) does not map registry\.internal\/ock\/app:1, registry\.internal\/ock\/app:2, registry\.internal\/ock\/tool:1, registry\.internal\/ock\/tool:2:/,
        etcd: /^no `etcd` in the target configuration \(\S+\)/,
        store: /^no `etcd` in the target configuration \(\S+\)/,
        config: /cannot reconfigure a running cluster/,
        audit: /^no `audit` in the target configuration \(\S+\): no audit log file/,
      },
    ],
    ['a fault provider', 'faults: { provider: docker }\n', ['api', 'faults'], { etcd: /^no `etcd`/ }],
    [
      'three of the four images',
      'images:\n  registry.internal/ock/app:1: a\n  registry.internal/ock/app:2: a\n  registry.internal/ock/tool:1: a\n',
      ['api'],
      { docker: /does not map registry\.internal\/ock\/tool:2:/ },
    ],
    // the @docker scenarios send the mapped names and check through the API
    ['all four images', ALL_IMAGES, ['api', 'docker'], { etcd: /^no `etcd`/ }],
    // etcd read directly: the store beside the API server, and the etcd scenarios that need no more
    ['etcd endpoints', 'etcd: { endpoints: [https://10.0.0.1:2379] }\n', ['api', 'etcd', 'store'], { faults: /^no `faults`/ }],
    ['an audit log file', 'audit: { log: /var/log/kubernetes/audit.log }\n', ['api', 'audit'], { faults: /^no `faults`/ }],
    [
      'the audit webhook',
      'audit: { webhook: true }\n',
      ['api'],
      { audit: /^configured, but not yet served by the cluster target: the kit's webhook receiver must run before the API server starts/ },
    ],
    [
      'everything a configuration can give',
      `${ALL_IMAGES}faults: { provider: commands, commands: { stopKubelet: x } }\netcd: { endpoints: [https://10.0.0.1:2379] }\n`,
      ['api', 'docker', 'etcd', 'faults', 'store'],
      { config: /cannot reconfigure/ },
    ],
  ]
  for (const [what, yaml, available, reasons] of cases) {
    it(`with ${what}: ${available.join(', ')}`, async () => {
      const c = await capabilities(yaml)
      assert.deepEqual([...c.available].sort(), available)
      for (const [cap, reason] of Object.entries(reasons)) assert.match(c.missing.get(cap as Capability) ?? '', reason, cap)
      for (const cap of ['trace', 'config', 'load', 'runtime'] as Capability[]) assert.ok(c.missing.has(cap), `${cap} stays missing`)
      for (const cap of available) assert.ok(!c.missing.has(cap), `${cap} is not also missing`)
    })
  }

  it('stops at once on a mistake in the configuration', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'faults: { provider: builtin }\n')
    assert.throws(() => new ClusterTarget(kubeconfig, join(dir, 'bad.yaml')), {
      name: 'TargetConfigError',
      message: /bad\.yaml: faults\.provider: `builtin` is/,
    })
  })
})
