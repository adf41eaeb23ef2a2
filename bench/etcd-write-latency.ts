// Benchmark: latency of sequential writes (creates of 256-byte values through the etcd store) on
// fresh etcd clusters of 1, 3 and 5 members, one after the other on this machine. The 1-member
// cluster is the baseline of the same run: only the leader writes and each write waits for a
// quorum to persist it, so more members should never be faster. Writes JSON to
// reports/bench/etcd-write-latency.json.
//   npm run bench:etcd [-- --writes 1000]

import { mkdir, writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { EtcdCluster, etcdAvailable, measureWriteLatency, type WriteLatency } from '../orchestrator/cluster/etcd.js'

const { values } = parseArgs({ options: { writes: { type: 'string', default: '500' } } })
const writes = Number(values.writes)
const etcd = await etcdAvailable()
if (!etcd.ok) {
  console.error(`bench: ${etcd.reason}`)
  process.exit(2)
}
const results: WriteLatency[] = []
for (const members of [1, 3, 5]) {
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
  baseline: { members: 1, p50: baseline.p50 },
  results: results.map((r) => ({ ...r, p50VsBaseline: Math.round((r.p50 / baseline.p50) * 100) / 100 })),
}
await mkdir('reports/bench', { recursive: true })
await writeFile('reports/bench/etcd-write-latency.json', JSON.stringify(report, null, 2) + '\n')
console.log('wrote reports/bench/etcd-write-latency.json')
