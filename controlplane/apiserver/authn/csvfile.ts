/**
 * The CSV files of --token-auth-file and --basic-auth-file:
 * `secret,user,uid[,"group1,group2"]`, one record a line, quotes as in RFC 4180
 * (Go's encoding/csv, which upstream reads them with). Errors name the file and
 * line and never quote the secret.
 */
import { readFileSync } from 'node:fs';
import type { UserInfo } from './user.js';

/** One CSV line into fields; throws on a bad quote. Leading spaces before a field are dropped, as Go's TrimLeadingSpace. */
export function splitCSVLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= line.length) throw new Error('extraneous or missing " in quoted-field');
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            v += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += line[i++];
      }
      if (i < line.length && line[i] !== ',') throw new Error('extraneous or missing " in quoted-field');
      out.push(v);
    } else {
      const end = line.indexOf(',', i);
      const v = end < 0 ? line.slice(i) : line.slice(i, end);
      if (v.includes('"')) throw new Error('bare " in non-quoted-field');
      out.push(v);
      i = end < 0 ? line.length : end;
    }
    if (i >= line.length) return out;
    i++; // the comma
  }
}

export interface CredentialRecord {
  secret: string;
  user: UserInfo;
  line: number;
}

/**
 * Parses the file's text. `what` is 'token' or 'password' (for messages).
 * Empty secrets are skipped (upstream warns); a later duplicate wins.
 */
export function parseCredentialCSV(path: string, text: string, what: 'token' | 'password'): CredentialRecord[] {
  const out: CredentialRecord[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (line.trim() === '') continue;
    let rec: string[];
    try {
      rec = splitCSVLine(line);
    } catch (e) {
      throw new Error(`${what} file '${path}' line ${n + 1}: ${(e as Error).message}`);
    }
    if (rec.length < 3) {
      throw new Error(`${what} file '${path}' line ${n + 1}: must have at least 3 columns (${what}, user name, user uid), found ${rec.length}`);
    }
    if (rec[0] === '') continue;
    if (rec[1] === '') throw new Error(`${what} file '${path}' line ${n + 1}: the user name (column 2) is empty`);
    const user: UserInfo = { name: rec[1], uid: rec[2], groups: [] };
    if (rec.length >= 4 && rec[3] !== '') user.groups = rec[3].split(',').map((g) => g.trim()).filter(Boolean);
    out.push({ secret: rec[0], user, line: n + 1 });
  }
  return out;
}

export function readCredentialCSV(path: string, what: 'token' | 'password'): CredentialRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${what} file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseCredentialCSV(path, text, what);
}
