import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { jobNameFor, mostRecentScheduleTime, parseSchedule, rfc3339In, scheduleErrors, validTimeZone } from './cron.js'

const at = (s: string): number => Date.parse(s)
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString())

describe('cron schedules as upstream reads them', () => {
  const next: { schedule: string; tz?: string; after: string; want: string }[] = [
    { schedule: '*/5 * * * *', after: '2026-12-06T22:03:10Z', want: '2026-12-06T22:05:00.000Z' },
    { schedule: '*/5 * * * *', after: '2026-12-06T22:05:00Z', want: '2026-12-06T22:10:00.000Z' },
    { schedule: '@hourly', after: '2026-12-06T22:03:00Z', want: '2026-12-06T23:00:00.000Z' },
    { schedule: '@daily', after: '2026-12-06T22:03:00Z', want: '2026-12-07T00:00:00.000Z' },
    { schedule: '@weekly', after: '2026-12-06T22:03:00Z', want: '2026-12-13T00:00:00.000Z' }, // a Sunday
    { schedule: '@monthly', after: '2026-12-06T22:03:00Z', want: '2027-01-01T00:00:00.000Z' },
    { schedule: '@yearly', after: '2026-12-06T22:03:00Z', want: '2027-01-01T00:00:00.000Z' },
    { schedule: '30 9 * * mon-fri', after: '2026-12-05T10:00:00Z', want: '2026-12-07T09:30:00.000Z' }, // Saturday -> Monday
    { schedule: '0 0 1,15 * *', after: '2026-12-02T00:00:00Z', want: '2026-12-15T00:00:00.000Z' },
    { schedule: '0 9 * * *', tz: 'Europe/Berlin', after: '2026-12-06T09:00:00Z', want: '2026-12-07T08:00:00.000Z' }, // 9:00 CET
    { schedule: '0 9 * * *', tz: 'Europe/Berlin', after: '2026-06-06T09:00:00Z', want: '2026-06-07T07:00:00.000Z' }, // 9:00 CEST
  ]
  for (const c of next)
    it(`${c.schedule}${c.tz ? ` in ${c.tz}` : ''} after ${c.after} fires at ${c.want}`, () => {
      assert.equal(iso(parseSchedule(c.schedule, c.tz).next(at(c.after))), c.want)
    })

  const errors: { schedule: string; want: RegExp[] }[] = [
    { schedule: '*/5 * * * *', want: [] },
    { schedule: '@hourly', want: [] },
    { schedule: 'bad', want: [/^expected exactly 5 fields, found 1: \[bad\]$/] },
    { schedule: '* * * *', want: [/^expected exactly 5 fields, found 4: \[\* \* \* \*\]$/] },
    { schedule: '0 * * * * *', want: [/^expected exactly 5 fields, found 6/] },
    { schedule: '@fortnightly', want: [/^unrecognized descriptor: @fortnightly$/] },
    { schedule: '61 * * * *', want: [/./] },
    { schedule: 'TZ=UTC 0 * * * *', want: [/^expected exactly 5 fields/, /^cannot use TZ or CRON_TZ in schedule, use timeZone field instead$/] },
  ]
  for (const c of errors)
    it(`"${c.schedule}" is ${c.want.length ? 'refused' : 'accepted'}`, () => {
      const got = scheduleErrors(c.schedule)
      assert.equal(got.length, c.want.length, got.join('; '))
      c.want.forEach((re, i) => assert.match(got[i]!, re))
    })

  it('the most recent due time, not before the last one, within startingDeadlineSeconds', () => {
    const hourly = parseSchedule('@hourly')
    const created = at('2026-12-06T22:03:00Z')
    assert.equal(mostRecentScheduleTime(hourly, created, at('2026-12-06T22:59:00Z')), undefined)
    assert.equal(iso(mostRecentScheduleTime(hourly, created, at('2026-12-06T23:00:00Z'))), '2026-12-06T23:00:00.000Z')
    // missed several: the latest one
    assert.equal(iso(mostRecentScheduleTime(hourly, created, at('2026-12-07T02:30:00Z'))), '2026-12-07T02:00:00.000Z')
    // the last schedule is the floor
    assert.equal(mostRecentScheduleTime(hourly, at('2026-12-07T02:00:00Z'), at('2026-12-07T02:30:00Z')), undefined)
    // a deadline of 10 minutes: 02:00 is out of reach at 02:30
    assert.equal(mostRecentScheduleTime(hourly, created, at('2026-12-07T02:30:00Z'), 600), undefined)
    assert.equal(iso(mostRecentScheduleTime(hourly, created, at('2026-12-07T02:05:00Z'), 600)), '2026-12-07T02:00:00.000Z')
  })

  it("names a Job after its scheduled minute and stamps it in the CronJob's time zone", () => {
    assert.equal(jobNameFor('tick', at('2026-12-06T23:00:00Z')), `tick-${at('2026-12-06T23:00:00Z') / 60_000}`)
    assert.equal(rfc3339In(at('2026-12-06T23:00:00Z')), '2026-12-06T23:00:00Z')
    assert.equal(rfc3339In(at('2026-12-06T23:00:00Z'), 'Europe/Berlin'), '2026-12-07T00:00:00+01:00')
    assert.equal(rfc3339In(at('2026-12-06T23:00:00Z'), 'Asia/Kolkata'), '2026-12-07T04:30:00+05:30')
  })

  it('knows IANA time zones', () => {
    assert.deepEqual(['Europe/Berlin', 'UTC', 'Africa/Cairo', 'Mars/Olympus', 'Local', ''].map(validTimeZone), [true, true, true, false, false, false])
  })
})
