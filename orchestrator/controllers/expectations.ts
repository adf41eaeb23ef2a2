// Expectations: a controller that just asked for N creations (or deletions) must not act on
// its cache again until the cache has seen them, or it would create (delete) the same pods
// twice. Each controller key records how many adds it still expects and which objects it
// expects to see deleted; the key is "satisfied" once both reach zero, or after a TTL in case
// an event was lost. Mirrors pkg/controller/controller_utils.go ControllerExpectations and
// UIDTrackingControllerExpectations (deletions tracked per object, so one delete counts once).

export const EXPECTATIONS_TTL_MS = 5 * 60_000

interface Expectation {
  adds: number
  deletes: Set<string>
  at: number
}

export class Expectations {
  private readonly m = new Map<string, Expectation>()

  constructor(private readonly now: () => number = Date.now) {}

  expectCreations(key: string, n: number): void {
    const e = this.entry(key)
    e.adds += n
    e.at = this.now()
  }

  expectDeletions(key: string, objectKeys: readonly string[]): void {
    const e = this.entry(key)
    for (const k of objectKeys) e.deletes.add(k)
    e.at = this.now()
  }

  creationObserved(key: string): void {
    const e = this.m.get(key)
    if (e && e.adds > 0) e.adds--
  }

  deletionObserved(key: string, objectKey: string): void {
    this.m.get(key)?.deletes.delete(objectKey)
  }

  satisfied(key: string): boolean {
    const e = this.m.get(key)
    if (!e) return true
    if (e.adds <= 0 && e.deletes.size === 0) return true
    return this.now() - e.at > EXPECTATIONS_TTL_MS
  }

  delete(key: string): void {
    this.m.delete(key)
  }

  private entry(key: string): Expectation {
    let e = this.m.get(key)
    if (!e || (e.adds <= 0 && e.deletes.size === 0)) {
      e = { adds: 0, deletes: new Set(), at: this.now() }
      this.m.set(key, e)
    }
    return e
  }
}
