// The durations a scenario may state about the reference cluster, in the words of the course
// and of upstream's flags ("the node monitor grace period is 2s"), mapped to the built-in
// target's timing names (support/targets/builtin.ts TIMINGS). Another target cannot be
// configured: such scenarios carry @config and are skipped there.

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
  'job pod failure back-off': 'jobPodFailureBackOff',
  'storage timeout': 'storeTimeout',
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
