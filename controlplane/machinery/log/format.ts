/**
 * klog's text line: `Lmmdd hh:mm:ss.uuuuuu threadid name] msg key="value" …`.
 * Operators grep these, so the header keeps klog's columns: severity letter,
 * month+day, local time with microseconds, the pid right-aligned in 7 columns
 * (klog prints the thread id there), then the source name and `]`.
 */

export type Severity = 'I' | 'W' | 'E' | 'F';

export interface TextRecord {
  severity: Severity;
  /** Epoch milliseconds, fractional part = sub-millisecond. */
  ts: number;
  pid: number;
  name: string;
  msg: string;
  fields: Readonly<Record<string, unknown>>;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

export function formatHeader(severity: Severity, ts: number, pid: number, name: string): string {
  const d = new Date(Math.floor(ts));
  const micros = Math.floor(ts * 1000) % 1_000_000;
  return (
    `${severity}${pad(d.getMonth() + 1, 2)}${pad(d.getDate(), 2)} ` +
    `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(micros, 6)} ` +
    `${String(pid).padStart(7)} ${name}] `
  );
}

/** klog's key=value rendering: strings quoted like Go's %q, numbers and bools bare, the rest as JSON. */
export function formatFieldValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) return '<nil>';
  try {
    return JSON.stringify(v);
  } catch {
    return JSON.stringify(String(v));
  }
}

export function formatText(r: TextRecord): string {
  let line = formatHeader(r.severity, r.ts, r.pid, r.name) + r.msg;
  for (const [k, v] of Object.entries(r.fields)) line += ` ${k}=${formatFieldValue(v)}`;
  return line + '\n';
}
