import assert from 'node:assert/strict'
import { test } from 'node:test'
import { timingsFromFlags, TimingFlagError, type TimingFlags } from './timingflags.js'

test('timing flags become the topology timings upstream names them after', () => {
  const cases: [TimingFlags, ReturnType<typeof timingsFromFlags>][] = [
    [{}, {}],
    [
      { 'node-monitor-period': '500ms', 'node-monitor-grace-period': '2s', 'node-startup-grace-period': '1m' },
      { timings: { nodeLifecycle: { nodeMonitorPeriodMs: 500, nodeMonitorGracePeriodMs: 2_000, nodeStartupGracePeriodMs: 60_000 } } },
    ],
    [
      { 'node-lease-duration-seconds': '1', 'node-status-update-frequency': '250ms' },
      { timings: { kubelet: { nodeStatusUpdateFrequencyMs: 250, nodeLeaseDurationMs: 1_000 } } },
    ],
    [{ 'default-unreachable-toleration-seconds': '2' }, { defaultTolerationSeconds: { unreachable: 2 } }],
    [{ 'default-not-ready-toleration-seconds': '0' }, { defaultTolerationSeconds: { notReady: 0 } }],
    [
      { 'metric-resolution': '1s', 'horizontal-pod-autoscaler-sync-period': '1s' },
      { timings: { metricResolutionMs: 1_000, horizontalPodAutoscaler: { syncPeriodMs: 1_000 } } },
    ],
    [
      { 'leader-elect-lease-duration': '4s', 'leader-elect-renew-deadline': '3s', 'leader-elect-retry-period': '1s' },
      { leaderElection: { leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 1_000 } },
    ],
    [{ 'storage-timeout': '4s' }, { storeTimeoutMs: 4_000 }],
    [
      { 'container-restart-backoff': '500ms', 'max-container-restart-period': '2s', 'job-pod-failure-backoff': '200ms' },
      { timings: { kubelet: { backOffInitialMs: 500, backOffMaxMs: 2_000 }, job: { podFailureBackOffMs: 200 } } },
    ],
  ]
  for (const [flags, want] of cases) assert.deepEqual(timingsFromFlags(flags), want, JSON.stringify(flags))
})

test('a timing flag that cannot be read is refused with its name', () => {
  const cases: [TimingFlags, RegExp][] = [
    [{ 'node-monitor-grace-period': '2' }, /^--node-monitor-grace-period: .*e\.g\. 40s/],
    [{ 'node-monitor-period': '0s' }, /^--node-monitor-period must be longer than 0/],
    [{ 'node-lease-duration-seconds': '0' }, /^--node-lease-duration-seconds must be a whole number of seconds >= 1/],
    [{ 'default-unreachable-toleration-seconds': '1.5' }, /^--default-unreachable-toleration-seconds must be a whole number/],
    [{ 'metric-resolution': '-1s' }, /^--metric-resolution must be longer than 0/],
    [{ 'storage-timeout': 'soon' }, /^--storage-timeout: /],
    [{ 'job-pod-failure-backoff': '0s' }, /^--job-pod-failure-backoff must be longer than 0/],
    // the renew deadline left at its default (10s) is longer than the lease asked for
    [{ 'leader-elect-lease-duration': '4s' }, /^leader election needs --leader-elect-lease-duration > .* got 4000 ms, 10000 ms, 2000 ms/],
  ]
  for (const [flags, message] of cases)
    assert.throws(
      () => timingsFromFlags(flags),
      (e: Error) => e instanceof TimingFlagError && message.test(e.message),
    )
})
