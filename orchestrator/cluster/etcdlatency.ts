// How fast an etcd cluster takes writes: sequential creates through the etcd store after a
// warm-up, as percentiles in ms (a benchmark helper for bench/etcd-write-latency.ts). Mirrors
// the idea of `etcdctl check perf` / the benchmark tool's put test; simplified: one client, one
// key at a time, fixed 256-byte values.

import { EtcdStore } from '../store/etcd.js'
import type { EtcdCluster } from './etcd.js'

/** Latency of `writes` sequential creates through the store, in ms (a benchmark helper). */
export interface WriteLatency {
  members: number
  writes: number
  p50: number
  p90: number
  p99: number
  mean: number
}

export async function measureWriteLatency(cluster: EtcdCluster, writes: number): Promise<WriteLatency> {
  const store = new EtcdStore({ endpoints: cluster.endpoints })
  try {
    // warm up the connection and the leader
    for (let i = 0; i < 10; i++) await store.create(`/bench/warmup/${i}`, 'x')
    const samples: number[] = []
    const value = 'v'.repeat(256)
    for (let i = 0; i < writes; i++) {
      const t0 = performance.now()
      await store.create(`/bench/w/${i}`, value)
      samples.push(performance.now() - t0)
    }
    samples.sort((a, b) => a - b)
    const q = (p: number): number => round(samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!)
    return { members: cluster.members.length, writes, p50: q(0.5), p90: q(0.9), p99: q(0.99), mean: round(samples.reduce((a, b) => a + b, 0) / samples.length) }
  } finally {
    await store.close()
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}
