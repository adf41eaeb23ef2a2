// How the parallel workers share the machine (cucumber-js's setParallelCanAssign, asked in the
// coordinating process before each scenario is handed to a worker; support/hooks.ts hands it
// this rule). Scenarios on a real etcd cluster start etcd processes that fsync every write and
// time what etcd does (leader elections, quorum loss, write latency: ETCD-05 compares clusters of
// 1, 3 and 5 members): one of them runs at a time. Without the rule, four at once on a 2-core
// machine measured each other (a 12 s scenario took 60 s); on four workers the ci profile took
// 189 s with two at once, 183 s with one. Every other scenario runs beside them, so a worker
// that may not start one takes the next in line.

import type { Pickle } from '@cucumber/messages'

/** Scenarios on a real etcd cluster (tagged @etcd, on the scenario or its feature). */
export function onEtcd(pickle: Pickle): boolean {
  return pickle.tags.some((t) => t.name === '@etcd')
}

/** Whether `pickle` may start while `running` run. */
export function canRunBeside(pickle: Pickle, running: readonly Pickle[]): boolean {
  return !(onEtcd(pickle) && running.some(onEtcd))
}
