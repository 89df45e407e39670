/**
 * Bench runner: `npm run bench -- <name> [args…]` runs test/bench/<name>.ts,
 * whose `main(args, signal)` prints its own report. Ctrl-C aborts the signal
 * so a bench can stop what it started (etcd members, temp dirs) before exiting.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface BenchModule {
  main(args: string[], signal: AbortSignal): Promise<void>;
}

const [name, ...args] = process.argv.slice(2);
if (!name || !/^[a-z0-9-]+$/.test(name)) {
  process.stderr.write('usage: npm run bench -- <name> [args…]   (runs test/bench/<name>.ts)\n');
  process.exit(2);
}
const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
if (!existsSync(file)) {
  process.stderr.write(`no bench named ${JSON.stringify(name)}: ${file} does not exist\n`);
  process.exit(2);
}
const ac = new AbortController();
process.once('SIGINT', () => ac.abort());
process.once('SIGTERM', () => ac.abort());
const mod = (await import(file)) as Partial<BenchModule>;
if (typeof mod.main !== 'function') {
  process.stderr.write(`${file} exports no main(args, signal)\n`);
  process.exit(2);
}
try {
  await mod.main(args, ac.signal);
} catch (err) {
  process.stderr.write(`bench ${name} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
}
