import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  KIT_IMAGES,
  TIMING_NAMES,
  TargetConfigError,
  loadTargetConfig,
  parseTargetConfig,
  targetConfigPath,
  unmappedImages,
  type TargetConfig,
} from './config.js'
import { timingNames } from './builtin.js'

const FILE = '/etc/ock/target.yaml'
const parse = (text: string) => parseTargetConfig(text, FILE)

describe('target configuration', () => {
  const good: [what: string, yaml: string, check: (c: TargetConfig) => void][] = [
    [
      'images map kit images to pullable names',
      'images:\n  registry.internal/ock/app:1: reg.example/app:1\n',
      (c) => assert.deepEqual(c.images, { 'registry.internal/ock/app:1': 'reg.example/app:1' }),
    ],
    [
      'timings are durations in ms',
      'timings:\n  nodeMonitorGracePeriod: 40s\n  defaultNotReadyToleration: 5m\n  podInitialBackoff: 500ms\n',
      (c) => assert.deepEqual(c.timings, { nodeMonitorGracePeriod: 40_000, defaultNotReadyToleration: 300_000, podInitialBackoff: 500 }),
    ],
    [
      'a commands string is split into argv; a list is taken as is; relative programs are relative to the file',
      'faults:\n  provider: commands\n  commands:\n    stopKubelet: ssh {node} sudo systemctl stop kubelet\n    startKubelet: [./bin/start, "--node={node}", "a b"]\n    stopMaster: run\\ me {master}\n',
      (c) =>
        assert.deepEqual(c.faults, {
          provider: 'commands',
          timeoutMs: 60_000,
          commands: {
            stopKubelet: ['ssh', '{node}', 'sudo', 'systemctl', 'stop', 'kubelet'],
            startKubelet: ['/etc/ock/bin/start', '--node={node}', 'a b'],
            stopMaster: ['run me', '{master}'],
          },
        }),
    ],
    [
      'operations with a value take its placeholder beside the subject',
      'faults:\n  provider: commands\n  commands:\n    setPressure: ./p {node} on {condition}\n    clearPressure: [./p, "{node}", off, "--condition={condition}"]\n    setKubeletVersion: ./v {node} {version}\n    resetKubeletVersion: ./v {node} own\n    advanceScheduleClock: ./clock +{seconds}\n',
      (c) =>
        assert.deepEqual(c.faults, {
          provider: 'commands',
          timeoutMs: 60_000,
          commands: {
            setPressure: ['/etc/ock/p', '{node}', 'on', '{condition}'],
            clearPressure: ['/etc/ock/p', '{node}', 'off', '--condition={condition}'],
            setKubeletVersion: ['/etc/ock/v', '{node}', '{version}'],
            resetKubeletVersion: ['/etc/ock/v', '{node}', 'own'],
            advanceScheduleClock: ['/etc/ock/clock', '+{seconds}'],
          },
        }),
    ],
    [
      'docker has defaults',
      'faults:\n  provider: docker\n',
      (c) =>
        assert.deepEqual(c.faults, {
          provider: 'docker',
          timeoutMs: 60_000,
          binary: 'docker',
          containers: {},
          freeze: 'pause',
          units: { kubelet: 'kubelet', runtime: 'containerd' },
        }),
    ],
    [
      'docker settings; a binary path is relative to the file',
      'faults:\n  provider: docker\n  timeout: 5s\n  docker:\n    binary: ./fake-docker\n    containers: { w1: kind-worker }\n    freeze: sigstop\n    units: { runtime: crio }\n',
      (c) =>
        assert.deepEqual(c.faults, {
          provider: 'docker',
          timeoutMs: 5000,
          binary: '/etc/ock/fake-docker',
          containers: { w1: 'kind-worker' },
          freeze: 'sigstop',
          units: { kubelet: 'kubelet', runtime: 'crio' },
        }),
    ],
    ['audit from a log file', 'audit:\n  log: logs/audit.log\n', (c) => assert.deepEqual(c.audit, { log: ['/etc/ock/logs/audit.log'] })],
    [
      "audit from each API server's log",
      'audit:\n  log: [a.log, /var/log/b.log]\n',
      (c) => assert.deepEqual(c.audit, { log: ['/etc/ock/a.log', '/var/log/b.log'] }),
    ],
    ['audit through the webhook', 'audit:\n  webhook: true\n', (c) => assert.deepEqual(c.audit, { webhook: {} })],
    ['audit webhook settings are kept for the receiver', 'audit:\n  webhook: { port: 9443 }\n', (c) => assert.deepEqual(c.audit, { webhook: { port: 9443 } })],
    [
      "etcd endpoints, under kube-apiserver's default key prefix",
      'etcd:\n  endpoints: https://10.0.0.1:2379\n',
      (c) => assert.deepEqual(c.etcd, { endpoints: ['https://10.0.0.1:2379'], prefix: '/registry' }),
    ],
    ['an etcd key prefix, without its trailing "/"', 'etcd:\n  endpoints: [http://e:2379]\n  prefix: /k8s/\n', (c) => assert.equal(c.etcd?.prefix, '/k8s')],
    [
      'a control plane of stacked etcd: masters, their API servers, the members on them',
      'controlPlane:\n  loadBalancer: https://10.0.0.10:6443\n  etcdTopology: stacked\n  masters:\n    - { name: m0, apiServer: "https://10.0.0.11:6443", etcdEndpoints: ["https://10.0.0.11:2379"], auditLog: logs/m0.log }\n    - { name: m1, apiServer: "https://10.0.0.12:6443" }\n  etcdMembers:\n    - { name: m0, clientUrl: "https://10.0.0.11:2379", host: m0 }\n',
      (c) =>
        assert.deepEqual(c.controlPlane, {
          store: 'etcd',
          etcdTopology: 'stacked',
          loadBalancer: 'https://10.0.0.10:6443',
          masters: [
            { name: 'm0', apiServer: 'https://10.0.0.11:6443', up: true, etcdEndpoints: ['https://10.0.0.11:2379'], auditLog: '/etc/ock/logs/m0.log' },
            { name: 'm1', apiServer: 'https://10.0.0.12:6443', up: true, etcdEndpoints: [] },
          ],
          etcdMembers: [{ name: 'm0', clientUrl: 'https://10.0.0.11:2379', host: 'm0' }],
        }),
    ],
    [
      'a control plane without etcd described',
      'controlPlane:\n  masters: [{ name: m0, apiServer: "https://m0:6443" }]\n',
      (c) =>
        assert.deepEqual(c.controlPlane, {
          store: 'memory',
          masters: [{ name: 'm0', apiServer: 'https://m0:6443', up: true, etcdEndpoints: [] }],
          etcdMembers: [],
        }),
    ],
    ['a file of comments only is an empty configuration', '# nothing yet\n{}\n', (c) => assert.deepEqual(c, { file: FILE, images: {}, timings: {} })],
  ]
  for (const [what, yaml, check] of good) it(`reads ${what}`, () => check(parse(yaml)))

  const bad: [what: string, yaml: string, message: string][] = [
    ['an empty file', '', `${FILE}: expected a mapping with some of the keys images, timings, faults, audit, etcd, controlPlane, apiServer; the file is empty`],
    [
      'a list at the top',
      '- images\n',
      `${FILE}: expected a mapping with some of the keys images, timings, faults, audit, etcd, controlPlane, apiServer, got a list`,
    ],
    [
      'bad YAML',
      'images: [\n',
      `${FILE}: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1`,
    ],
    ['a duplicated key', 'etcd: {}\netcd: {}\n', `${FILE}: not valid YAML: Map keys must be unique at line 2, column 1`],
    ['a misspelt top key', 'imgaes: {}\n', `${FILE}: imgaes: unknown key; known keys are images, timings, faults, audit, etcd, controlPlane, apiServer`],
    [
      "an image that is not the kit's",
      'images:\n  registry.internal/ock/app:3: x\n',
      `${FILE}: images["registry.internal/ock/app:3"]: not one of the kit's images; they are ${KIT_IMAGES.join(', ')}`,
    ],
    [
      'an image mapped to nothing',
      'images:\n  registry.internal/ock/app:1:\n',
      `${FILE}: images["registry.internal/ock/app:1"]: expected a non-empty string, got nothing`,
    ],
    [
      'an unknown timing',
      'timings:\n  nodeMonitorGracePeriodd: 40s\n',
      `${FILE}: timings.nodeMonitorGracePeriodd: unknown timing; known timings are ${TIMING_NAMES.join(', ')}`,
    ],
    [
      'a timing without a unit',
      'timings:\n  nodeLeaseDuration: 40\n',
      `${FILE}: timings.nodeLeaseDuration: expected a duration such as 40s or 5m (ms, s, m, h), got number 40`,
    ],
    [
      'a timing in words',
      'timings:\n  nodeLeaseDuration: forty seconds\n',
      `${FILE}: timings.nodeLeaseDuration: expected a duration such as 40s or 5m (ms, s, m, h), got string "forty seconds"`,
    ],
    [
      'the builtin provider',
      'faults:\n  provider: builtin\n',
      `${FILE}: faults.provider: \`builtin\` is the reference cluster's own fault door, which only the builtin target has; for this cluster use commands or docker`,
    ],
    ['no provider', 'faults:\n  commands: {}\n', `${FILE}: faults.provider: expected one of commands, docker, got nothing`],
    ['an unknown provider', 'faults:\n  provider: ssh\n', `${FILE}: faults.provider: expected one of commands, docker, got string "ssh"`],
    [
      'commands without commands',
      'faults:\n  provider: commands\n',
      `${FILE}: faults.commands: missing: the commands provider needs a command for each operation it offers (stopKubelet, startKubelet, restartKubelet, freezeHeartbeats, unfreezeHeartbeats, stopRuntime, startRuntime, killEtcdMember, restartEtcdMember, stopMaster, startMaster, stopControllerManager, startControllerManager, stopScheduler, startScheduler, setPressure, clearPressure, setKubeletVersion, resetKubeletVersion, advanceScheduleClock)`,
    ],
    [
      'an unknown operation',
      'faults:\n  provider: commands\n  commands:\n    stopKublet: x\n',
      `${FILE}: faults.commands.stopKublet: unknown key; faults.commands takes stopKubelet, startKubelet, restartKubelet, freezeHeartbeats, unfreezeHeartbeats, stopRuntime, startRuntime, killEtcdMember, restartEtcdMember, stopMaster, startMaster, stopControllerManager, startControllerManager, stopScheduler, startScheduler, setPressure, clearPressure, setKubeletVersion, resetKubeletVersion, advanceScheduleClock`,
    ],
    [
      'a wrong placeholder',
      'faults:\n  provider: commands\n  commands:\n    killEtcdMember: ssh {node} pkill etcd\n',
      `${FILE}: faults.commands.killEtcdMember: unknown placeholder {node}; killEtcdMember acts on a member: use {member}`,
    ],
    [
      'a value placeholder on an operation that takes none',
      'faults:\n  provider: commands\n  commands:\n    stopKubelet: ssh {node} stop {version}\n',
      `${FILE}: faults.commands.stopKubelet: unknown placeholder {version}; stopKubelet acts on a node: use {node}`,
    ],
    [
      "another operation's value placeholder",
      'faults:\n  provider: commands\n  commands:\n    setPressure: ssh {node} pressure {version}\n',
      `${FILE}: faults.commands.setPressure: unknown placeholder {version}; setPressure acts on a node with a pressure condition: use {node} and {condition}`,
    ],
    [
      'a pressure command that is not told which pressure',
      'faults:\n  provider: commands\n  commands:\n    setPressure: ssh {node} fill-disk\n',
      `${FILE}: faults.commands.setPressure: missing the placeholder {condition}: setPressure must be told which condition`,
    ],
    [
      'a version command that is not told which version',
      'faults:\n  provider: commands\n  commands:\n    setKubeletVersion: [ssh, "{node}", install-kubelet]\n',
      `${FILE}: faults.commands.setKubeletVersion: missing the placeholder {version}: setKubeletVersion must be told which version`,
    ],
    [
      "a subject placeholder on the clock, which is the cluster's",
      'faults:\n  provider: commands\n  commands:\n    advanceScheduleClock: ssh {master} faketime {seconds}\n',
      `${FILE}: faults.commands.advanceScheduleClock: unknown placeholder {master}; advanceScheduleClock acts on the cluster with a number of seconds: use {seconds}`,
    ],
    [
      'the own version given a version',
      'faults:\n  provider: commands\n  commands:\n    resetKubeletVersion: ssh {node} install-kubelet {version}\n',
      `${FILE}: faults.commands.resetKubeletVersion: unknown placeholder {version}; resetKubeletVersion acts on a node: use {node}`,
    ],
    [
      'a placeholder as the program',
      'faults:\n  provider: commands\n  commands:\n    stopKubelet: "{node} stop"\n',
      `${FILE}: faults.commands.stopKubelet: the program to run cannot be a placeholder ({node})`,
    ],
    [
      'an empty command',
      'faults:\n  provider: commands\n  commands:\n    stopKubelet: "  "\n',
      `${FILE}: faults.commands.stopKubelet: expected a command, got an empty one`,
    ],
    [
      'a command that is a mapping',
      'faults:\n  provider: commands\n  commands:\n    stopKubelet: { run: x }\n',
      `${FILE}: faults.commands.stopKubelet: expected a command (a string, or a list of arguments), got a mapping`,
    ],
    [
      "the other provider's settings",
      'faults:\n  provider: commands\n  docker: {}\n  commands: { stopKubelet: x }\n',
      `${FILE}: faults.docker: belongs to the docker provider, but faults.provider is commands`,
    ],
    [
      'a bad freeze',
      'faults:\n  provider: docker\n  docker: { freeze: stop }\n',
      `${FILE}: faults.docker.freeze: expected pause or sigstop, got string "stop"`,
    ],
    [
      'an unknown docker key',
      'faults:\n  provider: docker\n  docker: { bin: x }\n',
      `${FILE}: faults.docker.bin: unknown key; faults.docker takes binary, containers, freeze, units`,
    ],
    [
      'a container name that is an option',
      'faults:\n  provider: docker\n  docker: { containers: { w1: --privileged } }\n',
      `${FILE}: faults.docker.containers.w1: expected a container name (letters, digits, "_", "." and "-"), got "--privileged"`,
    ],
    [
      'a bad timeout',
      'faults:\n  provider: docker\n  timeout: soon\n',
      `${FILE}: faults.timeout: expected a duration such as 30s (ms, s, m, h), got string "soon"`,
    ],
    ['audit with both', 'audit: { log: a, webhook: true }\n', `${FILE}: audit: expected either log or webhook, not both`],
    ['audit with neither', 'audit: {}\n', `${FILE}: audit: expected log (the path of an audit log file) or webhook (the kit receives the events)`],
    [
      'audit as a path',
      'audit: /var/log/audit.log\n',
      `${FILE}: audit: expected a mapping with some of the keys log, webhook, got string "/var/log/audit.log"`,
    ],
    ['etcd without endpoints', 'etcd: { ca: ca.crt }\n', `${FILE}: etcd.endpoints: expected a list of client URLs (https://10.0.0.1:2379), got nothing`],
    [
      'an etcd endpoint that is no URL',
      'etcd:\n  endpoints: [10.0.0.1:2379]\n',
      `${FILE}: etcd.endpoints[0]: expected a client URL such as https://10.0.0.1:2379, got "10.0.0.1:2379"`,
    ],
    [
      'an etcd prefix that is no key prefix',
      'etcd:\n  endpoints: [https://e:2379]\n  prefix: registry\n',
      `${FILE}: etcd.prefix: expected a key prefix such as /registry (kube-apiserver --etcd-prefix), got "registry"`,
    ],
    [
      'an etcd CA that does not exist',
      'etcd:\n  endpoints: [https://e:2379]\n  ca: pki/ca.crt\n',
      `${FILE}: etcd.ca: expected an existing file, but /etc/ock/pki/ca.crt does not exist`,
    ],
    [
      'a control plane without masters',
      'controlPlane: { etcdTopology: stacked }\n',
      `${FILE}: controlPlane.masters: expected a list of masters (name, apiServer, etcdEndpoints, auditLog), got nothing`,
    ],
    [
      'a master name a command could not take',
      'controlPlane:\n  masters: [{ name: "-rf", apiServer: "https://m0:6443" }]\n',
      `${FILE}: controlPlane.masters[0].name: expected a name of letters, digits, ".", "_", ":" and "-", got "-rf"`,
    ],
    [
      'an API server that is no URL',
      'controlPlane:\n  masters: [{ name: m0, apiServer: "m0:6443" }]\n',
      `${FILE}: controlPlane.masters[0].apiServer: expected a URL such as https://10.0.0.11:6443, got "m0:6443"`,
    ],
    [
      'a master listed twice',
      'controlPlane:\n  masters: [{ name: m0, apiServer: "https://a:6443" }, { name: m0, apiServer: "https://b:6443" }]\n',
      `${FILE}: controlPlane.masters: the master m0 is listed twice`,
    ],
    [
      'an unknown etcd topology',
      'controlPlane:\n  etcdTopology: local\n  masters: [{ name: m0, apiServer: "https://a:6443" }]\n',
      `${FILE}: controlPlane.etcdTopology: expected stacked (a member on every master) or external (a separate etcd cluster), got string "local"`,
    ],
    [
      'etcd members without a topology',
      'controlPlane:\n  masters: [{ name: m0, apiServer: "https://a:6443" }]\n  etcdMembers: [{ name: e0, clientUrl: "https://e:2379" }]\n',
      `${FILE}: controlPlane.etcdMembers: expected etcdTopology (stacked or external) beside the members`,
    ],
    [
      'a stacked member on no listed master',
      'controlPlane:\n  etcdTopology: stacked\n  masters: [{ name: m0, apiServer: "https://a:6443" }]\n  etcdMembers: [{ name: e0, clientUrl: "https://e:2379", host: m9 }]\n',
      `${FILE}: controlPlane.etcdMembers[0].host: expected the master this stacked member runs on (m0), got "m9"`,
    ],
    [
      'an external member on a master',
      'controlPlane:\n  etcdTopology: external\n  masters: [{ name: m0, apiServer: "https://a:6443" }]\n  etcdMembers: [{ name: e0, clientUrl: "https://e:2379", host: m0 }]\n',
      `${FILE}: controlPlane.etcdMembers[0].host: an external etcd member runs on no master: leave host out, or make etcdTopology stacked`,
    ],
  ]
  for (const [what, yaml, message] of bad) {
    it(`refuses ${what}, naming the file and the key`, () => {
      assert.throws(
        () => parse(yaml),
        (e: unknown) => {
          assert.ok(e instanceof TargetConfigError)
          assert.equal(e.message, message)
          assert.equal(e.stack, `TargetConfigError: ${message}`, "no stack trace for a mistake in the user's file")
          return true
        },
      )
    })
  }

  describe('files', () => {
    let dir: string
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ock-targetconfig-'))
      for (const f of ['ca.crt', 'client.crt', 'client.key']) await writeFile(join(dir, f), 'pem')
    })
    after(() => rm(dir, { recursive: true, force: true }))

    it('resolves etcd certificate paths beside the file', async () => {
      await writeFile(join(dir, 't.yaml'), 'etcd:\n  endpoints: [https://e:2379]\n  ca: ca.crt\n  cert: client.crt\n  key: client.key\n')
      assert.deepEqual(loadTargetConfig(join(dir, 't.yaml')).etcd, {
        endpoints: ['https://e:2379'],
        ca: join(dir, 'ca.crt'),
        cert: join(dir, 'client.crt'),
        key: join(dir, 'client.key'),
        prefix: '/registry',
      })
    })

    it("reads the API servers' files beside it, and refuses one that is not there", async () => {
      await writeFile(join(dir, 'admission.yaml'), 'kind: AdmissionConfiguration\n')
      await writeFile(join(dir, 't.yaml'), 'apiServer:\n  admissionControlConfigFile: admission.yaml\n')
      assert.deepEqual(loadTargetConfig(join(dir, 't.yaml')).apiServer, { admissionControlConfigFile: join(dir, 'admission.yaml') })
      await writeFile(join(dir, 't.yaml'), 'apiServer:\n  tokenAuthFile: tokens.csv\n')
      assert.throws(() => loadTargetConfig(join(dir, 't.yaml')), {
        message: `${join(dir, 't.yaml')}: apiServer.tokenAuthFile: expected an existing file, but ${join(dir, 'tokens.csv')} does not exist`,
      })
    })

    it('refuses a cert without its key', async () => {
      await writeFile(join(dir, 't.yaml'), 'etcd:\n  endpoints: [https://e:2379]\n  cert: client.crt\n')
      assert.throws(() => loadTargetConfig(join(dir, 't.yaml')), {
        message: `${join(dir, 't.yaml')}: etcd.key: expected cert and key together (a client certificate and its key)`,
      })
    })

    it('says when the file is not there', () => {
      assert.throws(() => loadTargetConfig(join(dir, 'none.yaml')), {
        name: 'TargetConfigError',
        message: `${join(dir, 'none.yaml')}: cannot read the target configuration (no such file)`,
      })
    })

    it('reads the documented example', () => {
      const c = loadTargetConfig(fileURLToPath(new URL('../../docs/target-config.example.yaml', import.meta.url)))
      assert.deepEqual(unmappedImages(c), [])
      assert.equal(c.faults?.provider, 'commands')
      assert.equal(c.timings.nodeMonitorGracePeriod, 40_000)
      assert.equal(c.etcd?.endpoints.length, 3)
      assert.deepEqual(
        c.controlPlane?.masters.map((m) => m.name),
        ['master-0', 'master-1', 'master-2'],
      )
      assert.equal(c.controlPlane?.etcdTopology, 'stacked')
    })
  })

  it('knows the same timing names as the builtin target', () => {
    assert.deepEqual([...TIMING_NAMES].sort(), timingNames().sort())
  })

  it('lists the kit images a configuration does not map', () => {
    assert.deepEqual(unmappedImages(parse('images:\n  registry.internal/ock/app:1: a\n  registry.internal/ock/tool:2: b\n')), [
      'registry.internal/ock/app:2',
      'registry.internal/ock/tool:1',
    ])
  })

  it('is named by the world parameter, else by OCK_TARGET_CONFIG', () => {
    assert.equal(targetConfigPath('p.yaml', { OCK_TARGET_CONFIG: 'e.yaml' }), 'p.yaml')
    assert.equal(targetConfigPath(undefined, { OCK_TARGET_CONFIG: 'e.yaml' }), 'e.yaml')
    assert.equal(targetConfigPath(undefined, {}), undefined)
  })
})
