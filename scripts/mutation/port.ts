// Porting mutants across a refactoring. A mutant is a patch against the tree it was written
// for; when its code moves (a file split, a function moved to a strategy) or is reformatted,
// `git apply` stops accepting it and the mutant is stale. This rewrites the patch for the
// current working tree, keeping its header, so the same bug is planted in the code's new home:
//
//   relocate   each hunk's old lines (context and removed lines, compared without leading
//              white space) are searched in the hunk's own file first, then in every tracked
//              .ts file; a unique match is replaced by the hunk's new lines, re-indented to
//              where they landed. A hunk that matches nowhere, or in more than one place,
//              is reported and the patch is left as it was.
//   --format   for a formatter commit: the patch is applied to <from> (the commit before
//              the formatting), the touched files are formatted as the working tree's are
//              (prettier with the repository's configuration), and the new patch is the
//              difference between the formatted original and the formatted mutant: exact,
//              whatever the formatter rewrapped.
//
// Usage: npm run mutants:port -- [--format --from <commit>] [--dry-run] [patch files...]
//   (no files: every mutant that no longer applies)

import { execFileSync } from 'node:child_process'
import { globSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

interface Hunk {
  file: string
  /** context and removed lines, in order */
  before: string[]
  /** context and added lines, in order */
  after: string[]
}

/** Splits a patch into its header (everything before `diff --git`) and its hunks. */
export function parsePatch(text: string): { header: string; hunks: Hunk[] } {
  const at = text.indexOf('diff --git ')
  const header = at < 0 ? text : text.slice(0, at)
  const hunks: Hunk[] = []
  let file = ''
  let hunk: Hunk | undefined
  for (const line of (at < 0 ? '' : text.slice(at)).split('\n')) {
    if (line.startsWith('diff --git ')) {
      hunk = undefined
      continue
    }
    if (line.startsWith('+++ ')) {
      file = line.slice(4).replace(/^b\//, '')
      continue
    }
    if (line.startsWith('--- ') || line.startsWith('index ')) continue
    if (line.startsWith('@@')) {
      hunk = { file, before: [], after: [] }
      hunks.push(hunk)
      continue
    }
    if (!hunk || line.startsWith('\\')) continue
    const body = line.slice(1)
    if (line.startsWith('-')) hunk.before.push(body)
    else if (line.startsWith('+')) hunk.after.push(body)
    else {
      hunk.before.push(body)
      hunk.after.push(body)
    }
  }
  // a trailing empty context line is the split's artefact, not the file's
  for (const h of hunks) {
    while (h.before.length && h.after.length && h.before.at(-1) === '' && h.after.at(-1) === '') {
      h.before.pop()
      h.after.pop()
    }
  }
  return { header, hunks }
}

const squash = (s: string): string => s.trim()
const indentOf = (s: string): string => /^\s*/.exec(s)![0]

/** Line indexes where `needle` occurs in `lines` (compared without leading and trailing white space). */
export function findBlock(lines: readonly string[], needle: readonly string[]): number[] {
  const want = needle.map(squash)
  const hits: number[] = []
  if (!want.length) return hits
  outer: for (let i = 0; i + want.length <= lines.length; i++) {
    for (let j = 0; j < want.length; j++) if (squash(lines[i + j]!) !== want[j]) continue outer
    hits.push(i)
  }
  return hits
}

/** Replaces `before` at line `at` by `after`, shifting indentation by the difference where it landed. */
export function replaceAt(lines: string[], at: number, before: readonly string[], after: readonly string[]): string[] {
  const firstOld = before.findIndex((l) => l.trim())
  const shiftFrom = firstOld < 0 ? '' : indentOf(before[firstOld]!)
  const shiftTo = firstOld < 0 ? '' : indentOf(lines[at + firstOld]!)
  const reindent = (l: string): string => {
    if (!l.trim()) return l
    if (l.startsWith(shiftFrom)) return shiftTo + l.slice(shiftFrom.length)
    return l
  }
  return [...lines.slice(0, at), ...after.map(reindent), ...lines.slice(at + before.length)]
}

function git(args: string[], cwd = REPO, input?: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] })
}

function applies(patchText: string, cwd = REPO): boolean {
  try {
    git(['apply', '--check', '-'], cwd, patchText)
    return true
  } catch {
    return false
  }
}

function trackedTs(): string[] {
  // untracked files too: a refactoring ports its mutants before its new files are committed
  return git(['ls-files', '--cached', '--others', '--exclude-standard', '*.ts']).split('\n').filter(Boolean)
}

/**
 * The `git diff` that turns `originals` into `changed` (paths relative to the repository), made
 * in a scratch repository so neither the working tree nor the index is touched.
 */
function diffAgainst(originals: Map<string, string>, changed: Map<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ock-port-diff-'))
  try {
    git(['init', '-q'], dir)
    for (const [f, text] of originals) {
      mkdirSync(dirname(join(dir, f)), { recursive: true })
      writeFileSync(join(dir, f), text)
    }
    git(['add', '-A'], dir)
    for (const [f, text] of changed) writeFileSync(join(dir, f), text)
    return git(['diff', '--', ...changed.keys()], dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Ports one patch by relocating its hunks; returns the new diff, or the reasons it could not. */
export function relocate(patchText: string): { diff: string } | { problems: string[] } {
  const { hunks } = parsePatch(patchText)
  const originals = new Map<string, string>()
  const changed = new Map<string, string[]>()
  const problems: string[] = []
  const read = (f: string): string[] => {
    if (!changed.has(f)) {
      const text = readFileSync(join(REPO, f), 'utf8')
      originals.set(f, text)
      changed.set(f, text.split('\n'))
    }
    return changed.get(f)!
  }
  const all = trackedTs()
  for (const h of hunks) {
    const own = all.includes(h.file) ? [h.file] : []
    const others = all.filter((f) => f !== h.file)
    const trimmed = trimContext(h)
    // the hunk's own file first (full context, then the changed lines alone); other files only
    // for a hunk that removes or changes lines: a pure addition anchored by context alone could
    // land in any file that happens to have similar lines
    const changesLines = trimmed.before.length > 0 && trimmed.before.some((l) => !trimmed.after.includes(l))
    const attempts: Array<{ files: string[]; needle: { before: string[]; after: string[] } }> = [
      { files: own, needle: { before: h.before, after: h.after } },
      { files: own, needle: trimmed },
      ...(changesLines
        ? [
            { files: others, needle: { before: h.before, after: h.after } },
            { files: others, needle: trimmed },
          ]
        : []),
    ]
    let placed = false
    for (const { files, needle } of attempts) {
      const anchor = needle.before.find((l) => l.trim())?.trim()
      if (!anchor || !files.length) continue
      const hits: Array<{ file: string; at: number }> = []
      for (const f of files) {
        if (!changed.has(f) && !readFileSync(join(REPO, f), 'utf8').includes(anchor)) continue
        for (const at of findBlock(read(f), needle.before)) hits.push({ file: f, at })
      }
      if (hits.length === 1) {
        const { file, at } = hits[0]!
        changed.set(file, replaceAt(read(file), at, needle.before, needle.after))
        placed = true
        break
      }
      if (hits.length > 1) {
        problems.push(`a hunk of ${h.file} matches ${hits.length} places: ${hits.map((x) => `${x.file}:${x.at + 1}`).join(', ')}`)
        break
      }
    }
    if (!placed && !problems.length)
      problems.push(`a hunk of ${h.file} matches nowhere: ${h.before.find((l) => l.trim() && !h.after.includes(l))?.trim() ?? h.before[0]}`)
  }
  if (problems.length) return { problems }
  const texts = new Map([...changed].filter(([f, ls]) => ls.join('\n') !== originals.get(f)).map(([f, ls]) => [f, ls.join('\n')]))
  return { diff: diffAgainst(originals, texts) }
}

/** The hunk's changed lines with as little context as needed (context may have moved away). */
function trimContext(h: Hunk): { before: string[]; after: string[] } {
  let start = 0
  while (start < h.before.length && start < h.after.length && h.before[start] === h.after[start]) start++
  let end = 0
  while (end < h.before.length - start && end < h.after.length - start && h.before.at(-1 - end) === h.after.at(-1 - end)) end++
  // keep one line of context on a side when the change only adds lines (something must anchor it)
  const addOnly = h.before.length - start - end === 0
  const s = addOnly ? Math.max(0, start - 1) : start
  return { before: h.before.slice(s, h.before.length - end), after: h.after.slice(s, h.after.length - end) }
}

/** Ports one patch across a formatter commit (see the header). */
function reformat(patchText: string, from: string, workdir: string): { diff: string } | { problems: string[] } {
  git(['checkout', '-q', '--force', from], workdir)
  git(['clean', '-qfd'], workdir)
  if (!applies(patchText, workdir)) return { problems: [`does not apply to ${from} either`] }
  git(['apply', '-'], workdir, patchText)
  const files = git(['diff', '--name-only'], workdir).split('\n').filter(Boolean)
  const originals = new Map<string, string>()
  const mutated = new Map<string, string>()
  for (const f of files) {
    originals.set(f, readFileSync(join(REPO, f), 'utf8'))
    const formatted = execFileSync(join(REPO, 'node_modules/.bin/prettier'), ['--stdin-filepath', join(REPO, f)], {
      cwd: REPO,
      encoding: 'utf8',
      input: readFileSync(join(workdir, f), 'utf8'),
    })
    mutated.set(f, formatted)
  }
  git(['checkout', '-q', '--', '.'], workdir)
  return { diff: diffAgainst(originals, mutated) }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { format: { type: 'boolean' }, from: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  })
  const files = positionals.length ? positionals : globSync('mutants/**/*.patch', { cwd: REPO }).sort()
  let workdir: string | undefined
  if (values.format) {
    if (!values.from) throw new Error('--format needs --from <the commit before the formatting>')
    workdir = mkdtempSync(join(tmpdir(), 'ock-port-'))
    git(['worktree', 'add', '-q', '--detach', workdir, values.from])
  }
  let ported = 0
  let failed = 0
  try {
    for (const f of files) {
      const text = readFileSync(join(REPO, f), 'utf8')
      if (applies(text)) continue
      const header = parsePatch(text).header
      const result = workdir ? reformat(text, values.from!, workdir) : relocate(text)
      if ('problems' in result) {
        failed++
        console.log(`NOT PORTED ${f}\n  ${result.problems.join('\n  ')}`)
        continue
      }
      const next = header + result.diff
      if (!applies(next)) {
        failed++
        console.log(`NOT PORTED ${f}: the ported patch does not apply`)
        continue
      }
      ported++
      console.log(`ported ${f}`)
      if (!values['dry-run']) writeFileSync(join(REPO, f), next)
    }
  } finally {
    if (workdir) {
      git(['worktree', 'remove', '--force', workdir])
      rmSync(workdir, { recursive: true, force: true })
    }
  }
  console.log(`${ported} ported, ${failed} not ported`)
  process.exitCode = failed ? 1 : 0
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main()
