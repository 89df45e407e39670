/**
 * kube-apiserver: parse flags, set up logging, log the flags, then serve until
 * SIGINT/SIGTERM. bin/kube-apiserver imports the compiled form of this file and calls main().
 */
import { runMain, startCommand, type CommandIo } from '../machinery/flags/command.js';
import { apiserverCommand } from './options.js';
import { runApiServer } from './run.js';

export async function main(argv: string[], io?: CommandIo): Promise<number> {
  const started = startCommand(apiserverCommand, argv, io);
  if (started.kind === 'exit') return started.code;
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return runApiServer(started.flags, started.log, stop.signal);
}

runMain(import.meta.url, main);
