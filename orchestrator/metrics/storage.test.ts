import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { formatMemory, formatNanoCores, goDuration, parseGoDuration } from '../api/metrics.js'
import { decodeResourceMetrics, parseSample, type MetricsPoint, type NodeBatch } from './scrape.js'
import { MetricsStorage, usageBetween } from './storage.js'

const KUBELET_TEXT = `# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds
# TYPE container_cpu_usage_seconds_total counter
container_cpu_usage_seconds_total{container="app",namespace="shop",pod="web-1"} 2.5 1700000015000
container_cpu_usage_seconds_total{container="side",namespace="shop",pod="web-1"} 1 1700000015000
# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{container="app",namespace="shop",pod="web-1"} 4.194304e+06 1700000015000
container_memory_working_set_bytes{container="side",namespace="shop",pod="web-1"} 1024 1700000015000
container_start_time_seconds{container="app",namespace="shop",pod="web-1"} 1.7e+09 1700000015000
container_start_time_seconds{container="side",namespace="shop",pod="web-1"} 1.7e+09 1700000015000
node_cpu_usage_seconds_total 100 1700000015000
node_memory_working_set_bytes 8.388608e+06 1700000015000
resource_scrape_error 0
`

describe('metrics-server', () => {
  it('parses Prometheus sample lines, escapes included', () => {
    assert.deepEqual(parseSample('a_b{x="1",y="q\\"uote"} 1.5e+06 17'), { name: 'a_b', labels: { x: '1', y: 'q"uote' }, value: 1.5e6, timestamp: 17 })
    assert.deepEqual(parseSample('up 1'), { name: 'up', labels: {}, value: 1, timestamp: undefined })
    assert.equal(parseSample('# HELP up whatever'), undefined)
    assert.throws(() => parseSample('{x="1"} 2'), /malformed/)
  })

  it('decodes a kubelet scrape into node and container points', () => {
    const b = decodeResourceMetrics(KUBELET_TEXT)
    assert.deepEqual(b.node, { startTime: 0, timestamp: 1700000015000, cumulativeCpuNanos: 100e9, memoryBytes: 8388608 })
    const pod = b.pods.get('shop/web-1')!
    assert.deepEqual([...pod.containers.keys()], ['app', 'side'])
    assert.deepEqual(pod.containers.get('app'), { startTime: 1.7e12, timestamp: 1700000015000, cumulativeCpuNanos: 2.5e9, memoryBytes: 4194304 })
  })

  it('computes usage as the rate between two readings', () => {
    const p = (t: number, cpuSeconds: number, mem = 100, start = 0): MetricsPoint => ({
      startTime: start,
      timestamp: t,
      cumulativeCpuNanos: cpuSeconds * 1e9,
      memoryBytes: mem,
    })
    const table: [string, MetricsPoint | undefined, MetricsPoint, number | undefined][] = [
      ['no previous reading', undefined, p(15_000, 1), undefined],
      ['250m over 15 s', p(0, 1), p(15_000, 4.75), 250_000_000],
      ['idle', p(0, 1), p(10_000, 1), 0],
      ['a counter that went back', p(0, 5), p(15_000, 1), undefined],
      ['no time between readings', p(15_000, 1), p(15_000, 2), undefined],
    ]
    for (const [what, prev, last, cpu] of table) assert.equal(usageBetween(prev, last)?.cpuNanoCores, cpu, what)
    assert.deepEqual(usageBetween(p(0, 1), p(15_000, 4.75, 7)), { cpuNanoCores: 250_000_000, memoryBytes: 7, timestamp: 15_000, windowMs: 15_000 })
  })

  it('serves a pod only once every container has two readings of the same start', () => {
    const s = new MetricsStorage()
    const batch = (t: number, cpu: Record<string, [number, number]>, nodeCpu: number): Map<string, NodeBatch> => {
      const containers = new Map(
        Object.entries(cpu).map(([c, [sec, start]]) => [c, { startTime: start, timestamp: t, cumulativeCpuNanos: sec * 1e9, memoryBytes: 1024 }] as const),
      )
      return new Map([
        [
          'node-1',
          {
            node: { startTime: 0, timestamp: t, cumulativeCpuNanos: nodeCpu * 1e9, memoryBytes: 2048 },
            pods: new Map([['shop/web-1', { namespace: 'shop', name: 'web-1', containers }]]),
          },
        ],
      ])
    }
    s.store(batch(0, { app: [1, 5] }, 10))
    assert.equal(s.podUsage('shop', 'web-1'), undefined, 'one reading gives no rate')
    assert.equal(s.nodeUsage('node-1'), undefined)
    s.store(batch(10_000, { app: [3, 5], side: [0, 9_000] }, 30))
    assert.equal(s.podUsage('shop', 'web-1'), undefined, 'the new container has one reading')
    assert.equal(s.nodeUsage('node-1')?.cpuNanoCores, 2_000_000_000)
    s.store(batch(20_000, { app: [4, 5], side: [0.5, 9_000] }, 31.5))
    const u = s.podUsage('shop', 'web-1')!
    assert.deepEqual(
      u.containers.map(([c, x]) => [c, x.cpuNanoCores]),
      [
        ['app', 100_000_000],
        ['side', 50_000_000],
      ],
    )
    assert.equal(u.windowMs, 10_000)
    s.store(batch(30_000, { app: [0.1, 25_000], side: [0.6, 9_000] }, 32))
    assert.equal(s.podUsage('shop', 'web-1'), undefined, 'a restarted container starts over')
    s.store(new Map())
    assert.equal(s.nodeUsage('node-1'), undefined, 'a node that was not scraped is forgotten')
  })

  it('spells quantities and windows as metrics-server does', () => {
    for (const [n, q] of [
      [0, '0'],
      [250_000_000, '250m'],
      [1_000_000_000, '1'],
      [123_456_789, '123456789n'],
      [1_500_000, '1500u'],
      [2_500_000_000, '2500m'],
    ] as const)
      assert.equal(formatNanoCores(n), q)
    for (const [b, q] of [
      [4 * 1024 * 1024, '4Mi'],
      [12_345_678, '12345678'],
      [0, '0'],
    ] as const)
      assert.equal(formatMemory(b), q)
    for (const [ms, d] of [
      [15_012, '15.012s'],
      [500, '500ms'],
      [60_000, '1m0s'],
      [90_500, '1m30.5s'],
    ] as const) {
      assert.equal(goDuration(ms), d)
      assert.equal(parseGoDuration(d), ms)
    }
  })
})
