/**
 * --runtime-config: which group/versions the server serves. Keys are
 * `api/all`, `api/legacy`, `<group>/<version>` (also written `apis/<group>/<version>`,
 * `api/v1`), values true/false (a bare key means true). The core group
 * cannot be switched off. Versions kubets does not have (the seeds name
 * `rbac.authorization.k8s.io/v1alpha1`) are reported so the daemon can log
 * them once instead of failing.
 */
import { RESOURCE_TABLE, Scheme, type ResourceRow } from '../api/scheme.js';

export interface RuntimeConfigResult {
  scheme: Scheme;
  /** Keys naming group/versions kubets does not serve at all. */
  unknown: string[];
  /** Group/versions switched off. */
  disabled: string[];
}

function parseBool(key: string, v: string): boolean {
  if (v === '' || v === 'true') return true;
  if (v === 'false') return false;
  throw new Error(`--runtime-config: ${key}=${v}: the value must be true or false`);
}

export function applyRuntimeConfig(config: Readonly<Record<string, string>>, rows: readonly ResourceRow[] = RESOURCE_TABLE): RuntimeConfigResult {
  const served = new Set(rows.map((r) => r.gv));
  const want = new Map<string, boolean>();
  let all: boolean | undefined;
  const unknown: string[] = [];
  for (const [rawKey, rawValue] of Object.entries(config)) {
    const key = rawKey.replace(/^apis\//, '').replace(/^api\/v1$/, 'v1');
    const on = parseBool(rawKey, rawValue);
    if (key === 'api/all') all = on;
    else if (key === 'api/legacy' || key === 'v1') {
      if (!on) throw new Error(`--runtime-config: ${rawKey}=false: the core API (v1) cannot be switched off`);
    } else if (served.has(key)) want.set(key, on);
    else unknown.push(rawKey);
  }
  const enabled = (gv: string) => gv === 'v1' || (want.get(gv) ?? all ?? true);
  const kept = rows.filter((r) => enabled(r.gv));
  const disabled = [...served].filter((gv) => !enabled(gv));
  return { scheme: new Scheme(kept), unknown, disabled };
}
