import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Container, Pod } from '../api/types.js'
import type { EventRecorder } from '../client/events.js'
import { SimulatedRuntime } from '../runtime/simulated/simulated.js'
import { BackOff } from './backoff.js'
import { formatGoDuration, ImageManager, type Waiting } from './images.js'

function manager(): { images: ImageManager; events: string[]; requeued: [string, number][] } {
  const events: string[] = []
  const requeued: [string, number][] = []
  const recorder = {
    event: (_o: unknown, _type: string, reason: string, message: string) => void events.push(`${reason}: ${message}`),
  } as unknown as EventRecorder
  const images = new ImageManager({
    runtime: new SimulatedRuntime(),
    recorder,
    backOff: new BackOff(10_000, 300_000),
    requeueAfter: (uid, ms) => void requeued.push([uid, ms]),
  })
  return { images, events, requeued }
}
const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', uid: 'u1' } }
const container = (image: string, imagePullPolicy?: string): Container => ({ name: 'app', image, ...(imagePullPolicy ? { imagePullPolicy } : {}) }) as Container

describe('ImageManager.ensureImage (upstream pull policies, reasons and events)', () => {
  const cases: [string, Container[], boolean, string | undefined, RegExp][] = [
    [
      'IfNotPresent pulls once, then finds it present',
      [container('app:1'), container('app:1')],
      true,
      undefined,
      /^Pulling: .*\nPulled: Successfully pulled image "app:1" in \d+m?s .*\nPulled: Container image "app:1" already present on machine$/,
    ],
    [
      'Always pulls every time',
      [container('app:1', 'Always'), container('app:1', 'Always')],
      true,
      undefined,
      /^Pulling.*\nPulled: Successfully.*\nPulling.*\nPulled: Successfully.*$/,
    ],
    [
      'Never refuses an image not present',
      [container('app:1', 'Never')],
      false,
      'ErrImageNeverPull',
      /^ErrImageNeverPull: Container image "app:1" is not present with pull policy of Never$/,
    ],
    [
      'a pull that fails is ErrImagePull, then ImagePullBackOff',
      [container('registry.invalid/app:1'), container('registry.invalid/app:1')],
      false,
      'ImagePullBackOff',
      /Failed: Error: ErrImagePull\nBackOff: Back-off pulling image "registry.invalid\/app:1"$/,
    ],
  ]
  for (const [name, containers, ok, reason, events] of cases) {
    it(name, async () => {
      const m = manager()
      const waiting: Waiting = new Map()
      let last = true
      for (const c of containers) last = await m.images.ensureImage(pod, c, waiting)
      assert.equal(last, ok)
      assert.equal(waiting.get('app')?.reason, reason)
      assert.match(m.events.join('\n'), events)
    })
  }
  it('asks for a resync when a failed pull may be retried, and forgets a pod', async () => {
    const m = manager()
    await m.images.ensureImage(pod, container('registry.invalid/app:1'), new Map())
    assert.deepEqual(m.requeued, [['u1', 10_000]])
    m.images.forgetPod('u1')
    const waiting: Waiting = new Map()
    await m.images.ensureImage(pod, container('registry.invalid/app:1'), waiting)
    assert.equal(waiting.get('app')?.reason, 'ErrImagePull', 'after forgetPod the pull is tried again at once')
  })
  it("formats a pull's time as Go's Duration.String()", () => {
    assert.deepEqual([formatGoDuration(5.7), formatGoDuration(1234.5)], ['5ms', '1.234s'])
  })
})
