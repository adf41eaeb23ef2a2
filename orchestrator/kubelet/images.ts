// The kubelet's image manager: before a container starts, its image is made present as the
// container's imagePullPolicy says (IfNotPresent by default; Always; Never), with upstream's
// events ("Pulling image", "Successfully pulled image ... in 5ms (5ms including waiting)",
// "Container image ... already present on machine") and waiting reasons (ErrImagePull,
// ImagePullBackOff with a per-pod, per-image back-off, ErrImageNeverPull).
// Mirrors pkg/kubelet/images/image_manager.go (EnsureImageExists) and its puller's back-off.
// Simplifies: the images present are those this kubelet pulled (no image list from the runtime,
// no image garbage collection, no pull secrets).

import type { Container, Pod } from '../api/types.js'
import type { EventRecorder } from '../client/events.js'
import { ImagePullError, type ContainerRuntime } from '../runtime/runtime.js'
import type { BackOff } from './backoff.js'

/** Why each container of a pod waits, by container name (what its status says as `waiting`). */
export type Waiting = Map<string, { reason: string; message: string }>

export interface ImageManagerDeps {
  runtime: ContainerRuntime
  recorder: EventRecorder
  /** The back-off of failed pulls, keyed `<pod uid>_<image>`. */
  backOff: BackOff
  /** Asks for the pod to be synced again after `ms` (a pull to retry). */
  requeueAfter(uid: string, ms: number): void
}

export class ImageManager {
  private readonly pulled = new Set<string>()
  private readonly errors = new Map<string, string>()

  constructor(private readonly deps: ImageManagerDeps) {}

  /**
   * Makes the container's image present as its pull policy says. Contract: true when the
   * container may be created; false with the container's waiting reason set in `waiting` (and
   * a resync asked for when a retry is due). Errors other than a failed pull are thrown.
   */
  async ensureImage(pod: Pod, c: Container, waiting: Waiting): Promise<boolean> {
    const { recorder, backOff } = this.deps
    const image = c.image ?? ''
    const uid = pod.metadata?.uid ?? ''
    const fieldPath = `spec.containers{${c.name}}`
    const policy = c.imagePullPolicy ?? 'IfNotPresent'
    const present = this.pulled.has(image)
    if (present && policy !== 'Always') {
      recorder.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, { fieldPath })
      return true
    }
    if (!present && policy === 'Never') {
      const msg = `Container image "${image}" is not present with pull policy of Never`
      waiting.set(c.name, { reason: 'ErrImageNeverPull', message: msg })
      recorder.event(pod, 'Warning', 'ErrImageNeverPull', msg, { fieldPath })
      return false
    }
    const key = `${uid}_${image}`
    const remaining = backOff.remainingMs(key, Date.now())
    if (remaining > 0 && this.errors.has(key)) {
      waiting.set(c.name, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}": ErrImagePull: ${this.errors.get(key)}` })
      recorder.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, { fieldPath })
      this.deps.requeueAfter(uid, remaining)
      return false
    }
    recorder.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, { fieldPath })
    const t0 = performance.now()
    try {
      await this.deps.runtime.pullImage(image)
    } catch (e) {
      if (!(e instanceof ImagePullError)) throw e
      backOff.next(key, Date.now())
      this.errors.set(key, e.message)
      waiting.set(c.name, { reason: 'ErrImagePull', message: e.message })
      recorder.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${e.message}`, { fieldPath })
      recorder.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull', { fieldPath })
      this.deps.requeueAfter(uid, backOff.windowMs(key))
      return false
    }
    backOff.reset(key)
    this.errors.delete(key)
    this.pulled.add(image)
    const took = formatGoDuration(performance.now() - t0)
    recorder.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting)`, { fieldPath })
    return true
  }

  /** Forgets a pod's pull back-offs and errors (the pod is gone). */
  forgetPod(uid: string): void {
    this.deps.backOff.forgetPrefix(`${uid}_`)
    for (const k of this.errors.keys()) if (k.startsWith(`${uid}_`)) this.errors.delete(k)
  }
}

/** Go's time.Duration.String() for a pull time truncated to milliseconds ("5ms", "1.234s"). */
export function formatGoDuration(ms: number): string {
  const whole = Math.floor(ms)
  return whole < 1000 ? `${whole}ms` : `${whole / 1000}s`
}
