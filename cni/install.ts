/**
 * Installs the plugins as executables in a CNI bin directory (default
 * /opt/cni/bin), where a runtime looks them up by `type`. Each is a two-line
 * shell launcher that execs this Node with the compiled plugin from dist/:
 * absolute paths, because a runtime runs plugins with a minimal environment
 * (often no PATH to node). Existing files are replaced atomically (write to
 * a temp name, rename), so a plugin running during the install finishes on
 * the old version.
 */
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Plugin name → its compiled entry point, relative to dist/cni. */
export const PLUGINS: Readonly<Record<string, string>> = {
  bridge: 'plugins/bridge/main.js',
  'host-local': 'ipam/host-local/main.js',
  loopback: 'plugins/loopback/main.js',
  portmap: 'plugins/portmap/main.js',
  flannel: 'plugins/flannel/main.js',
};

export interface InstallOptions {
  /** The compiled cni/ directory (dist/cni); default: where this module runs from. */
  readonly distDir?: string;
  /** The node binary; default the one running now. */
  readonly node?: string;
}

function shQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/**
 * dist/cni: this module's own directory once compiled; when it runs from
 * source (tsx, in tests) the compiled tree beside the sources.
 */
function defaultDistDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return import.meta.url.endsWith('.js') ? here : join(here, '..', 'dist', 'cni');
}

/** The launcher script for one plugin (pure). */
export function launcherScript(node: string, entry: string): string {
  return `#!/bin/sh\n# kubets CNI plugin launcher (written by cni/install.ts)\nexec ${shQuote(node)} ${shQuote(entry)} "$@"\n`;
}

/** Writes one launcher per plugin into `dir`; returns the paths written. */
export function installCniPlugins(dir = '/opt/cni/bin', opts: InstallOptions = {}): string[] {
  const distDir = opts.distDir ?? defaultDistDir();
  const node = opts.node ?? process.execPath;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const written: string[] = [];
  for (const [name, rel] of Object.entries(PLUGINS)) {
    const entry = join(distDir, rel);
    if (!existsSync(entry)) {
      throw new Error(`${entry} is missing: build first (npm run build)`);
    }
    const target = join(dir, name);
    const tmp = `${target}.kubets-tmp-${process.pid}`;
    writeFileSync(tmp, launcherScript(node, entry), { mode: 0o755 });
    chmodSync(tmp, 0o755);
    renameSync(tmp, target);
    written.push(target);
  }
  return written;
}
