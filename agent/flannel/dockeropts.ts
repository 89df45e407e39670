/**
 * mk-docker-opts (flannel's dist/mk-docker-opts.sh, DATAPLANE §4.4): turns
 * the subnet file into Docker daemon options.
 *
 *   mk-docker-opts [-f FLANNEL-ENV-FILE] [-d DOCKER-ENV-FILE] [-i] [-c] [-m] [-k COMBINED-KEY]
 *
 *   -f  the flannel env file (/run/flannel/subnet.env); a missing file gives empty options, as the script's `source` does
 *   -d  the Docker env file to write (/run/docker_opts.env)
 *   -i  individual variables only: DOCKER_OPT_BIP="--bip=10.1.74.1/24" …
 *   -c  the combined variable only: DOCKER_OPTS=" --bip=… --ip-masq=false --mtu=1450 "
 *   -k  the combined variable's name (DOCKER_OPTS)
 *   -m  no --ip-masq option
 *   -w  kubets only: wait up to SECONDS for the env file to exist and be
 *       non-empty (flanneld.service is Type=simple, so its ExecStartPost runs
 *       before flanneld wrote the file); exit 1 if it never comes. 0 = no wait
 *
 * Neither -i nor -c: both. The individual variables come in the order bash's
 * `compgen -v DOCKER_OPT_` lists them (by name), including DOCKER_OPT_*
 * variables the env file or the environment already had; the combined value
 * starts with what COMBINED-KEY already held, then " ", then every option
 * followed by " " — the script's exact spacing. FLANNEL_IPMASQ=true means
 * flannel masquerades, so Docker must not (--ip-masq=false); false gives
 * --ip-masq=true; anything else is an error.
 *
 * render() is pure; main() is the command (bin/mk-docker-opts, and
 * bin/mk-docker-opts.sh for scripts that use upstream's name).
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface DockerOptsOptions {
  /** -f */
  readonly envFile: string;
  /** -d */
  readonly out: string;
  /** -k */
  readonly key: string;
  /** -i / -c as given (neither = both). */
  readonly individual: boolean;
  readonly combined: boolean;
  /** false with -m. */
  readonly ipMasq: boolean;
  /** -w: seconds to wait for the env file (kubets). */
  readonly waitSeconds: number;
}

export const DEFAULTS: DockerOptsOptions = { envFile: '/run/flannel/subnet.env', out: '/run/docker_opts.env', key: 'DOCKER_OPTS', individual: false, combined: false, ipMasq: true, waitSeconds: 0 };

export const USAGE = `mk-docker-opts [-f FLANNEL-ENV-FILE] [-d DOCKER-ENV-FILE] [-i] [-c] [-m] [-k COMBINED-KEY] [-w SECONDS]

Generate Docker daemon options based on flannel env file
OPTIONS:
\t-f\tPath to flannel env file. Defaults to /run/flannel/subnet.env
\t-d\tPath to Docker env file to write to. Defaults to /run/docker_opts.env
\t-i\tOutput each Docker option as individual var. e.g. DOCKER_OPT_MTU=1500
\t-c\tOutput combined Docker options into DOCKER_OPTS var
\t-k\tSet the combined options key to this value (default DOCKER_OPTS=)
\t-m\tDo not output --ip-masq (useful for older Docker version)
\t-w\tWait up to this many seconds for the flannel env file (kubets; default 0: no wait)
`;

export class DockerOptsError extends Error {
  override readonly name = 'DockerOptsError';
}

/** getopts "f:d:icmk:w:": clustered flags (-ic), values attached (-kKEY) or next; stops at "--" or the first operand. */
export function parseDockerOptsArgs(argv: readonly string[]): DockerOptsOptions {
  const o = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (!a.startsWith('-') || a === '-') break;
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (c === 'i') o.individual = true;
      else if (c === 'c') o.combined = true;
      else if (c === 'm') o.ipMasq = false;
      else if (c === 'f' || c === 'd' || c === 'k' || c === 'w') {
        let v = a.slice(j + 1);
        if (v === '') {
          if (i + 1 >= argv.length) throw new DockerOptsError(`option requires an argument -- ${c}`);
          v = argv[++i];
        }
        if (c === 'f') o.envFile = v;
        else if (c === 'd') o.out = v;
        else if (c === 'w') {
          if (!/^\d+$/.test(v)) throw new DockerOptsError(`-w ${JSON.stringify(v)} is not a number of seconds`);
          o.waitSeconds = Number(v);
        } else {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) throw new DockerOptsError(`-k ${JSON.stringify(v)} is not a shell variable name`);
          o.key = v;
        }
        break;
      } else throw new DockerOptsError(`illegal option -- ${c}`);
    }
  }
  return o;
}

/** KEY=VALUE lines of a shell env file (quotes stripped; comments, blank lines and anything else skipped). */
export function parseEnvText(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/^export\s+/, '');
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) v = v.slice(1, -1);
    out[m[1]] = v;
  }
  return out;
}

/**
 * The Docker env file's text. `vars` = the environment as the script sees it
 * after sourcing the env file (file entries over process environment).
 */
export function render(vars: Readonly<Record<string, string | undefined>>, o: Pick<DockerOptsOptions, 'key' | 'individual' | 'combined' | 'ipMasq'>): string {
  const both = !o.individual && !o.combined;
  const opts: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) if (k.startsWith('DOCKER_OPT_') && v !== undefined) opts[k] = v;
  if (vars.FLANNEL_SUBNET) opts.DOCKER_OPT_BIP = `--bip=${vars.FLANNEL_SUBNET}`;
  if (vars.FLANNEL_MTU) opts.DOCKER_OPT_MTU = `--mtu=${vars.FLANNEL_MTU}`;
  const masq = vars.FLANNEL_IPMASQ;
  if (masq && o.ipMasq) {
    if (masq === 'true') opts.DOCKER_OPT_IPMASQ = '--ip-masq=false';
    else if (masq === 'false') opts.DOCKER_OPT_IPMASQ = '--ip-masq=true';
    else throw new DockerOptsError(`Invalid value of FLANNEL_IPMASQ: ${masq}`);
  }
  const names = Object.keys(opts).sort();
  const lines: string[] = [];
  if (both || o.individual) for (const n of names) lines.push(`${n}="${opts[n]}"`);
  if (both || o.combined) {
    let combined = `${vars[o.key] ?? ''} `;
    for (const n of names) combined += `${opts[n]} `;
    lines.push(`${o.key}="${combined}"`);
  }
  return lines.map((l) => `${l}\n`).join('');
}

export interface DockerOptsIo {
  readonly stderr: { write(s: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
}

export async function main(argv: string[], io: DockerOptsIo = { stderr: process.stderr, env: process.env }): Promise<number> {
  let o: DockerOptsOptions;
  try {
    o = parseDockerOptsArgs(argv);
  } catch (e) {
    io.stderr.write(`mk-docker-opts: ${(e as Error).message}\n${USAGE}`);
    return 1;
  }
  if (o.waitSeconds > 0) {
    const deadline = Date.now() + o.waitSeconds * 1000;
    while (!(await nonEmpty(o.envFile))) {
      if (Date.now() >= deadline) {
        io.stderr.write(`mk-docker-opts: ${o.envFile} did not appear within ${o.waitSeconds}s (is flanneld running?)\n`);
        return 1;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  let fileVars: Record<string, string> = {};
  try {
    fileVars = parseEnvText(await readFile(o.envFile, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      io.stderr.write(`mk-docker-opts: ${o.envFile}: ${(e as Error).message}\n`);
      return 1;
    }
  }
  let text: string;
  try {
    text = render({ ...io.env, ...fileVars }, o);
  } catch (e) {
    io.stderr.write(`mk-docker-opts: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    await mkdir(dirname(o.out), { recursive: true });
    await writeFile(o.out, text);
  } catch (e) {
    io.stderr.write(`mk-docker-opts: cannot write ${o.out}: ${(e as Error).message}\n`);
    return 1;
  }
  return 0;
}

async function nonEmpty(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}
