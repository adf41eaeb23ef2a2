// Isolated copies of the working tree for mutants: git worktrees of a snapshot commit that
// holds exactly what the working tree holds now (tracked files with their uncommitted changes,
// and untracked files that are not ignored), so a developer can run the mutants before
// committing. One copy per parallel job, reset to the snapshot between mutants; node_modules is
// a symlink to the repository's. The snapshot's tree hash also names the tree a ci run saw
// (scripts/features.sh writes it beside the ci run's messages), so a later run can tell whether
// that run is of the same tree.
//
// `node --import tsx scripts/mutation/copies.ts tree` prints the working tree's tree hash.

import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { execa } from 'execa'

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

/** The git tree of the working tree as it is: tracked changes and untracked, non-ignored files included. */
export function workingTree(repo: string): string {
  const tmp = mkdtempSync(join(tmpdir(), 'ock-tree-'))
  try {
    const index = join(tmp, 'index')
    const own = git(repo, ['rev-parse', '--git-path', 'index'])
    const ownPath = isAbsolute(own) ? own : resolve(repo, own)
    // starting from the real index only saves hashing unchanged files again
    if (existsSync(ownPath)) copyFileSync(ownPath, index)
    const env = { GIT_INDEX_FILE: index }
    git(repo, ['add', '--all', '--', '.'], env)
    return git(repo, ['write-tree'], env)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

/** A commit of the working tree as it is (a dangling object, like `git stash create`'s). */
export function snapshot(repo: string): { tree: string; commit: string } {
  const tree = workingTree(repo)
  let parent: string[] = []
  try {
    parent = ['-p', git(repo, ['rev-parse', '--verify', '-q', 'HEAD'])]
  } catch {
    // a repository without commits: the snapshot has no parent
  }
  const who = { GIT_AUTHOR_NAME: 'ock mutants', GIT_AUTHOR_EMAIL: 'ock@localhost', GIT_COMMITTER_NAME: 'ock mutants', GIT_COMMITTER_EMAIL: 'ock@localhost' }
  const commit = git(repo, ['commit-tree', tree, ...parent, '-m', 'ock: snapshot of the working tree for the mutants'], who)
  return { tree, commit }
}

/** One isolated copy of the snapshot. */
export class Copy {
  constructor(
    readonly dir: string,
    private readonly commit: string,
  ) {}

  /** Back to the snapshot: the last mutant's changes and any file it or its run left are gone. */
  async reset(): Promise<void> {
    await execa('git', ['reset', '--hard', '--quiet', this.commit], { cwd: this.dir })
    await execa('git', ['clean', '-d', '--force', '--quiet', '-e', 'node_modules'], { cwd: this.dir })
  }

  /**
   * Applies a patch. One that does not apply to this tree is stale; one git cannot even read
   * (a hand-edited hunk whose line counts are off) is malformed. git's complaint is returned.
   */
  async apply(patchFile: string): Promise<{ applied: true } | { applied: false; malformed: boolean; message: string }> {
    const check = await execa('git', ['apply', '--check', patchFile], { cwd: this.dir, reject: false, all: true })
    if (check.exitCode !== 0) {
      const message = String(check.all ?? '').trim() || `git apply --check exited ${check.exitCode}`
      return { applied: false, malformed: /corrupt patch|patch with only garbage|patch fragment without header|unrecognized input/.test(message), message }
    }
    await execa('git', ['apply', patchFile], { cwd: this.dir })
    return { applied: true }
  }
}

/** The copies of one run and the temp dir they live in; remove() (sync, so it also runs on exit) undoes it all. */
export class Copies {
  readonly copies: Copy[] = []
  readonly root: string
  private removed = false

  constructor(
    private readonly repo: string,
    prefix = 'ock-mutants-',
  ) {
    this.root = mkdtempSync(join(tmpdir(), prefix))
  }

  /** A new copy of the commit, with the repository's node_modules. */
  async add(commit: string): Promise<Copy> {
    const dir = join(this.root, `copy-${this.copies.length + 1}`)
    await execa('git', ['worktree', 'add', '--detach', '--quiet', dir, commit], { cwd: this.repo })
    const copy = new Copy(dir, commit)
    this.copies.push(copy)
    const modules = join(this.repo, 'node_modules')
    // (a checkout where node_modules is itself a symlink that no ignore rule covers has it in the snapshot already)
    if (existsSync(modules) && !existsSync(join(dir, 'node_modules'))) symlinkSync(realpathSync(modules), join(dir, 'node_modules'))
    return copy
  }

  /** A scratch path inside the temp dir. */
  path(name: string): string {
    return join(this.root, name)
  }

  remove(): void {
    if (this.removed) return
    this.removed = true
    let prune = false
    for (const c of this.copies) {
      try {
        git(this.repo, ['worktree', 'remove', '--force', c.dir])
      } catch {
        prune = true
      }
    }
    rmSync(this.root, { recursive: true, force: true })
    // a copy git could not remove is gone from disk now; drop what git keeps about it
    if (prune) {
      try {
        git(this.repo, ['worktree', 'prune'])
      } catch {
        // nothing more to do
      }
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] !== 'tree') {
    console.error("usage: node --import tsx scripts/mutation/copies.ts tree   (prints the working tree's git tree hash)")
    process.exit(2)
  }
  console.log(workingTree(process.cwd()))
}
