// The target configuration `ock up` writes for itself (orchestrator/cluster/targetconfig.ts)
// loads cleanly with the cluster target's loader, for the flag combinations ock up takes.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Cluster } from '../../orchestrator/cluster/cluster.js'
import { faultCommandsFor } from '../../orchestrator/cluster/faultcontrol.js'
import { runningTimings, targetConfigOf, writeTargetConfig, type TargetConfigFaults } from '../../orchestrator/cluster/targetconfig.js'
import type { Topology } from '../../orchestrator/cluster/topology.js'
import { KIT_IMAGES, TIMING_NAMES, loadTargetConfig, unmappedImages } from './config.js'

/** A started cluster as targetConfigOf sees it: the topology `ock up` built from its flags, and one etcd member per master (stacked) or per --etcd-members. */
function clusterOf(t: Topology): Pick<Cluster, 'topology' | 'describe'> {
  const members = t.store !== 'etcd' ? 0 : (t.etcdTopology ?? 'stacked') === 'stacked' ? (t.masters ?? 1) : (t.etcdMembers ?? 3)
  const etcdMembers = Array.from({ length: members }, (_, i) => ({ name: `etcd-${i}`, clientUrl: `http://127.0.0.1:${2379 + 2 * i}` }))
  // each master's API server writes its own audit log: the first at the path, master-N beside it
  const stacked = members > 0 && (t.etcdTopology ?? 'stacked') === 'stacked'
  const masters = Array.from({ length: t.masters ?? 1 }, (_, i) => ({
    name: `master-${i}`,
    apiServer: `https://127.0.0.1:${6443 + i}`,
    up: true,
    etcdEndpoints: stacked ? [etcdMembers[i]!.clientUrl] : etcdMembers.map((m) => m.clientUrl),
    ...(t.audit?.path ? { auditLog: i === 0 ? t.audit.path : t.audit.path.replace(/\.log$/, `-master-${i}.log`) } : {}),
  }))
  const described: ReturnType<Cluster['describe']> = {
    store: t.store ?? 'memory',
    ...(members ? { etcdTopology: stacked ? 'stacked' : 'external' } : {}),
    ...((t.masters ?? 1) > 1 ? { loadBalancer: 'https://127.0.0.1:6440' } : {}),
    etcdMembers: etcdMembers.map((m, i) => ({ ...m, ...(stacked ? { host: `master-${i}` } : {}) })),
    masters,
  }
  return { topology: t, describe: () => described }
}

describe('the target configuration ock up writes loads with loadTargetConfig', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ock-upconfig-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  const kill: TargetConfigFaults = {
    provider: 'commands',
    timeoutMs: 10_000,
    commands: { freezeHeartbeats: ['kill', '-STOP', '{node}'], unfreezeHeartbeats: ['kill', '-CONT', '{node}'] },
  }
  const cases: [flags: string, topology: Topology, images: boolean, etcd: number, audit: boolean, faults?: TargetConfigFaults][] = [
    ['ock up --nodes 3', { nodes: 3 }, false, 0, false],
    ['ock up --runtime docker', { runtime: 'docker' }, true, 0, false],
    ['ock up --store etcd', { store: 'etcd' }, false, 1, false],
    ['ock up --runtime docker --store etcd --masters 3', { runtime: 'docker', store: 'etcd', masters: 3 }, true, 3, false],
    [
      'ock up --store etcd --masters 3 --topology external --etcd-members 5',
      { store: 'etcd', masters: 3, etcdTopology: 'external', etcdMembers: 5 },
      false,
      5,
      false,
    ],
    ['ock up --audit-log-path audit.log', { audit: { path: 'audit.log' } }, false, 0, true],
    ['ock up --masters 3 --audit-log-path audit.log', { masters: 3, audit: { path: 'audit.log' } }, false, 0, true],
    ['ock up --store etcd, with a fault provider wired in', { store: 'etcd' }, false, 1, false, kill],
    ['ock up --store etcd, with its own fault commands (faultCommandsFor)', { store: 'etcd' }, false, 1, false, faultCommandsFor('/run/ock', { etcd: true })],
  ]
  for (const [flags, topology, images, etcd, audit, faults] of cases) {
    it(flags, async () => {
      const file = join(dir, `${flags.replace(/\W+/g, '-')}.yaml`)
      await writeTargetConfig(file, targetConfigOf(clusterOf(topology), faults))
      assert.equal((await stat(file)).mode & 0o777, 0o600, 'readable by its owner only')
      const c = loadTargetConfig(file)
      assert.deepEqual(Object.keys(c.timings).sort(), [...TIMING_NAMES].sort(), 'every timing the kit knows')
      assert.deepEqual(c.timings, runningTimings(topology))
      assert.deepEqual(unmappedImages(c), images ? [] : [...KIT_IMAGES])
      if (images) for (const i of KIT_IMAGES) assert.equal(c.images[i], i)
      assert.equal(c.etcd?.endpoints.length ?? 0, etcd)
      assert.equal(c.etcd?.cert, undefined, "ock up's etcd has no client certificates")
      const logs = audit ? ['audit.log', ...Array.from({ length: (topology.masters ?? 1) - 1 }, (_, i) => `audit-master-${i + 1}.log`)] : undefined
      assert.deepEqual(
        c.audit && 'log' in c.audit ? c.audit.log : undefined,
        logs?.map((l) => join(process.cwd(), l)),
      )
      // the control plane as the cluster describes itself, every master taken as up
      const d = clusterOf(topology).describe()
      assert.deepEqual(c.controlPlane, {
        ...d,
        masters: d.masters.map((m) => ({ ...m, ...(m.auditLog ? { auditLog: join(process.cwd(), m.auditLog) } : {}) })),
      })
      if (faults) assert.deepEqual(c.faults, { provider: 'commands', timeoutMs: faults.timeoutMs ?? 60_000, commands: faults.commands })
      else assert.equal(c.faults, undefined)
    })
  }
})
