// CronJob schedules: upstream's cron syntax (robfig/cron's ParseStandard: five fields, minute
// hour day-of-month month day-of-week, with names, ranges, steps and `?`, or a descriptor
// @yearly @annually @monthly @weekly @daily @midnight @hourly), read in the CronJob's
// timeZone (IANA name; UTC when unset), and the times it fires at. Parsing and "next time"
// are the `cron-parser` package's; what upstream refuses and how it words it (field count,
// unknown descriptors, TZ in the schedule, unknown time zones) is checked here first.
// Mirrors pkg/apis/batch/validation (validateScheduleFormat, validateTimeZone) and
// pkg/controller/cronjob/utils.go (mostRecentScheduleTime, nextScheduleTime, getJobName).
// Simplifies: the controller manager's local time zone is UTC; `@every <duration>` is
// refused; cron-parser's extensions (L, W, #, a seconds field) are refused by the field count
// or by its parser, not always with robfig's words.

import { CronExpressionParser } from 'cron-parser'

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
}

/** Whether `tz` is a time zone name this runtime knows (upstream time.LoadLocation). */
export function validTimeZone(tz: string): boolean {
  if (!tz || tz === 'Local' || /\s/.test(tz)) return false
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

/** The five fields a schedule stands for, or robfig's error for it. */
function expand(schedule: string): { fields: string } | { error: string } {
  const s = schedule.trim()
  if (s.startsWith('@')) {
    const d = DESCRIPTORS[s]
    return d ? { fields: d } : { error: `unrecognized descriptor: ${s}` }
  }
  const parts = s.split(/\s+/).filter(Boolean)
  if (parts.length !== 5) return { error: `expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]` }
  return { fields: parts.map((p) => (p === '?' ? '*' : p)).join(' ') }
}

/** The reasons upstream refuses a schedule (empty: it parses). */
export function scheduleErrors(schedule: string): string[] {
  const errors: string[] = []
  const e = expand(schedule)
  if ('error' in e) errors.push(e.error)
  else {
    try {
      CronExpressionParser.parse(e.fields, { tz: 'UTC' })
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err))
    }
  }
  if (schedule.includes('TZ')) errors.push('cannot use TZ or CRON_TZ in schedule, use timeZone field instead')
  return errors
}

/** A parsed schedule in its time zone. */
export interface Schedule {
  /** The first time strictly after `t` (ms) it fires at. */
  next(t: number): number
  /** The last time at or before `t` (ms) it fired at, if any in the last few years. */
  previous(t: number): number | undefined
}

export function parseSchedule(schedule: string, timeZone?: string): Schedule {
  const e = expand(schedule)
  if ('error' in e) throw new Error(e.error)
  const tz = timeZone || 'UTC'
  CronExpressionParser.parse(e.fields, { tz }) // throws on a broken one
  return {
    next: (t) =>
      CronExpressionParser.parse(e.fields, { tz, currentDate: new Date(t) })
        .next()
        .getTime(),
    previous: (t) => {
      try {
        // prev() is strictly before its start: start a millisecond later to include t itself
        return CronExpressionParser.parse(e.fields, { tz, currentDate: new Date(t + 1) })
          .prev()
          .getTime()
      } catch {
        return undefined
      }
    },
  }
}

/**
 * The most recent time the CronJob should have started a Job at, at or before `now`, and not
 * before its last schedule (or creation); undefined when none is due. With
 * startingDeadlineSeconds the search starts no earlier than that long before now
 * (mostRecentScheduleTime with includeStartingDeadlineSeconds).
 */
export function mostRecentScheduleTime(sched: Schedule, earliest: number, now: number, startingDeadlineSeconds?: number): number | undefined {
  let from = earliest
  if (startingDeadlineSeconds !== undefined && startingDeadlineSeconds !== null) from = Math.max(from, now - startingDeadlineSeconds * 1000)
  const first = sched.next(from)
  if (first > now) return undefined
  const last = sched.previous(now)
  return last !== undefined && last >= first ? last : first
}

/** A CronJob's Job for a scheduled time: `<cronjob>-<minutes since the epoch>` (getJobName). */
export function jobNameFor(cronJob: string, scheduledMs: number): string {
  return `${cronJob}-${Math.floor(scheduledMs / 60_000)}`
}

/** RFC 3339 of `ms` in `timeZone` (UTC: `Z`), as Go's time.Format(time.RFC3339) after In(loc). */
export function rfc3339In(ms: number, timeZone?: string): string {
  const tz = timeZone || 'UTC'
  if (tz === 'UTC') return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  )
  const offset = String(parts.timeZoneName).replace('GMT', '') || 'Z'
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`
}
