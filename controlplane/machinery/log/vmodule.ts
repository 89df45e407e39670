/**
 * glog/klog --vmodule: `pattern=N,pattern2=M`. A pattern is a glob (`*`, `?`)
 * matched against the caller's file name without its extension (`podworkers`
 * for agent/kubelet/podworkers.ts); a pattern with a `/` is matched against the
 * full path without extension. The first matching pattern wins.
 */

export interface VModuleRule {
  pattern: string;
  level: number;
  /** True when the pattern names a path (contains '/'), not a file name. */
  full: boolean;
  re: RegExp;
}

/** Parses a --vmodule value, or returns why it is wrong (in klog's words). */
export function parseVModule(spec: string): { ok: true; rules: VModuleRule[] } | { ok: false; error: string } {
  const rules: VModuleRule[] = [];
  if (spec.trim() === '') return { ok: true, rules };
  for (const part of spec.split(',')) {
    const eq = part.lastIndexOf('=');
    const pattern = eq < 0 ? '' : part.slice(0, eq).trim();
    const levelText = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (pattern === '' || !/^\d+$/.test(levelText)) {
      return { ok: false, error: `syntax error: expect comma-separated list of filename=N, got ${JSON.stringify(part)}` };
    }
    rules.push({ pattern, level: Number(levelText), full: pattern.includes('/'), re: globToRegExp(pattern) });
  }
  return { ok: true, rules };
}

/** The --vmodule flag's check for the flag table. */
export function checkVModule(value: string): string | undefined {
  const r = parseVModule(value);
  return r.ok ? undefined : r.error;
}

/** The verbosity the rules grant to a source file, or undefined when none matches. */
export function vmoduleLevel(rules: readonly VModuleRule[], filePath: string): number | undefined {
  const noExt = filePath.replace(/\.(m|c)?(t|j)sx?$/, '');
  const base = noExt.slice(noExt.lastIndexOf('/') + 1);
  for (const r of rules) {
    if (r.re.test(r.full ? noExt : base)) return r.level;
  }
  return undefined;
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const c of glob) {
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // Path patterns may match the tail of a longer absolute path.
  return glob.includes('/') ? new RegExp(`(^|/)${re}$`) : new RegExp(`^${re}$`);
}
