// What a simulated node cannot produce by itself and a harness injects (the fault door of the
// built-in cluster): heartbeats that stop reaching the API server while the kubelet keeps
// running its pods, and the resource pressure upstream's eviction manager would observe
// (memory, disk, PIDs). The kubelet reads this state; the composition root changes it.
// Simplifies: pressure is a flag per condition, not a measured signal against thresholds.

export type PressureCondition = 'MemoryPressure' | 'DiskPressure' | 'PIDPressure'

export const PRESSURE_CONDITIONS: readonly PressureCondition[] = ['MemoryPressure', 'DiskPressure', 'PIDPressure']

export class NodeFaults {
  private frozen = false
  private readonly pressures = new Set<PressureCondition>()
  private readonly listeners = new Set<() => void>()

  /** Lease renewals and node status updates stop (true) or resume (false); pods keep running. */
  freezeHeartbeats(frozen: boolean): void {
    if (this.frozen === frozen) return
    this.frozen = frozen
    this.changed()
  }

  get heartbeatsFrozen(): boolean {
    return this.frozen
  }

  setPressure(condition: PressureCondition, on: boolean): void {
    if (on === this.pressures.has(condition)) return
    if (on) this.pressures.add(condition)
    else this.pressures.delete(condition)
    this.changed()
  }

  underPressure(condition: PressureCondition): boolean {
    return this.pressures.has(condition)
  }

  /** Back to a healthy node. */
  clear(): void {
    const had = this.frozen || this.pressures.size > 0
    this.frozen = false
    this.pressures.clear()
    if (had) this.changed()
  }

  /** Calls `fn` after every change; returns the unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private changed(): void {
    for (const l of this.listeners) l()
  }
}
