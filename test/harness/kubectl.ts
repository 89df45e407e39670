/**
 * The real kubectl binaries (1.27 … 1.33), each test with its own kubeconfig
 * and discovery cache dir so nothing leaks between tests or from ~/.kube.
 */
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';
export const KUBECTL_VERSIONS = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'] as const;
export type KubectlVersion = (typeof KUBECTL_VERSIONS)[number];

export interface KubectlResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface Kubectl {
  readonly version: KubectlVersion;
  readonly kubeconfig: string;
  run(args: readonly string[], opts?: { input?: string; env?: Record<string, string> }): Promise<KubectlResult>;
  /** Runs and throws (with stderr) unless it exits 0. */
  ok(args: readonly string[], opts?: { input?: string; env?: Record<string, string> }): Promise<string>;
  cleanup(): Promise<void>;
}

export function kubectlPath(version: KubectlVersion): string {
  const p = join(KUBECTL_DIR, `kubectl.${version}`);
  if (!existsSync(p)) throw new Error(`real kubectl ${version} not found at ${p}`);
  return p;
}

export async function makeKubectl(version: KubectlVersion, server: string): Promise<Kubectl> {
  const dir = await mkdtemp(join(tmpdir(), `kubets-kubectl-${version}-`));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: t',
      '  cluster:',
      `    server: ${server}`,
      'users:',
      '- name: t',
      '  user: {}',
      'contexts:',
      '- name: t',
      '  context: {cluster: t, user: t, namespace: default}',
      'current-context: t',
      '',
    ].join('\n'),
  );
  const bin = kubectlPath(version);
  const run = async (args: readonly string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<KubectlResult> => {
    const r = await execa(bin, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], {
      reject: false,
      input: opts.input,
      env: { HOME: dir, KUBECONFIG: kubeconfig, PATH: process.env.PATH ?? '/usr/bin:/bin', ...opts.env },
      extendEnv: false,
      timeout: 60_000,
    });
    return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
  };
  return {
    version,
    kubeconfig,
    run,
    ok: async (args, opts) => {
      const r = await run(args, opts);
      if (r.exitCode !== 0) throw new Error(`kubectl ${version} ${args.join(' ')}: exit ${r.exitCode}: ${r.stderr.trim()}`);
      return r.stdout;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
