/**
 * kubelet: parse flags, set up logging, log the flags; the daemon itself has not
 * landed yet, so it says so and exits 1 instead of pretending to run.
 * bin/kubelet imports the compiled form of this file and calls main().
 */
import { notImplemented, runMain, startCommand, type CommandIo } from '../../controlplane/machinery/flags/command.js';
import { kubeletCommand } from './options.js';

export async function main(argv: string[], io?: CommandIo): Promise<number> {
  const started = startCommand(kubeletCommand, argv, io);
  if (started.kind === 'exit') return started.code;
  // The real daemon replaces this step.
  return notImplemented(started.log, 'kubelet', 'a later issue');
}

runMain(import.meta.url, main);
