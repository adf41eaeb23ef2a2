// Steps about Jobs and CronJobs: how many pods a Job ran and how they ended, how many ran at
// once (from "I watch the pods"), which Jobs a CronJob started; and the built-in cluster's
// schedule clock, which a scenario moves forward instead of waiting for the minute (@faults).

import type { V1Pod } from '@kubernetes/client-node'
import { expect } from 'chai'
import { Then, When } from './define.js'
import { door } from '../support/controlplane.js'
import { consistently, eventually } from '../support/eventually.js'
import { jobSelector, maxActiveAtOnce, podsSeen } from '../support/jobs.js'
import { list } from '../support/kube.js'
import { podsLabelled } from '../support/workloads.js'
import type { OckWorld } from '../support/world.js'

function timeline(world: OckWorld): { type: string; pod: V1Pod }[] {
  const t = world.remembered.podTimeline
  if (!t) throw new Error('this step reads what the pods went through: start the scenario with "Given I watch the pods"')
  return t
}

/** The pods of the Job the watch saw, with how each ended (or its phase now), sorted. */
function phasesSeen(world: OckWorld, job: string): string[] {
  return [...podsSeen(timeline(world), job).values()].map((p) => p.status?.phase ?? 'Pending').sort()
}

Then(
  ['exactly {int} pod(s) of the job {string} ran, every one {word}', 'بالظبط {int} pods بتاعة الـ job {string} اشتغلوا، وكلهم {word}'],
  async function (this: OckWorld, n: number, job: string, phase: string) {
    const s = await this.cluster()
    const now = await podsLabelled(s.kubeconfig, s.namespace, jobSelector(job))
    expect(now.map((p) => p.status?.phase).sort(), `phases of the pods of the job ${job} now`).to.deep.equal(Array(n).fill(phase))
    // and no other pod came and went in between
    expect(phasesSeen(this, job), `phases of every pod of the job ${job} the watch saw`).to.deep.equal(Array(n).fill(phase))
  },
)

Then(
  ['for {duration} the job {string} starts no further pod', 'لمدة {duration} الـ job {string} ميشغلش pods تانية'],
  async function (this: OckWorld, ms: number, job: string) {
    const before = podsSeen(timeline(this), job).size
    await consistently(
      async () => podsSeen(timeline(this), job).size,
      (n) => void expect(n, `pods of the job ${job} the watch saw`).to.equal(before),
      ms,
      { describe: `the job ${job} keeping its ${before} pods` },
    )
  },
)

Then(
  [
    'at most {int} pods of the job {string} were active at once, and at one time that many',
    'بالكتير {int} pods بتاعة الـ job {string} كانوا active في نفس الوقت، ومرة وصلوا للعدد ده',
  ],
  function (this: OckWorld, n: number, job: string) {
    expect(maxActiveAtOnce(timeline(this), job), `the most pods of the job ${job} active at the same time`).to.equal(n)
  },
)

When(
  ["the cluster's schedule clock moves forward {duration}", 'الـ clock بتاعة الـ schedules في الـ cluster اتقدمت {duration}'],
  async function (this: OckWorld, ms: number) {
    await door(await this.cluster()).advanceScheduleClock(ms)
  },
)

Then(
  ['within {duration} the cron job {string} has started exactly {int} job(s)', 'خلال {duration} الـ cron job {string} يكون عمل بالظبط {int} jobs'],
  async function (this: OckWorld, ms: number, cronJob: string, n: number) {
    const s = await this.cluster()
    const owned = async (): Promise<string[]> =>
      (await list(s.kubeconfig, 'Job', s.namespace))
        .filter((j) => j.metadata?.ownerReferences?.some((r) => r.kind === 'CronJob' && r.name === cronJob && r.controller))
        .map((j) => j.metadata?.name ?? '')
    await eventually(owned, (names) => void expect(names, `jobs of the cron job ${cronJob}`).to.have.length(n), ms, {
      describe: `${n} jobs of the cron job ${cronJob}`,
    })
    this.remembered.cronJobJobs = await owned()
  },
)

Then(
  ['for {duration} the cron job {string} starts no further job', 'لمدة {duration} الـ cron job {string} ميعملش jobs تانية'],
  async function (this: OckWorld, ms: number, cronJob: string) {
    const s = await this.cluster()
    const before = this.remembered.cronJobJobs ?? []
    await consistently(
      async () =>
        (await list(s.kubeconfig, 'Job', s.namespace))
          .filter((j) => j.metadata?.ownerReferences?.some((r) => r.kind === 'CronJob' && r.name === cronJob && r.controller))
          .map((j) => j.metadata?.name ?? '')
          .sort(),
      (names) => void expect(names, `jobs of the cron job ${cronJob}`).to.deep.equal([...before].sort()),
      ms,
      { describe: `the cron job ${cronJob} keeping its jobs ${before.join(', ')}` },
    )
  },
)
