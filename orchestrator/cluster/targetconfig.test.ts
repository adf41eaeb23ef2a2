import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parse } from 'yaml'
import { durationText, runningTimings, targetConfigYaml, type TargetConfigInput } from './targetconfig.js'
import type { Topology } from './topology.js'

describe('the timings ock up runs with', () => {
  const cases: [what: string, topology: Topology, expected: Record<string, number>][] = [
    [
      "each component's default (upstream's)",
      {},
      {
        kubeletRelistPeriod: 1_000,
        nodeLeaseDuration: 40_000,
        containerRestartBackOff: 10_000,
        containerRestartBackOffCap: 300_000,
        nodeMonitorGracePeriod: 50_000,
        defaultNotReadyToleration: 300_000,
        podInitialBackoff: 1_000,
        leaseDuration: 15_000,
        storeTimeout: 10_000,
        metricResolution: 15_000,
        jobPodFailureBackOffCap: 600_000,
      },
    ],
    ['the store timeout on etcd', { store: 'etcd' }, { storeTimeout: 8_000 }],
    ['a stated store timeout', { store: 'etcd', storeTimeoutMs: 3_000 }, { storeTimeout: 3_000 }],
    [
      'what the topology sets, the rest default',
      { timings: { kubelet: { nodeLeaseDurationMs: 4_000 }, nodeLifecycle: { nodeMonitorGracePeriodMs: 2_000 } }, leaderElection: { retryPeriodMs: 500 } },
      {
        nodeLeaseDuration: 4_000,
        kubeletRelistPeriod: 1_000,
        nodeMonitorGracePeriod: 2_000,
        nodeMonitorPeriod: 5_000,
        retryPeriod: 500,
        leaseDuration: 15_000,
      },
    ],
    ['an undefined field keeps the default', { leaderElection: { leaseDurationMs: undefined } }, { leaseDuration: 15_000 }],
    ['toleration flags', { defaultTolerationSeconds: { notReady: 30 } }, { defaultNotReadyToleration: 30_000, defaultUnreachableToleration: 300_000 }],
    [
      "the admission configuration's DefaultTolerationSeconds wins over the flags",
      {
        defaultTolerationSeconds: { notReady: 30, unreachable: 40 },
        admission:
          'apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n  - name: DefaultTolerationSeconds\n    configuration:\n      apiVersion: apiserver.config.k8s.io/v1\n      kind: DefaultTolerationSecondsConfiguration\n      defaultNotReadyTolerationSeconds: 7\n',
      },
      { defaultNotReadyToleration: 7_000, defaultUnreachableToleration: 40_000 },
    ],
  ]
  for (const [what, topology, expected] of cases) {
    it(what, () => {
      const t = runningTimings(topology)
      for (const [name, ms] of Object.entries(expected)) assert.equal(t[name], ms, name)
      assert.equal(Object.keys(t).length, 22, 'every timing name is written')
    })
  }
})

describe('durations as the file writes them', () => {
  const cases: [ms: number, text: string][] = [
    [200, '200ms'],
    [1_000, '1s'],
    [1_500, '1500ms'],
    [40_000, '40s'],
    [90_000, '90s'],
    [300_000, '5m'],
    [3_600_000, '1h'],
    [0, '0ms'],
  ]
  for (const [ms, text] of cases) it(`${ms} ms -> ${text}`, () => assert.equal(durationText(ms), text))
})

describe('the target configuration ock up writes', () => {
  const base: TargetConfigInput = { runtime: 'sim', timings: { nodeMonitorGracePeriod: 50_000 }, etcdEndpoints: [] }
  const cases: [what: string, input: TargetConfigInput, keys: string[], has: RegExp[]][] = [
    ['simulated runtime, memory store, no fault commands: timings only', base, ['timings'], [/^# faults: none given/m]],
    [
      "docker runtime: the kit's images, each its own name",
      { ...base, runtime: 'docker' },
      ['images', 'timings'],
      [/^ {2}registry\.internal\/ock\/app:1: registry\.internal\/ock\/app:1$/m],
    ],
    [
      'etcd: its endpoints, no certificates',
      { ...base, etcdEndpoints: ['http://127.0.0.1:2379', 'http://127.0.0.1:2381'] },
      ['timings', 'etcd'],
      [/plain HTTP/],
    ],
    ['an audit log', { ...base, auditLogs: ['/var/log/ock/audit.log'] }, ['timings', 'audit'], [/^ {4}- \/var\/log\/ock\/audit\.log$/m]],
    [
      'the audit logs of three masters',
      { ...base, auditLogs: ['/l/audit.log', '/l/audit-master-1.log', '/l/audit-master-2.log'] },
      ['timings', 'audit'],
      [/^ {4}- \/l\/audit\.log\n {4}- \/l\/audit-master-1\.log\n {4}- \/l\/audit-master-2\.log$/m],
    ],
    [
      'a fault provider, when one is wired in',
      { ...base, faults: { provider: 'commands', commands: { stopKubelet: ['kill', '-STOP', '{node}'] } } },
      ['timings', 'faults'],
      [/^faults:\n {2}provider: commands$/m],
    ],
    [
      "the API servers' files, when it was given them",
      { ...base, apiServer: { admissionControlConfigFile: '/s/.ock/admission-config.yaml', tokenAuthFile: '/s/tokens.csv' } },
      ['timings', 'apiServer'],
      [/^apiServer:\n {2}admissionControlConfigFile: \/s\/\.ock\/admission-config\.yaml\n {2}tokenAuthFile: \/s\/tokens\.csv$/m],
    ],
  ]
  for (const [what, input, keys, has] of cases) {
    it(what, () => {
      const text = targetConfigYaml(input)
      assert.deepEqual(Object.keys((parse(text) as Record<string, unknown>) ?? {}), keys)
      for (const re of has) assert.match(text, re)
      if (input.faults) assert.doesNotMatch(text, /not written yet/)
    })
  }
})
