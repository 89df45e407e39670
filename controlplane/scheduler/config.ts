/**
 * Flags → SchedulerOptions, validated. Errors are ConfigErrors naming the
 * flag; main turns them into exit code 2 like any bad flag.
 */
import { readFileSync } from 'node:fs';
import type { ParsedFlags } from '../machinery/flags/parsed.js';
import type { Logger } from '../machinery/log/index.js';
import { parsePolicy, PolicyError, providerProfile, type AlgorithmProvider } from './framework/registry.js';
import type { Profile } from './framework/types.js';
import type { SchedulingObserver } from './scheduler.js';

export class SchedulerConfigError extends Error {
  override readonly name = 'SchedulerConfigError';
  readonly code = 'InvalidSchedulerConfig';
}

export interface SchedulerOptions {
  /** --master: overrides the kubeconfig's server. */
  master?: string;
  kubeconfig?: string;
  /** --address / --port for /healthz and /metrics; port 0 disables serving (upstream), -1 picks a free port (tests). */
  address: string;
  port: number;
  profiling: boolean;
  schedulerName: string;
  profile: Profile;
  /** Where the profile came from, for the start-up log. */
  profileSource: string;
  hardPodAffinitySymmetricWeight: number;
  kubeApiQps: number;
  kubeApiBurst: number;
  kubeApiContentType?: string;
  leaderElect: boolean;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  lockNamespace: string;
  lockName: string;
  /** Leader identity (default hostname_uuid). */
  identity?: string;
  /** percentageOfNodesToScore (not a 1.8 flag; the bench sets it); 0 = adaptive. */
  percentageOfNodesToScore?: number;
  log: Logger;
  /** Called once serving, with the bound port (tests use port -1). */
  onServing?(port: number): void;
  /** Called once the caches synced, before scheduling starts (benches start their clocks here). */
  onSynced?(): void;
  observer?: SchedulingObserver;
}

/** Defaults as the flag table has them; tests override what they need. */
export function defaultOptions(log: Logger): SchedulerOptions {
  return {
    address: '0.0.0.0',
    port: 10251,
    profiling: true,
    schedulerName: 'default-scheduler',
    profile: providerProfile('DefaultProvider'),
    profileSource: 'DefaultProvider',
    hardPodAffinitySymmetricWeight: 1,
    kubeApiQps: 50,
    kubeApiBurst: 100,
    leaderElect: false,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    lockNamespace: 'kube-system',
    lockName: 'kube-scheduler',
    log,
  };
}

export function optionsFromFlags(f: ParsedFlags, log: Logger): SchedulerOptions {
  const o = defaultOptions(log);
  o.master = f.string('master') || undefined;
  o.kubeconfig = f.string('kubeconfig') || undefined;
  o.address = f.string('address');
  o.port = f.number('port');
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new SchedulerConfigError(`invalid value for --port: ${o.port} (0 disables serving, else 1-65535)`);
  o.profiling = f.bool('profiling');
  o.schedulerName = f.string('scheduler-name');
  if (o.schedulerName === '') throw new SchedulerConfigError('--scheduler-name must not be empty');
  o.hardPodAffinitySymmetricWeight = f.number('hard-pod-affinity-symmetric-weight');
  if (!Number.isInteger(o.hardPodAffinitySymmetricWeight) || o.hardPodAffinitySymmetricWeight < 0 || o.hardPodAffinitySymmetricWeight > 100) {
    throw new SchedulerConfigError(`invalid value for --hard-pod-affinity-symmetric-weight: ${o.hardPodAffinitySymmetricWeight}, must be in the range 0-100`);
  }
  o.kubeApiQps = f.number('kube-api-qps');
  o.kubeApiBurst = f.number('kube-api-burst');
  o.kubeApiContentType = f.string('kube-api-content-type');
  o.leaderElect = f.bool('leader-elect');
  o.leaseDurationMs = f.duration('leader-elect-lease-duration');
  o.renewDeadlineMs = f.duration('leader-elect-renew-deadline');
  o.retryPeriodMs = f.duration('leader-elect-retry-period');
  o.lockNamespace = f.string('lock-object-namespace');
  o.lockName = f.string('lock-object-name');
  if (o.leaderElect && o.leaseDurationMs <= o.renewDeadlineMs) throw new SchedulerConfigError('--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline');

  const provider = f.string('algorithm-provider') as AlgorithmProvider;
  o.profile = providerProfile(provider);
  o.profileSource = provider;
  const policyFile = f.string('policy-config-file');
  if (policyFile) {
    let text: string;
    try {
      text = readFileSync(policyFile, 'utf8');
    } catch (e) {
      throw new SchedulerConfigError(`--policy-config-file=${policyFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      const policy = parsePolicy(text);
      o.profile = policy.profile;
      o.profileSource = `policy file ${policyFile}`;
      if (policy.hardPodAffinitySymmetricWeight !== undefined && !f.isSet('hard-pod-affinity-symmetric-weight')) o.hardPodAffinitySymmetricWeight = policy.hardPodAffinitySymmetricWeight;
    } catch (e) {
      if (e instanceof PolicyError) throw new SchedulerConfigError(`--policy-config-file=${policyFile}: ${e.message}`);
      throw e;
    }
  }
  if (f.string('policy-configmap') && !f.bool('use-legacy-policy-config')) {
    log.warn('--policy-configmap is not supported by kubets; use --policy-config-file', { configmap: f.string('policy-configmap') });
  }
  return o;
}
