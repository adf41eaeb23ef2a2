// The pod lifecycle event generator: every relist period the kubelet lists the runtime's
// containers and syncs each pod whose containers changed by themselves since the last relist
// (a container that exited, one that appeared or disappeared), so a crash is noticed without
// any event from the API. Mirrors pkg/kubelet/pleg/generic.go (relist, a pod's containers
// compared by state). Simplifies: the change is "this pod's containers differ" rather than
// typed ContainerStarted / ContainerDied events; no pod cache.

import type { ContainerRuntime } from '../runtime/runtime.js'

export interface PlegDeps {
  runtime: ContainerRuntime
  /** Whether the kubelet knows its pods yet (a relist before that would sync pods it may not run). */
  ready(): boolean
  /** A pod whose containers changed: sync it. */
  changed(podUid: string): void
}

export class GenericPleg {
  private relisted = new Map<string, { podUid: string; state: string }>()
  private relisting = false

  constructor(private readonly deps: PlegDeps) {}

  /** One relist. Contract: never throws (a runtime that is down shows in the node's status), never overlaps itself. */
  async relist(): Promise<void> {
    if (this.relisting || !this.deps.ready()) return
    this.relisting = true
    try {
      const now = new Map<string, { podUid: string; state: string }>()
      const changed = new Set<string>()
      for (const c of await this.deps.runtime.listContainers()) {
        const state = `${c.state}/${c.exitCode ?? ''}`
        now.set(c.id, { podUid: c.podUid, state })
        if (this.relisted.get(c.id)?.state !== state) changed.add(c.podUid)
      }
      for (const [id, was] of this.relisted) if (!now.has(id)) changed.add(was.podUid)
      this.relisted = now
      for (const uid of changed) this.deps.changed(uid)
    } catch {
      // the runtime is down: the node status says so at its next update
    } finally {
      this.relisting = false
    }
  }
}
