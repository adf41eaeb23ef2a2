// Running kubectl against the scenario's cluster, as a course reader would type it: the
// scenario's kubeconfig (whose context namespace is the scenario's namespace) is passed with
// --kubeconfig, arguments are split like a shell would (quotes, no expansion), and the
// command's exit code, stdout and stderr are kept for the assertions that follow. On a
// cluster that pulls the kit's images by other names (Session.images), the kit's image names
// in the command's words and in the manifests it is given on stdin are rewritten to those.

import { execa } from 'execa'
import { mapImagesInArgs, mapImagesInYaml, type ImageMap } from './images.js'

export interface CommandResult {
  command: string
  exitCode: number
  stdout: string
  stderr: string
}

/** Splits a command line into words: single and double quotes group, backslash escapes. */
export function splitWords(line: string): string[] {
  const words: string[] = []
  let cur = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quote) {
      if (ch === quote) quote = undefined
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i]
      else cur += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      inWord = true
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i]
      inWord = true
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur)
      cur = ''
      inWord = false
    } else {
      cur += ch
      inWord = true
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in: ${line}`)
  if (inWord) words.push(cur)
  return words
}

/**
 * Runs `kubectl ...` with the scenario's kubeconfig; never throws for a non-zero exit. With
 * `images` (Session.images), kit images named in the words or in a manifest on stdin are sent
 * under their mapped names; the result still shows the command as written.
 */
export async function kubectl(
  commandLine: string,
  kubeconfigFile: string,
  opts: { input?: string; timeoutMs?: number; images?: ImageMap } = {},
): Promise<CommandResult> {
  const words = splitWords(commandLine.trim())
  if (words[0] !== 'kubectl') throw new Error(`only kubectl commands can be run in a scenario, not "${words[0] ?? ''}"`)
  const input = opts.input === undefined ? undefined : mapImagesInYaml(opts.input, opts.images)
  return kubectlArgs(mapImagesInArgs(words.slice(1), opts.images), kubeconfigFile, { input, timeoutMs: opts.timeoutMs }, commandLine)
}

/** Runs kubectl with these arguments (already split); never throws for a non-zero exit. */
export async function kubectlArgs(
  args: string[],
  kubeconfigFile: string,
  opts: { input?: string; timeoutMs?: number } = {},
  shown = `kubectl ${args.join(' ')}`,
): Promise<CommandResult> {
  const r = await execa('kubectl', ['--kubeconfig', kubeconfigFile, ...args], {
    reject: false,
    input: opts.input,
    timeout: opts.timeoutMs ?? 60_000,
    env: { KUBECONFIG: kubeconfigFile },
    extendEnv: true,
  })
  return { command: shown, exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') }
}

/**
 * Whether a kubectl command line changes nodes' labels, taints or cordon (cordon, uncordon,
 * drain, taint, label nodes): on a shared cluster the scenario must put them back.
 */
export function changesNodes(command: string): boolean {
  const words = splitWords(command)
  if (words[0] !== 'kubectl') return false
  if (['cordon', 'uncordon', 'drain', 'taint'].includes(words[1] ?? '')) return true
  const resource = words.slice(2).find((w) => !w.startsWith('-'))
  return words[1] === 'label' && resource !== undefined && /^(no|node|nodes)(\/|$)/.test(resource)
}
