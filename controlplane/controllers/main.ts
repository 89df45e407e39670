/**
 * kube-controller-manager: the shared start-up sequence (flags, logging),
 * then the daemon until SIGINT/SIGTERM. Exit codes: 0 after a clean stop, 2
 * for bad flags or configuration (as every daemon), 1 when the API server
 * config cannot be loaded or leadership is lost (upstream exits so a
 * supervisor restarts it).
 * bin/kube-controller-manager imports the compiled form of this file and calls main().
 */
import { ConfigError } from '../client/kubeconfig.js';
import { runDaemon, runMain, type CommandIo } from '../machinery/flags/command.js';
import { ControllerManagerConfigError, optionsFromFlags } from './config.js';
import { controllerManagerCommand } from './options.js';
import { runControllerManager } from './run.js';

export function main(argv: string[], io?: CommandIo, signal?: AbortSignal): Promise<number> {
  return runDaemon(
    {
      command: controllerManagerCommand,
      configure: optionsFromFlags,
      isFlagError: (e): e is Error => e instanceof ControllerManagerConfigError,
      isConfigError: (e): e is Error => e instanceof ConfigError,
      run: async (opts, sig) => ((await runControllerManager(opts, sig)) === 'stopped' ? 0 : 1),
    },
    argv,
    io,
    signal,
  );
}

runMain(import.meta.url, main);
