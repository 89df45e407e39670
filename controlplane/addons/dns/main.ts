/**
 * kube-dns: the shared start-up sequence (flags, logging), then the daemon
 * until SIGINT/SIGTERM. Exit codes: 0 after a clean stop, 2 for bad flags,
 * 1 when the API server configuration cannot be loaded or a socket cannot
 * be bound. bin/kube-dns imports the compiled form of this file and calls main().
 */
import { ConfigError } from '../../client/kubeconfig.js';
import { runDaemon, runMain, type CommandIo } from '../../machinery/flags/command.js';
import { DnsConfigError, optionsFromFlags } from './config.js';
import { dnsCommand } from './options.js';
import { runDns } from './run.js';

export function main(argv: string[], io?: CommandIo, signal?: AbortSignal): Promise<number> {
  return runDaemon(
    {
      command: dnsCommand,
      configure: optionsFromFlags,
      isFlagError: (e): e is Error => e instanceof DnsConfigError,
      isConfigError: (e): e is Error => e instanceof ConfigError,
      run: async (opts, sig) => {
        await runDns(opts, sig);
        return 0;
      },
    },
    argv,
    io,
    signal,
  );
}

runMain(import.meta.url, main);
