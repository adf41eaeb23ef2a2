// What one run of cucumber-js did, read from its Cucumber messages (live, in a formatter, or
// from a messages.ndjson file afterwards): every scenario that ran, with its tags, its final
// status (after retries) and, for skipped ones, the reason the capability gate logged
// ("skipped: <reason>"); for failed ones, the first line of the error. On request (the book,
// `ock explain`), also the Gherkin documents the run compiled and, per scenario, the attachments
// of its last attempt whose media type is asked for (sequence diagrams).

import { readFileSync } from 'node:fs'

export type ScenarioStatus = 'passed' | 'failed' | 'skipped' | 'pending' | 'undefined' | 'ambiguous' | 'unknown'

export interface ScenarioResult {
  pickleId: string
  name: string
  uri: string
  line: number
  tags: string[]
  status: ScenarioStatus
  reasons: string[]
  /** The Gherkin AST nodes the scenario was compiled from: the scenario, then its examples row. */
  astNodeIds?: string[]
  /** `en`, `ar`, ... (the feature's `# language:`). */
  language?: string
  /** Attachments of the last attempt, when the reader asked for their media type. */
  attachments?: Attachment[]
}

export interface Attachment {
  mediaType: string
  /** Decoded (UTF-8 text; base64 bodies are decoded too). */
  body: string
  fileName?: string
}

/** What to keep beyond the results. */
export interface CollectOptions {
  /** Attachments of these media types are kept on their scenario (the last attempt's). */
  attachments?: readonly string[]
  /** Keep the Gherkin documents (feature files as the run parsed them). */
  documents?: boolean
}

export interface RunResult {
  profile: string
  startedAt?: string
  finishedAt?: string
  success?: boolean
  scenarios: ScenarioResult[]
  /** The feature files as the run parsed them (with CollectOptions.documents). */
  documents?: GherkinDocument[]
}

/** The parts of @cucumber/messages' GherkinDocument the reports read. */
export interface GherkinDocument {
  uri?: string
  feature?: GherkinFeature
}
export interface GherkinLocation {
  line: number
  column?: number
}
export interface GherkinTag {
  name: string
  id?: string
}
export interface GherkinStep {
  id: string
  location: GherkinLocation
  keyword: string
  text: string
  docString?: { content: string; mediaType?: string; delimiter?: string }
  dataTable?: { rows: GherkinRow[] }
}
export interface GherkinRow {
  id: string
  location: GherkinLocation
  cells: { value: string }[]
}
export interface GherkinExamples {
  id: string
  location: GherkinLocation
  keyword: string
  name: string
  tags: GherkinTag[]
  tableHeader?: GherkinRow
  tableBody: GherkinRow[]
}
export interface GherkinScenario {
  id: string
  location: GherkinLocation
  keyword: string
  name: string
  description?: string
  tags: GherkinTag[]
  steps: GherkinStep[]
  examples: GherkinExamples[]
}
export interface GherkinBackground {
  id: string
  location: GherkinLocation
  keyword: string
  name: string
  steps: GherkinStep[]
}
export interface GherkinChild {
  background?: GherkinBackground
  scenario?: GherkinScenario
  rule?: { id: string; keyword: string; name: string; tags: GherkinTag[]; children: GherkinChild[] }
}
export interface GherkinFeature {
  location: GherkinLocation
  language: string
  keyword: string
  name: string
  description?: string
  tags: GherkinTag[]
  children: GherkinChild[]
}

/** The log line prefix the capability gate uses to say why a scenario is skipped. */
export const SKIP_PREFIX = 'skipped: '

const RANK: Record<ScenarioStatus, number> = { unknown: 0, passed: 1, skipped: 2, pending: 3, undefined: 4, ambiguous: 5, failed: 6 }

export function worst(a: ScenarioStatus, b: ScenarioStatus): ScenarioStatus {
  return RANK[b] > RANK[a] ? b : a
}

interface Timestamp {
  seconds: number | string
  nanos: number
}

function iso(t: Timestamp | undefined): string | undefined {
  return t ? new Date(Number(t.seconds) * 1000 + Math.round(t.nanos / 1e6)).toISOString() : undefined
}

/** Envelope fields this reader uses (a subset of @cucumber/messages' Envelope). */
export interface Envelope {
  pickle?: { id: string; name: string; uri: string; location?: { line: number }; tags: { name: string }[]; astNodeIds?: string[]; language?: string }
  gherkinDocument?: GherkinDocument
  testCase?: { id: string; pickleId: string }
  testCaseStarted?: { id: string; testCaseId: string }
  testStepFinished?: { testCaseStartedId: string; testStepResult: { status: string; message?: string } }
  testCaseFinished?: { testCaseStartedId: string; willBeRetried?: boolean }
  attachment?: { testCaseStartedId?: string; mediaType: string; body: string; contentEncoding?: string; fileName?: string }
  testRunStarted?: { timestamp: Timestamp }
  testRunFinished?: { timestamp: Timestamp; success?: boolean }
}

/** Collects a run's results from its envelopes, one at a time. */
export class RunCollector {
  private readonly pickles = new Map<string, Omit<ScenarioResult, 'status' | 'reasons'>>()
  private readonly testCases = new Map<string, string>()
  private readonly attempts = new Map<string, { pickleId: string; status: ScenarioStatus; reasons: string[]; attachments: Attachment[] }>()
  private readonly results = new Map<string, ScenarioResult>()
  private readonly documents: GherkinDocument[] = []
  private readonly run: RunResult

  constructor(
    profile: string,
    private readonly options: CollectOptions = {},
  ) {
    this.run = { profile, scenarios: [] }
  }

  update(e: Envelope): void {
    if (e.pickle) {
      const p = e.pickle
      this.pickles.set(p.id, {
        pickleId: p.id,
        name: p.name,
        uri: p.uri,
        line: p.location?.line ?? 0,
        tags: p.tags.map((t) => t.name),
        ...(p.astNodeIds ? { astNodeIds: p.astNodeIds } : {}),
        ...(p.language ? { language: p.language } : {}),
      })
    } else if (e.gherkinDocument) {
      if (this.options.documents) this.documents.push(e.gherkinDocument)
    } else if (e.testCase) {
      this.testCases.set(e.testCase.id, e.testCase.pickleId)
    } else if (e.testCaseStarted) {
      const pickleId = this.testCases.get(e.testCaseStarted.testCaseId)
      if (pickleId) this.attempts.set(e.testCaseStarted.id, { pickleId, status: 'passed', reasons: [], attachments: [] })
    } else if (e.testStepFinished) {
      const a = this.attempts.get(e.testStepFinished.testCaseStartedId)
      if (!a) return
      const r = e.testStepFinished.testStepResult
      a.status = worst(a.status, r.status.toLowerCase() as ScenarioStatus)
      if (r.status === 'FAILED' && r.message) a.reasons.push(r.message.split('\n')[0] ?? '')
    } else if (e.attachment && e.attachment.mediaType === 'text/x.cucumber.log+plain' && e.attachment.testCaseStartedId) {
      const a = this.attempts.get(e.attachment.testCaseStartedId)
      const body = decode(e.attachment)
      if (a && body.startsWith(SKIP_PREFIX)) a.reasons.push(body.slice(SKIP_PREFIX.length))
    } else if (e.attachment && e.attachment.testCaseStartedId && this.options.attachments?.includes(e.attachment.mediaType)) {
      const a = this.attempts.get(e.attachment.testCaseStartedId)
      if (a)
        a.attachments.push({
          mediaType: e.attachment.mediaType,
          body: decode(e.attachment),
          ...(e.attachment.fileName ? { fileName: e.attachment.fileName } : {}),
        })
    } else if (e.testCaseFinished) {
      const a = this.attempts.get(e.testCaseFinished.testCaseStartedId)
      if (!a || e.testCaseFinished.willBeRetried) return
      const p = this.pickles.get(a.pickleId)
      if (p)
        this.results.set(a.pickleId, {
          ...p,
          status: a.status,
          reasons: [...new Set(a.reasons)],
          ...(this.options.attachments ? { attachments: a.attachments } : {}),
        })
    } else if (e.testRunStarted) {
      this.run.startedAt = iso(e.testRunStarted.timestamp)
    } else if (e.testRunFinished) {
      this.run.finishedAt = iso(e.testRunFinished.timestamp)
      this.run.success = e.testRunFinished.success
    }
  }

  /** The run so far; scenarios in the order they were compiled (feature files, then lines). */
  result(): RunResult {
    const order = [...this.pickles.keys()]
    const scenarios = order.map((id) => this.results.get(id)).filter((r): r is ScenarioResult => r !== undefined)
    return { ...this.run, scenarios, ...(this.options.documents ? { documents: [...this.documents] } : {}) }
  }
}

function decode(a: { body: string; contentEncoding?: string }): string {
  return a.contentEncoding === 'BASE64' ? Buffer.from(a.body, 'base64').toString('utf8') : a.body
}

export function collectRun(profile: string, envelopes: Iterable<Envelope>, options: CollectOptions = {}): RunResult {
  const c = new RunCollector(profile, options)
  for (const e of envelopes) c.update(e)
  return c.result()
}

/** Reads a messages.ndjson file (a run's Cucumber messages). */
export function readRun(profile: string, ndjsonPath: string, options: CollectOptions = {}): RunResult {
  const text = readFileSync(ndjsonPath, 'utf8')
  const envelopes: Envelope[] = []
  const wanted = ['text/x.cucumber.log+plain', ...(options.attachments ?? [])].map((t) => `"mediaType":${JSON.stringify(t)}`)
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    // attachments other than logs are large (diagrams); skip parsing what is not needed
    if (line.startsWith('{"attachment"') && !wanted.some((w) => line.includes(w))) continue
    if (line.startsWith('{"gherkinDocument"') && !options.documents) continue
    envelopes.push(JSON.parse(line) as Envelope)
  }
  return collectRun(profile, envelopes, options)
}
