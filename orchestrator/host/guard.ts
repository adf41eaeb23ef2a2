// The process guard: nothing a request does may end a component's process. An unhandled promise
// rejection or an uncaught exception is logged with its stack and counted instead of ending the
// process (Node's default for both is to exit), and the API server records every 500
// InternalError it answers here too. The record is an incident log, not a cure: the harness
// reads it after each scenario and fails the scenario when anything was recorded, so the guard
// keeps the cluster serving without hiding the bug.
// Mirrors what Go's runtime gives kube-apiserver for free (a panic in a handler is recovered by
// net/http and by k8s.io/apiserver's WithPanicRecovery, logged with its stack, answered 500) and
// what utilruntime.HandleError does with errors nobody can return: log them, keep running.
// Simplifies: one log per process (worker threads forward theirs to the parent, see
// cluster/apiserver-thread.ts); the last MAX_KEPT incidents are kept, the count is exact.

/** What happened and where; `source` names the component or handler that saw it. */
export interface Incident {
  /** 1, 2, 3 ... in the order they were recorded in this process. */
  seq: number
  at: string
  kind: 'unhandledRejection' | 'uncaughtException' | 'internalError'
  source: string
  message: string
  stack?: string
}

export type IncidentInput = Omit<Incident, 'seq' | 'at'>

const MAX_KEPT = 1000
const kept: Incident[] = []
let total = 0
let installed = false
const listeners = new Set<(i: Incident) => void>()

/** Records an incident (and tells the listeners); returns it. */
export function recordIncident(input: IncidentInput): Incident {
  const incident: Incident = { ...input, seq: ++total, at: new Date().toISOString() }
  kept.push(incident)
  if (kept.length > MAX_KEPT) kept.splice(0, kept.length - MAX_KEPT)
  for (const l of listeners) {
    try {
      l(incident)
    } catch {
      // a listener's failure must not become another incident
    }
  }
  return incident
}

/** The sequence number of the newest incident: a cursor for "from now on". */
export function incidentCursor(): number {
  return total
}

/** Incidents recorded after `cursor` (those still kept), oldest first. */
export function incidentsSince(cursor: number): Incident[] {
  return kept.filter((i) => i.seq > cursor)
}

/** Called for every incident recorded from now on (a worker thread forwards them to its parent). */
export function onIncident(listener: (i: Incident) => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

function describe(reason: unknown): { message: string; stack?: string } {
  if (reason instanceof Error) return { message: reason.message, stack: reason.stack }
  try {
    return { message: typeof reason === 'string' ? reason : (JSON.stringify(reason) ?? String(reason)) }
  } catch {
    return { message: String(reason) }
  }
}

/**
 * Installs the guard for this process (or worker thread) once: unhandled rejections and uncaught
 * exceptions are logged to stderr with their stack and recorded, and the process keeps running.
 * `name` says which process it is in the log (`ock up`, `apiserver worker`).
 */
export function installProcessGuard(name: string): void {
  if (installed) return
  installed = true
  const log = (kind: Incident['kind'], reason: unknown): void => {
    const { message, stack } = describe(reason)
    const incident = recordIncident({ kind, source: name, message, stack })
    process.stderr.write(`[${name}] ${kind} #${incident.seq} (guarded, the process keeps running): ${stack ?? message}\n`)
  }
  process.on('unhandledRejection', (reason) => log('unhandledRejection', reason))
  process.on('uncaughtException', (error) => log('uncaughtException', error))
}

/** One line per incident, for failure messages. */
export function describeIncident(i: Incident): string {
  const where = i.stack
    ? `\n    ${i.stack
        .split('\n')
        .slice(1, 6)
        .map((l) => l.trim())
        .join('\n    ')}`
    : ''
  return `#${i.seq} ${i.kind} in ${i.source}: ${i.message}${where}`
}
