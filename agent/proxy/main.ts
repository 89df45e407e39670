/**
 * kube-proxy: the shared start-up sequence (flags, logging), then the daemon
 * (run.ts) until SIGINT/SIGTERM. Exit codes: 0 after a clean stop, a
 * finished --cleanup or --write-config-to; 2 for bad flags; 1 when it cannot
 * run (no API configuration, no usable proxy mode, a failed cleanup).
 * bin/kube-proxy imports the compiled form of this file and calls main().
 */
import { ConfigError } from '../../controlplane/client/kubeconfig.js';
import { runMain, startCommand, type CommandIo } from '../../controlplane/machinery/flags/command.js';
import { proxyCommand } from './options.js';
import { ProxyConfigError, proxyConfigFromFlags, runProxy, type ProxyConfig } from './run.js';

export async function main(argv: string[], io?: CommandIo, signal?: AbortSignal): Promise<number> {
  const started = startCommand(proxyCommand, argv, io);
  if (started.kind === 'exit') return started.code;
  const log = started.log;
  let cfg: ProxyConfig;
  try {
    cfg = proxyConfigFromFlags(started.flags, log);
  } catch (e) {
    if (!(e instanceof ProxyConfigError)) throw e;
    await log.flush();
    (io ?? process).stderr.write(`error: ${e.message}\nRun 'kube-proxy --help' for usage.\n`);
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
    const code = await runProxy(cfg, ac.signal);
    await log.flush();
    return code;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ProxyConfigError) log.error(`invalid configuration: ${e.message}`);
    else log.error('kube-proxy failed', { err: (e as Error).stack ?? String(e) });
    await log.flush();
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

runMain(import.meta.url, main);
