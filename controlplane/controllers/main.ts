/**
 * kube-controller-manager: the shared start-up sequence (flags, logging),
 * then the daemon until SIGINT/SIGTERM. Exit codes: 0 after a clean stop, 2
 * for bad flags or configuration (as every daemon), 1 when the API server
 * config cannot be loaded or leadership is lost (upstream exits so a
 * supervisor restarts it).
 * bin/kube-controller-manager imports the compiled form of this file and calls main().
 */
import { ConfigError } from '../client/kubeconfig.js';
import { runMain, startCommand, type CommandIo } from '../machinery/flags/command.js';
import { ControllerManagerConfigError, optionsFromFlags } from './config.js';
import { controllerManagerCommand } from './options.js';
import { runControllerManager } from './run.js';

export async function main(argv: string[], io?: CommandIo, signal?: AbortSignal): Promise<number> {
  const started = startCommand(controllerManagerCommand, argv, io);
  if (started.kind === 'exit') return started.code;
  const log = started.log;
  let opts;
  try {
    opts = optionsFromFlags(started.flags, log);
  } catch (e) {
    if (!(e instanceof ControllerManagerConfigError)) throw e;
    await log.flush();
    (io ?? process).stderr.write(`error: ${e.message}\nRun 'kube-controller-manager --help' for usage.\n`);
    return 2;
  }
  const ac = new AbortController();
  const onSignal = () => ac.abort();
  signal?.addEventListener('abort', onSignal, { once: true });
  if (!signal) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  try {
    const outcome = await runControllerManager(opts, ac.signal);
    await log.flush();
    return outcome === 'stopped' ? 0 : 1;
  } catch (e) {
    if (e instanceof ConfigError) log.error(`invalid configuration: ${e.message}`);
    else log.error('kube-controller-manager failed', { err: (e as Error).stack ?? String(e) });
    await log.flush();
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

runMain(import.meta.url, main);
