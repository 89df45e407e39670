/**
 * kubelet: the shared start-up sequence (flags, logging), then the daemon
 * until SIGINT/SIGTERM. Exit codes: 0 after a clean stop (or a successful
 * --runonce), 2 for bad flags or configuration, 1 when it cannot run (the
 * API configuration cannot be loaded, --runonce pods failed).
 * bin/kubelet imports the compiled form of this file and calls main().
 */
import { ConfigError } from '../../controlplane/client/kubeconfig.js';
import { runDaemon, runMain, type CommandIo } from '../../controlplane/machinery/flags/command.js';
import { kubeletCommand } from './options.js';
import { KubeletConfigError, kubeletConfigFromFlags, runKubelet } from './run.js';

export function main(argv: string[], io?: CommandIo, signal?: AbortSignal): Promise<number> {
  return runDaemon(
    {
      command: kubeletCommand,
      configure: kubeletConfigFromFlags,
      isFlagError: (e): e is Error => e instanceof KubeletConfigError,
      isConfigError: (e): e is Error => e instanceof ConfigError,
      run: runKubelet,
    },
    argv,
    io,
    signal,
  );
}

runMain(import.meta.url, main);
