/**
 * When a CronJob runs (robfig/cron's SpecSchedule.Next, as upstream uses),
 * on the schedules the API layer's parser accepts (api/batch/v1/cron.ts).
 * Pure; times are epoch milliseconds.
 *
 * - Field schedules fire on whole minutes of wall-clock time in a zone: the
 *   CronJob's spec.timeZone or the schedule's TZ=/CRON_TZ= prefix, else the
 *   controller's local time (upstream's default). Day of month and day of
 *   week are ANDed when either is `*` (or `?`), else ORed — cron's rule.
 * - `@every d` fires d after the previous time (at least one second).
 * - next() searches at most five years ahead; a schedule that never fires
 *   (Feb 30) answers undefined.
 */
import { DESCRIPTOR_FIELDS, parseCron, type CronSchedule } from '../../api/batch/v1/cron.js';

const MINUTE = 60_000;

export interface Schedule {
  /** The first time strictly after `after` the schedule fires, or undefined. */
  next(after: number): number | undefined;
}

/** Offset of a zone from UTC at an instant, in ms (local time when zone is undefined). */
function offsetAt(zone: string | undefined, instant: number): number {
  if (!zone) return -new Date(instant).getTimezoneOffset() * MINUTE;
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(instant));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/** Star fields (robfig's starBit): `*` or `?` with no step above 1 in any part of the list. */
function isStar(field: string): boolean {
  return field.split(',').some((part) => {
    const [range, step] = part.split('/');
    return (range === '*' || range === '?') && (step === undefined || Number(step) <= 1);
  });
}


/** Parses a schedule (throws the parser's error). timeZone: spec.timeZone, which wins over a TZ= prefix. */
export function parseSchedule(spec: string, timeZone?: string): Schedule {
  const parsed: CronSchedule = parseCron(spec);
  let text = spec.trim();
  let zone = timeZone || undefined;
  if (text.startsWith('TZ=') || text.startsWith('CRON_TZ=')) {
    const sp = text.indexOf(' ');
    zone ??= text.slice(text.indexOf('=') + 1, sp);
    text = text.slice(sp + 1).trim();
  }
  if (zone) {
    // Throws RangeError for an unknown zone, as time.LoadLocation fails upstream.
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  }
  if (parsed.everyMs !== undefined) {
    const delay = Math.max(1000, Math.floor(parsed.everyMs / 1000) * 1000);
    return { next: (after) => Math.floor(after / 1000) * 1000 + delay };
  }
  if (text.startsWith('@')) text = DESCRIPTOR_FIELDS[text] ?? text;
  const fields = text.split(/\s+/);
  const domStar = isStar(fields[2] ?? '*');
  const dowStar = isStar(fields[4] ?? '*');
  const dayMatches = (d: Date): boolean => {
    const dom = parsed.daysOfMonth.has(d.getUTCDate());
    const dow = parsed.daysOfWeek.has(d.getUTCDay()) || (d.getUTCDay() === 0 && parsed.daysOfWeek.has(7));
    return domStar || dowStar ? dom && dow : dom || dow;
  };
  const toInstant = (wall: number) => {
    const guess = wall - offsetAt(zone, wall);
    return wall - offsetAt(zone, guess);
  };
  return {
    next(after) {
      // Wall-clock time in the zone, as UTC fields; the next whole minute strictly after.
      let w = Math.floor((after + offsetAt(zone, after)) / MINUTE) * MINUTE + MINUTE;
      const limit = new Date(w).getUTCFullYear() + 5;
      for (;;) {
        const d = new Date(w);
        const y = d.getUTCFullYear();
        if (y > limit) return undefined;
        const mo = d.getUTCMonth();
        if (!parsed.months.has(mo + 1)) {
          w = Date.UTC(y, mo + 1, 1);
          continue;
        }
        if (!dayMatches(d)) {
          w = Date.UTC(y, mo, d.getUTCDate() + 1);
          continue;
        }
        if (!parsed.hours.has(d.getUTCHours())) {
          w = Date.UTC(y, mo, d.getUTCDate(), d.getUTCHours() + 1);
          continue;
        }
        if (!parsed.minutes.has(d.getUTCMinutes())) {
          w += MINUTE;
          continue;
        }
        const t = toInstant(w);
        // A wall time skipped by a DST change maps before `after`: move on.
        if (t <= after) {
          w += MINUTE;
          continue;
        }
        return t;
      }
    },
  };
}

/** More unmet start times than this is reported (upstream's "too many missed start times"). */
export const MAX_MISSED_STARTS = 100;

export interface Unmet {
  /** The most recent start time ≤ now not yet run, if any. */
  mostRecent?: number;
  /** How many start times were missed (counted up to MAX_MISSED_STARTS + 1). */
  missed: number;
  tooMany: boolean;
}

/**
 * The start times in (earliest, now] (getRecentUnmetScheduleTimes):
 * earliest is the last schedule time, else the creation time, moved up to
 * now − startingDeadlineSeconds when that is later. Past the limit the most
 * recent one is still found, from a window before now, without walking
 * every missed minute.
 */
export function unmetScheduleTimes(s: Schedule, earliest: number, now: number): Unmet {
  if (earliest > now) return { missed: 0, tooMany: false };
  let missed = 0;
  let mostRecent: number | undefined;
  for (let t = s.next(earliest); t !== undefined && t <= now; t = s.next(t)) {
    mostRecent = t;
    if (++missed > MAX_MISSED_STARTS) break;
  }
  if (missed <= MAX_MISSED_STARTS) return { mostRecent, missed, tooMany: false };
  for (const window of [3_600_000, 86_400_000, 32 * 86_400_000, 367 * 86_400_000, 5 * 367 * 86_400_000]) {
    let last: number | undefined;
    for (let t = s.next(Math.max(earliest, now - window)); t !== undefined && t <= now; t = s.next(t)) last = t;
    if (last !== undefined) return { mostRecent: last, missed, tooMany: true };
  }
  return { mostRecent, missed, tooMany: true };
}
