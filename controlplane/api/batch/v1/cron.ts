/**
 * A parser for the cron schedules CronJob accepts: the five-field standard
 * form (minute hour day-of-month month day-of-week, with `*`, `?`, lists,
 * ranges, steps and JAN–DEC / SUN–SAT names) and the `@yearly`…`@hourly`,
 * `@every <duration>` descriptors, as robfig/cron's standard parser (which
 * upstream uses) does. Errors carry robfig's wording, because upstream puts
 * them verbatim in `spec.schedule: Invalid value` messages.
 */

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: readonly Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
];
const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** A parsed schedule: the set of allowed values per field (for descriptors, the equivalent five fields). */
export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  /** For `@every`, the interval in milliseconds instead of fields. */
  everyMs?: number;
}

/** The @-descriptors and the five fields each stands for (also the cronjob controller's). */
export const DESCRIPTOR_FIELDS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parseValue(s: string, b: Bounds): number {
  const named = b.names?.[s.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^[0-9]+$/.test(s)) throw new Error(`failed to parse int from ${s}: strconv.Atoi: parsing "${s}": invalid syntax`);
  return Number(s);
}

function parseRange(expr: string, b: Bounds, out: Set<number>): void {
  const [rangePart, stepPart, extra] = expr.split('/');
  if (extra !== undefined) throw new Error(`too many slashes: ${expr}`);
  let start: number;
  let end: number;
  if (rangePart === '*' || rangePart === '?') {
    start = b.min;
    end = b.max;
  } else {
    const [lo, hi, more] = rangePart.split('-');
    if (more !== undefined) throw new Error(`too many hyphens: ${expr}`);
    start = parseValue(lo, b);
    end = hi === undefined ? start : parseValue(hi, b);
  }
  let step = 1;
  if (stepPart !== undefined) {
    step = parseValue(stepPart, { min: 0, max: 0 });
    // `N/step` means N through max, as robfig does.
    if (rangePart !== '*' && rangePart !== '?' && !rangePart.includes('-')) end = b.max;
  }
  if (start < b.min) throw new Error(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new Error(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) out.add(v);
}

function parseField(field: string, b: Bounds): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(',')) parseRange(part, b, out);
  return out;
}

/** Go-style duration (`1h30m`, `90s`, `500ms`) → milliseconds. */
function parseDuration(s: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  const re = /([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * units[m[2]];
    matched = re.lastIndex;
  }
  if (s === '' || matched !== s.length) throw new Error(`failed to parse duration ${s}: time: invalid duration "${s}"`);
  return total;
}

/** Parses a schedule or throws an Error whose message is robfig's. */
export function parseCron(spec: string): CronSchedule {
  let s = spec.trim();
  if (s === '') throw new Error('empty spec string');
  if (s.startsWith('TZ=') || s.startsWith('CRON_TZ=')) {
    const sp = s.indexOf(' ');
    if (sp < 0) throw new Error(`provided bad location ${s}`);
    s = s.slice(sp + 1).trim();
  }
  if (s.startsWith('@')) {
    if (s.startsWith('@every ')) {
      const ms = parseDuration(s.slice('@every '.length).trim());
      return { minutes: new Set(), hours: new Set(), daysOfMonth: new Set(), months: new Set(), daysOfWeek: new Set(), everyMs: ms };
    }
    if (!DESCRIPTORS.has(s)) throw new Error(`unrecognized descriptor: ${s}`);
    s = DESCRIPTOR_FIELDS[s];
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: ${s}`);
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = fields.map((f, i) => parseField(f, FIELDS[i]));
  return { minutes, hours, daysOfMonth, months, daysOfWeek };
}
