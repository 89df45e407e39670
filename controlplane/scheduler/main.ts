/**
 * kube-scheduler: parse flags, set up logging, log the flags; the daemon itself has not
 * landed yet, so it says so and exits 1 instead of pretending to run.
 * bin/kube-scheduler imports the compiled form of this file and calls main().
 */
import { notImplemented, runMain, startCommand, type CommandIo } from '../machinery/flags/command.js';
import { schedulerCommand } from './options.js';

export async function main(argv: string[], io?: CommandIo): Promise<number> {
  const started = startCommand(schedulerCommand, argv, io);
  if (started.kind === 'exit') return started.code;
  // The real daemon replaces this step.
  return notImplemented(started.log, 'kube-scheduler', 'issue 4');
}

runMain(import.meta.url, main);
