import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KObject } from '../../api/meta.js'
import { MemoryStore } from '../../store/memory.js'
import type { KeyValue } from '../../store/store.js'
import { eventually, holdsWithin } from '../../testing/eventually.js'
import { AdmissionCache } from './admissioncache.js'

const NS = '/registry/namespaces/'
const RQ = '/registry/resourcequotas/'
const nsValue = (name: string, phase = 'Active'): string => JSON.stringify({ metadata: { name }, status: { phase } })
const quotaValue = (ns: string, name: string): string => JSON.stringify({ metadata: { name, namespace: ns }, spec: { hard: { pods: '1' } } })
const decode = (kv: KeyValue): KObject => ({ ...(JSON.parse(kv.value) as KObject), rv: kv.modRevision }) as KObject
const phaseOf = (o: KObject | undefined): string | undefined => (o as { status?: { phase?: string } } | undefined)?.status?.phase

const until = (what: string, ok: () => boolean): Promise<true> => eventually(what, () => ok(), 2_000, 5)

type Setup = Awaited<ReturnType<typeof setup>>

/** Waits until each watch has delivered every write made so far: a sentinel written after them shows up. */
async function watchesCaughtUp({ store, cache }: Pick<Setup, 'store' | 'cache'>): Promise<void> {
  await store.create(`${NS}zz-sentinel`, nsValue('zz-sentinel'))
  await until('the namespace watch delivered the sentinel', () => cache.namespace('zz-sentinel') !== undefined)
  await store.create(`${RQ}zz-sentinel/q`, quotaValue('zz-sentinel', 'q'))
  // a live list that fails is neither counted nor remembered
  await eventually(
    'the quota watch delivered the sentinel',
    async () => (await cache.resourceQuotas('zz-sentinel', () => Promise.reject(new Error('not watched yet')))).length > 0,
    2_000,
    5,
  )
}

async function setup(opts: { ttl?: number; seed?: (s: MemoryStore) => Promise<void> } = {}) {
  const store = new MemoryStore()
  await opts.seed?.(store)
  let now = 1_000
  const cache = new AdmissionCache(store, decode, { quotaLiveTtlMs: opts.ttl ?? 30_000, retryMs: 5, now: () => now })
  cache.start()
  await until('the cache is synced', () => cache.synced)
  let lives = 0
  const live =
    (items: KObject[] = []) =>
    async (): Promise<KObject[]> => {
      lives++
      return items
    }
  return { store, cache, live, lives: () => lives, advance: (ms: number) => (now += ms) }
}

describe('AdmissionCache namespaces', () => {
  it('is a miss before it is started, then serves what the store holds', async () => {
    const store = new MemoryStore()
    await store.create(`${NS}team-a`, nsValue('team-a'))
    const cache = new AdmissionCache(store, decode)
    assert.equal(cache.namespace('team-a'), undefined)
    cache.start()
    await until('synced', () => cache.synced)
    assert.equal(phaseOf(cache.namespace('team-a')), 'Active')
    assert.equal(cache.namespace('ghost'), undefined)
    cache.stop()
    assert.equal(cache.namespace('team-a'), undefined, 'a stopped cache answers nothing')
  })

  const cases: { name: string; ns: string; run: (s: Setup) => Promise<void>; want: string | undefined }[] = [
    {
      name: 'a namespace created by another API server is seen once the watch delivers it',
      ns: 'team-b',
      run: async ({ store, cache }) => {
        await store.create(`${NS}team-b`, nsValue('team-b'))
        await until('watched', () => cache.namespace('team-b') !== undefined)
      },
      want: 'Active',
    },
    {
      name: 'a namespace written here is in the cache before any watch event (write-through)',
      ns: 'team-b',
      run: async ({ store, cache }) => {
        const kv = await store.create(`${NS}team-b`, nsValue('team-b'))
        cache.observe(kv.key, kv, kv.modRevision)
        assert.equal(phaseOf(cache.namespace('team-b')), 'Active')
      },
      want: 'Active',
    },
    {
      name: 'a late watch event of an older revision does not undo a newer write-through',
      ns: 'team-b',
      run: async ({ store, cache }) => {
        const created = await store.create(`${NS}team-b`, nsValue('team-b'))
        const terminating = await store.update(created.key, nsValue('team-b', 'Terminating'), created.modRevision)
        cache.observe(terminating.key, terminating, terminating.modRevision)
        await watchesCaughtUp({ store, cache }) // both watch events arrive after
      },
      want: 'Terminating',
    },
    {
      name: 'a delete written here hides the namespace at once, and a late put does not bring it back',
      ns: 'team-b',
      run: async ({ store, cache }) => {
        const kv = await store.create(`${NS}team-b`, nsValue('team-b'))
        const { revision } = await store.delete(kv.key)
        cache.observe(kv.key, undefined, revision)
        assert.equal(cache.namespace('team-b'), undefined)
        await watchesCaughtUp({ store, cache })
      },
      want: undefined,
    },
    {
      name: 'a namespace made Terminating by another API server is seen Terminating after the watch',
      ns: 'team-a',
      run: async ({ store, cache }) => {
        const kv = (await store.get(`${NS}team-a`))!
        await store.update(kv.key, nsValue('team-a', 'Terminating'), kv.modRevision)
        await until('watched', () => phaseOf(cache.namespace('team-a')) === 'Terminating')
      },
      want: 'Terminating',
    },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      const s = await setup({ seed: async (store) => void (await store.create(`${NS}team-a`, nsValue('team-a'))) })
      try {
        await c.run(s)
        assert.equal(phaseOf(s.cache.namespace(c.ns)), c.want)
      } finally {
        s.cache.stop()
      }
    })
  }

  it('lists anew when its watch ends (a restore), and reads nothing meanwhile', async () => {
    const s = await setup({ seed: async (store) => void (await store.create(`${NS}team-a`, nsValue('team-a'))) })
    try {
      const snap = await s.store.snapshot()
      await s.store.create(`${NS}team-b`, nsValue('team-b'))
      await until('watched', () => s.cache.namespace('team-b') !== undefined)
      await s.store.restore(snap)
      await until('resynced without team-b', () => s.cache.synced && s.cache.namespace('team-b') === undefined && s.cache.namespace('team-a') !== undefined)
    } finally {
      s.cache.stop()
    }
  })
})

describe('AdmissionCache resource quotas', () => {
  const quotaNames = (items: KObject[]): string[] => items.map((q) => q.metadata?.name ?? '').sort()

  it('lists live at most once per TTL for a namespace without quota', async () => {
    const s = await setup({ ttl: 30_000 })
    try {
      for (const [advance, wantLives] of [
        [0, 1],
        [0, 1],
        [29_999, 1],
        [2, 2],
        [10, 2],
      ] as const) {
        s.advance(advance)
        assert.deepEqual(await s.cache.resourceQuotas('team-a', s.live()), [])
        assert.equal(s.lives(), wantLives, `after +${advance} ms`)
      }
    } finally {
      s.cache.stop()
    }
  })

  it('lists live once for concurrent requests (singleflight)', async () => {
    const s = await setup()
    try {
      await Promise.all(Array.from({ length: 5 }, () => s.cache.resourceQuotas('team-a', s.live())))
      assert.equal(s.lives(), 1)
    } finally {
      s.cache.stop()
    }
  })

  it('serves cached quotas without a live list', async () => {
    const s = await setup({ seed: async (store) => void (await store.create(`${RQ}team-a/compute`, quotaValue('team-a', 'compute'))) })
    try {
      assert.deepEqual(quotaNames(await s.cache.resourceQuotas('team-a', s.live())), ['compute'])
      assert.deepEqual(await s.cache.resourceQuotas('team-b', s.live()), [])
      assert.equal(s.lives(), 1, 'only team-b, which has no quota, was listed live')
    } finally {
      s.cache.stop()
    }
  })

  const invalidations: { name: string; change: (s: Setup) => Promise<void> }[] = [
    {
      name: 'a quota written here (write-through) is seen by the next request, within the TTL',
      change: async ({ store, cache }) => {
        const kv = await store.create(`${RQ}team-a/compute`, quotaValue('team-a', 'compute'))
        cache.observe(kv.key, kv, kv.modRevision)
      },
    },
    {
      name: 'a quota written by another API server is seen once the watch delivers it, within the TTL',
      change: async (s) => {
        await s.store.create(`${RQ}team-a/compute`, quotaValue('team-a', 'compute'))
        await watchesCaughtUp(s)
      },
    },
  ]
  for (const c of invalidations) {
    it(c.name, async () => {
      const s = await setup()
      try {
        assert.deepEqual(await s.cache.resourceQuotas('team-a', s.live()), [])
        await c.change(s)
        assert.deepEqual(quotaNames(await s.cache.resourceQuotas('team-a', s.live())), ['compute'])
        assert.equal(s.lives(), 1, 'no further live list: the cache has the quota')
      } finally {
        s.cache.stop()
      }
    })
  }

  it('forgets a remembered live answer when a quota of the namespace is deleted', async () => {
    const s = await setup()
    try {
      // the live list saw a quota the watch had not delivered yet
      const q = { metadata: { name: 'compute', namespace: 'team-a' } }
      assert.deepEqual(quotaNames(await s.cache.resourceQuotas('team-a', s.live([q]))), ['compute'])
      assert.deepEqual(quotaNames(await s.cache.resourceQuotas('team-a', s.live([q]))), ['compute'])
      assert.equal(s.lives(), 1)
      const kv = await s.store.create(`${RQ}team-a/compute`, quotaValue('team-a', 'compute'))
      const { revision } = await s.store.delete(kv.key)
      s.cache.observe(kv.key, undefined, revision)
      assert.deepEqual(await s.cache.resourceQuotas('team-a', s.live()), [])
      assert.equal(s.lives(), 2, 'listed live again after the delete')
    } finally {
      s.cache.stop()
    }
  })

  it('does not remember a live answer a quota write overtook', async () => {
    const s = await setup()
    try {
      let release!: () => void
      const gate = new Promise<void>((r) => (release = r))
      const slow = s.cache.resourceQuotas('team-a', async () => {
        await gate
        return []
      })
      const kv = await s.store.create(`${RQ}team-a/compute`, quotaValue('team-a', 'compute'))
      const { revision } = await s.store.delete(kv.key)
      s.cache.observe(kv.key, undefined, revision)
      release()
      assert.deepEqual(await slow, [])
      await s.cache.resourceQuotas('team-a', s.live())
      assert.equal(s.lives(), 1, 'the overtaken answer was not remembered: listed live again')
    } finally {
      s.cache.stop()
    }
  })

  it('lists live on every request while not synced', async () => {
    const store = new MemoryStore()
    const cache = new AdmissionCache(store, decode)
    let lives = 0
    for (let i = 0; i < 3; i++) await cache.resourceQuotas('team-a', async () => (lives++, []))
    assert.equal(lives, 3)
  })

  it('stops watching when stopped', async () => {
    const s = await setup()
    s.cache.stop()
    await s.store.create(`${RQ}team-a/compute`, quotaValue('team-a', 'compute'))
    assert.equal(await holdsWithin(() => s.cache.synced, 50, 5), false)
    assert.deepEqual(await s.cache.resourceQuotas('team-a', s.live()), [], 'read live')
    assert.equal(s.lives(), 1)
  })
})
