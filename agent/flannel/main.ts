/**
 * flanneld: the shared start-up sequence (flags, logging), then the daemon
 * (run.ts) until SIGINT/SIGTERM. Exit codes: 0 after a clean stop; 2 for bad
 * flags; 1 when it cannot run (no usable interface, a backend that cannot
 * start) or when our lease was revoked.
 * bin/flanneld imports the compiled form of this file and calls main().
 */
import { runDaemon, runMain, type CommandIo } from '../../controlplane/machinery/flags/command.js';
import { flannelCommand } from './options.js';
import { FlannelConfigError, flannelConfigFromFlags, runFlannel } from './run.js';

export function main(argv: string[], io?: CommandIo, signal?: AbortSignal): Promise<number> {
  return runDaemon(
    {
      command: flannelCommand,
      configure: flannelConfigFromFlags,
      isFlagError: (e): e is Error => e instanceof FlannelConfigError,
      isConfigError: (e): e is Error => e instanceof FlannelConfigError,
      run: runFlannel,
    },
    argv,
    io,
    signal,
  );
}

runMain(import.meta.url, main);
