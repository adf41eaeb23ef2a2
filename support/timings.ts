// The durations a scenario may state about the cluster, in the words of the course and of
// upstream's flags ("the node monitor grace period is 2s"), mapped to the built-in target's
// timing names (support/targets/builtin.ts TIMINGS), and the bounds a step may state in terms
// of them ("within the node monitor grace period plus 3s"). The built-in cluster is configured
// with the stated values; another target keeps its own settings, which its target
// configuration tells (`timings`), and a bound named after a setting is computed from the
// cluster's own value: the same text runs on a reference cluster with short settings and on a
// real one with its own (support/topology.ts stateTimings).

import { DURATION_PATTERN, parseDuration } from './durations.js'

/** Phrase (after "the") -> built-in timing name. */
export const TIMING_PHRASES: Record<string, string> = {
  'node monitor period': 'nodeMonitorPeriod',
  'node monitor grace period': 'nodeMonitorGracePeriod',
  'node startup grace period': 'nodeStartupGracePeriod',
  'node lease duration': 'nodeLeaseDuration',
  'node status update frequency': 'nodeStatusUpdateFrequency',
  'default not-ready toleration': 'defaultNotReadyToleration',
  'default unreachable toleration': 'defaultUnreachableToleration',
  'kubelet relist period': 'kubeletRelistPeriod',
  'kubelet sync frequency': 'kubeletSyncFrequency',
  'container restart back-off': 'containerRestartBackOff',
  'container restart back-off cap': 'containerRestartBackOffCap',
  'job pod failure back-off': 'jobPodFailureBackOff',
  'job pod failure back-off cap': 'jobPodFailureBackOffCap',
  'storage timeout': 'storeTimeout',
  'leader election lease duration': 'leaseDuration',
  'leader election renew deadline': 'renewDeadline',
  'leader election retry period': 'retryPeriod',
  'metric resolution': 'metricResolution',
  'horizontal pod autoscaler sync period': 'horizontalPodAutoscalerSyncPeriod',
  'horizontal pod autoscaler downscale stabilization': 'horizontalPodAutoscalerDownscaleStabilization',
}

/** The regular expression behind the {timing} parameter type (longest phrases first). */
export const TIMING_PATTERN = new RegExp(
  `(?:${Object.keys(TIMING_PHRASES)
    .sort((a, b) => b.length - a.length)
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|')})`,
)

export function timingName(phrase: string): string {
  const name = TIMING_PHRASES[phrase.trim()]
  if (!name) throw new Error(`unknown timing "${phrase}"; known: ${Object.keys(TIMING_PHRASES).join(', ')}`)
  return name
}

/** The phrase of a timing name ("nodeMonitorGracePeriod" -> "node monitor grace period"). */
export function timingPhrase(name: string): string {
  return Object.entries(TIMING_PHRASES).find(([, n]) => n === name)?.[0] ?? name
}

const THE = '(?:the|الـ)'
const PLUS = ' (?:plus|زائد) '
/** "twice the X", "3 times the X" ("ضعف الـ X", "3 أضعاف الـ X"): a multiple of a timing. */
const TIMES = '(?:twice|ضعف|\\d+ (?:times|أضعاف)) '
const NAMED = `(?:${TIMES})?${THE} (?:${TIMING_PATTERN.source})`

/**
 * What {duration} matches: a duration ("5s", "5 ثواني"), or a bound named after timings of the
 * cluster, added up, maybe plus a duration ("the node monitor grace period plus 3s", "the node
 * monitor grace period plus the default unreachable toleration plus 11s", "الـ node monitor
 * grace period زائد 3 ثواني"), each named one maybe a multiple ("3 times the container restart
 * back-off plus twice the container restart back-off cap plus 25s", "ضعف الـ metric resolution").
 */
export const BOUND_PATTERN = new RegExp(`${NAMED}(?:${PLUS}${NAMED})*(?:${PLUS}${DURATION_PATTERN.source})?|${DURATION_PATTERN.source}`)

/** One named term of a bound: its multiplier (twice, N times) and its timing's phrase. */
const NAMED_TERM = new RegExp(`^(?:(twice|ضعف)|(\\d+) (?:times|أضعاف)) ?${THE} (.+)$|^${THE} (.+)$`)

/**
 * Milliseconds of a bound: a duration as it is, a named one from the timings the scenario
 * stated (on the built-in target, the stated values; on another, the cluster's own). A bound
 * that names a timing the scenario did not state is a mistake in the feature: its value would
 * be a guess.
 */
export function resolveBound(text: string, stated: Readonly<Record<string, number>>): number {
  const terms = text.trim().split(new RegExp(PLUS))
  if (terms.length === 1 && !NAMED_TERM.test(terms[0]!)) return parseDuration(text)
  return terms.reduce((sum, term) => {
    const m = NAMED_TERM.exec(term)
    if (!m) return sum + parseDuration(term)
    const phrase = (m[3] ?? m[4])!
    const times = m[1] ? 2 : m[2] ? Number(m[2]) : 1
    const value = stated[timingName(phrase)]
    if (value === undefined)
      throw new Error(
        `the bound "${text}" names the ${phrase}, which this scenario does not state: state it first ("Given the cluster's timings are:" with a row for the ${phrase})`,
      )
    return sum + times * value
  }, 0)
}
