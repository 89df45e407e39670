/**
 * kube-proxy: the shared start-up sequence (flags, logging), then the daemon
 * (run.ts) until SIGINT/SIGTERM. Exit codes: 0 after a clean stop, a
 * finished --cleanup or --write-config-to; 2 for bad flags; 1 when it cannot
 * run (no API configuration, no usable proxy mode, a failed cleanup).
 * bin/kube-proxy imports the compiled form of this file and calls main().
 */
import { ConfigError } from '../../controlplane/client/kubeconfig.js';
import { runDaemon, runMain, type CommandIo } from '../../controlplane/machinery/flags/command.js';
import { proxyCommand } from './options.js';
import { ProxyConfigError, proxyConfigFromFlags, runProxy } from './run.js';

export function main(argv: string[], io?: CommandIo, signal?: AbortSignal): Promise<number> {
  return runDaemon(
    {
      command: proxyCommand,
      configure: proxyConfigFromFlags,
      isFlagError: (e): e is Error => e instanceof ProxyConfigError,
      isConfigError: (e): e is Error => e instanceof ConfigError || e instanceof ProxyConfigError,
      run: runProxy,
    },
    argv,
    io,
    signal,
  );
}

runMain(import.meta.url, main);
