/**
 * kubelet: the shared start-up sequence (flags, logging), then the daemon
 * until SIGINT/SIGTERM. Exit codes: 0 after a clean stop (or a successful
 * --runonce), 2 for bad flags or configuration, 1 when it cannot run (the
 * API configuration cannot be loaded, --runonce pods failed).
 * bin/kubelet imports the compiled form of this file and calls main().
 */
import { ConfigError } from '../../controlplane/client/kubeconfig.js';
import { runMain, startCommand, type CommandIo } from '../../controlplane/machinery/flags/command.js';
import { kubeletCommand } from './options.js';
import { KubeletConfigError, kubeletConfigFromFlags, runKubelet, type KubeletConfig } from './run.js';

export async function main(argv: string[], io?: CommandIo, signal?: AbortSignal): Promise<number> {
  const started = startCommand(kubeletCommand, argv, io);
  if (started.kind === 'exit') return started.code;
  const log = started.log;
  let cfg: KubeletConfig;
  try {
    cfg = kubeletConfigFromFlags(started.flags, log);
  } catch (e) {
    if (!(e instanceof KubeletConfigError)) throw e;
    await log.flush();
    (io ?? process).stderr.write(`error: ${e.message}\nRun 'kubelet --help' for usage.\n`);
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
    const code = await runKubelet(cfg, ac.signal);
    await log.flush();
    return code;
  } catch (e) {
    if (e instanceof ConfigError) log.error(`invalid configuration: ${e.message}`);
    else log.error('kubelet failed', { err: (e as Error).stack ?? String(e) });
    await log.flush();
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

runMain(import.meta.url, main);
