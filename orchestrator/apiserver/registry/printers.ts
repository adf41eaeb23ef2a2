// Server-side printing: meta.k8s.io/v1 Table responses for `kubectl get`. A kind's columns are
// its strategy's `printer` (strategies/, as upstream's printers in
// pkg/printers/internalversion/printers.go); a kind without one gets NAME and AGE. kubectl
// asks for a Table with `Accept: application/json;as=Table;...`.
// Simplifies: no custom-columns on the server.

import type { KObject, StoredObject } from '../../api/meta.js'

export interface TableColumn {
  name: string
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date'
  format?: string
  description: string
  priority: number
}

/** A kind's columns and how to fill them from an object (upstream's TableConvertor). */
export interface Printer {
  columns: TableColumn[]
  cells(o: Any): unknown[]
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- printers read loosely-typed JSON
export type Any = any

export function col(name: string, description: string, priority = 0, type: TableColumn['type'] = 'string', format?: string): TableColumn {
  const c: TableColumn = { name, type, description, priority }
  if (format) c.format = format
  return c
}

export const NAME = col('Name', 'Name must be unique within a namespace.', 0, 'string', 'name')
export const AGE = col('Age', 'CreationTimestamp is a timestamp representing the server time when this object was created.')

/** Upstream duration.HumanDuration, as `kubectl get` shows ages. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 120) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`
  if (m < 180) return `${m}m`
  const h = Math.floor(m / 60)
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`
  if (h < 48) return `${h}h`
  const d = Math.floor(h / 24)
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`
  if (d < 365 * 2) return `${d}d`
  return `${Math.floor(d / 365)}y`
}

export function age(o: Any): string {
  const ts = o?.metadata?.creationTimestamp
  return ts ? humanDuration(Date.now() - Date.parse(ts)) : '<unknown>'
}

/** The columns of a kind without a printer of its own. */
const DEFAULT_PRINTER: Printer = { columns: [NAME, AGE], cells: (o) => [o.metadata.name, age(o)] }

/** A label selector as `kubectl get -o wide` shows it. */
export function selectorText(sel: Any): string {
  if (!sel) return '<none>'
  const parts = Object.entries(sel.matchLabels ?? sel)
    .filter(([, v]) => typeof v === 'string')
    .map(([k, v]) => `${k}=${String(v)}`)
  return parts.length ? parts.join(',') : '<none>'
}

/** True when the Accept header asks for a Table (kubectl get). */
export function wantsTable(accept: string | undefined): boolean {
  return Boolean(accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept))
}

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io'

function rowObject(o: StoredObject, includeObject: string): unknown {
  if (includeObject === 'None') return undefined
  if (includeObject === 'Object') return o
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata }
}

/** Converts objects of one kind into a Table. `includeObject` is the query parameter (Metadata by default). */
export function toTable(
  printer: Printer | undefined,
  objects: StoredObject[],
  resourceVersion: string | undefined,
  includeObject = 'Metadata',
  continueToken?: string,
): KObject {
  printer ??= DEFAULT_PRINTER
  const table: KObject = {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion, ...(continueToken ? { continue: continueToken } : {}) } as never,
    columnDefinitions: printer.columns,
    rows: objects.map((o) => {
      const row: Record<string, unknown> = { cells: printer.cells(o) }
      const obj = rowObject(o, includeObject)
      if (obj) row.object = obj
      return row
    }),
  }
  return table
}
