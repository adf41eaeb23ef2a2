// Benchmark: latency of sequential writes (creates of 256-byte values through the etcd store) on
// fresh etcd clusters of 1, 3 and 5 members, one after the other on this machine. The 1-member
// cluster is the baseline of the same run: only the leader writes and each write waits for a
// quorum to persist it, so more members should never be faster. Writes JSON to
// reports/bench/etcd-write-latency.json.
//   npm run bench:etcd [-- --writes 1000] [--members 1,3,5] [--out reports/bench/etcd-write-latency.json]

import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { EtcdCluster } from '../orchestrator/cluster/etcd.js'
import { measureWriteLatency, type WriteLatency } from '../orchestrator/cluster/etcdlatency.js'
import { etcdAvailable } from '../orchestrator/cluster/etcdmember.js'

const { values } = parseArgs({
  options: {
    writes: { type: 'string', default: '500' },
    members: { type: 'string', default: '1,3,5' },
    out: { type: 'string', default: 'reports/bench/etcd-write-latency.json' },
  },
})
const writes = Number(values.writes)
// the first size is the baseline (1 by default)
const sizes = values.members!.split(',').map(Number)
const etcd = await etcdAvailable()
if (!etcd.ok) {
  console.error(`bench: ${etcd.reason}`)
  process.exit(2)
}
const results: WriteLatency[] = []
for (const members of sizes) {
  const c = await EtcdCluster.start({ members })
  try {
    results.push(await measureWriteLatency(c, writes))
  } finally {
    await c.destroy()
  }
  const r = results.at(-1)!
  console.log(`${members} member(s): p50 ${r.p50} ms, p90 ${r.p90} ms, p99 ${r.p99} ms, mean ${r.mean} ms over ${writes} writes`)
}
const baseline = results[0]!
const report = {
  benchmark: 'etcd-write-latency',
  measured: new Date().toISOString(),
  etcdVersion: etcd.version,
  unit: 'ms',
  writesPerCluster: writes,
  baseline: { members: baseline.members, p50: baseline.p50 },
  results: results.map((r) => ({ ...r, p50VsBaseline: Math.round((r.p50 / baseline.p50) * 100) / 100 })),
}
const out = resolve(values.out!)
await mkdir(dirname(out), { recursive: true })
await writeFile(out, JSON.stringify(report, null, 2) + '\n')
console.log(`wrote ${out}`)
