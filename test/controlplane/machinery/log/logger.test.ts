import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, defaultLogOptions, logFlags, redact, type LogOptions } from '../../../../controlplane/machinery/log/index.js';
import { parseVModule } from '../../../../controlplane/machinery/log/vmodule.js';
import { commandTable, parseArgs, type CommandSpec } from '../../../../controlplane/machinery/flags/index.js';

/** A stderr that remembers what was written. */
function capture(): { write(s: string): boolean; lines(): string[] } {
  let buf = '';
  return {
    write(s: string) {
      buf += s;
      return true;
    },
    lines: () => buf.split('\n').filter((l) => l !== ''),
  };
}

function opts(over: Partial<LogOptions>): LogOptions {
  return { ...defaultLogOptions('kube-test'), ...over };
}

const HEADER = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d{6} +\d+ kube-test\] /;

test('text header in klog form, fields as key="value"', (t) => {
  const err = capture();
  const log = createLogger(opts({}), { stderr: err });
  log.info('Starting kube-test', { port: 8080, name: 'x', ok: true });
  log.warn('careful');
  log.error('broken', { err: new Error('boom') });
  const [a, b, c] = err.lines();
  t.regex(a, HEADER);
  t.true(a.startsWith('I'));
  t.true(a.endsWith('] Starting kube-test port=8080 name="x" ok=true'), a);
  t.true(b.startsWith('W') && b.endsWith('] careful'));
  t.true(c.startsWith('E') && c.endsWith('] broken err="boom"'), c);
  t.regex(a, new RegExp(` +${process.pid} kube-test\\]`));
});

const vcases: { name: string; v: number; vmodule?: string; level: number; want: boolean }[] = [
  { name: 'v(0) at --v=0', v: 0, level: 0, want: true },
  { name: 'v(1) at --v=0', v: 0, level: 1, want: false },
  { name: 'v(4) at --v=4', v: 4, level: 4, want: true },
  { name: 'v(5) at --v=4', v: 4, level: 5, want: false },
  { name: 'vmodule grants this file', v: 0, vmodule: 'logger.test=3', level: 3, want: true },
  { name: 'vmodule glob grants this file', v: 0, vmodule: 'logger.*=2', level: 2, want: true },
  { name: 'vmodule level still caps', v: 0, vmodule: 'logger.test=3', level: 4, want: false },
  { name: 'vmodule for another file', v: 0, vmodule: 'podworkers=5', level: 1, want: false },
  { name: 'vmodule path pattern', v: 0, vmodule: 'machinery/log/logger.test=2', level: 2, want: true },
];
for (const tc of vcases) {
  test(`v-gating: ${tc.name}`, (t) => {
    const err = capture();
    const vm = parseVModule(tc.vmodule ?? '');
    if (!vm.ok) return t.fail(vm.error);
    const log = createLogger(opts({ v: tc.v, vmodule: vm.rules }), { stderr: err });
    const vl = log.v(tc.level);
    t.is(vl.enabled, tc.want);
    vl.info('hello');
    t.is(err.lines().length, tc.want ? 1 : 0);
  });
}

test('vmodule syntax errors are reported', (t) => {
  const r = parseVModule('foo');
  t.false(r.ok);
});

test('child loggers carry their bindings', (t) => {
  const err = capture();
  const log = createLogger(opts({}), { stderr: err }).child({ controller: 'replicaset' });
  log.child({ key: 'default/web' }).info('synced');
  t.true(err.lines()[0].endsWith('] synced controller="replicaset" key="default/web"'), err.lines()[0]);
});

test('--log-format=json writes one JSON object per line', (t) => {
  const err = capture();
  const log = createLogger(opts({ format: 'json', v: 2 }), { stderr: err });
  log.v(2).info('hi', { a: 1 });
  const rec = JSON.parse(err.lines()[0]) as Record<string, unknown>;
  t.is(rec.msg, 'hi');
  t.is(rec.level, 'info');
  t.is(rec.v, 2);
  t.is(rec.a, 1);
  t.is(typeof rec.ts, 'number');
});

interface FileCase { name: string; over: Partial<LogOptions>; fileLines: number; stderrLines: string[] }
const fileCases: FileCase[] = [
  { name: 'file only; errors reach stderr at the default threshold (ERROR)', over: {}, fileLines: 3, stderrLines: ['E'] },
  { name: '--stderrthreshold=WARNING', over: { stderrthreshold: 1 }, fileLines: 3, stderrLines: ['W', 'E'] },
  { name: '--stderrthreshold=4 (the seeds): nothing on stderr', over: { stderrthreshold: 4 }, fileLines: 3, stderrLines: [] },
  { name: '--alsologtostderr', over: { alsologtostderr: true, stderrthreshold: 4 }, fileLines: 3, stderrLines: ['I', 'W', 'E'] },
];
for (const tc of fileCases) {
  test(`--logtostderr=false --log-dir: ${tc.name}`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'kubets-log-'));
    try {
      const err = capture();
      const log = createLogger(opts({ logtostderr: false, logDir: join(dir, 'sub'), ...tc.over }), { stderr: err });
      log.info('one');
      log.warn('two');
      log.error('three');
      await log.flush();
      const file = readFileSync(join(dir, 'sub', 'kube-test.log'), 'utf8').split('\n').filter((l) => l !== '');
      t.is(file.length, tc.fileLines);
      t.regex(file[0], HEADER);
      t.deepEqual(err.lines().map((l) => l[0]), tc.stderrLines);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

const spec: CommandSpec = {
  component: 'kube-test',
  description: 'test',
  flags: [
    { name: 'token', type: 'string', default: '', secret: true, help: 'a token' },
    { name: 'password', type: 'string', default: 'root', secret: true, help: 'a password' },
    { name: 'empty-secret', type: 'string', default: '', secret: true, help: 'unset' },
    { name: 'master', type: 'string', default: '', help: 'master' },
  ],
};

test('redact() hides secret values and leaves the rest', (t) => {
  const r = parseArgs(commandTable(spec), ['--token=abc123', '--master=http://m:8080']);
  if (r.kind !== 'flags') return t.fail();
  const m = new Map(redact(r.flags).map((e) => [e.name, e.value]));
  t.is(m.get('token'), '<redacted>');
  t.is(m.get('password'), '<redacted>');
  t.is(m.get('empty-secret'), '');
  t.is(m.get('master'), 'http://m:8080');
  t.is(m.get('log-flush-frequency'), '5s');
});

test('logFlags: FLAG: lines at --v=1 only, never a secret', (t) => {
  const r = parseArgs(commandTable(spec), ['--token=abc123', '--v=1']);
  if (r.kind !== 'flags') return t.fail();
  const quiet = capture();
  logFlags(createLogger(opts({ v: 0 }), { stderr: quiet }), r.flags);
  t.is(quiet.lines().length, 0);
  const loud = capture();
  logFlags(createLogger(opts({ v: 1 }), { stderr: loud }), r.flags);
  const lines = loud.lines();
  t.is(lines.length, commandTable(spec).specs.length);
  t.true(lines.some((l) => l.endsWith('] FLAG: --token="<redacted>"')));
  t.true(lines.some((l) => l.endsWith('] FLAG: --v="1"')));
  t.false(lines.some((l) => l.includes('abc123')));
});

test('--log-backtrace-at=file:line appends a stack trace to that line only', (t) => {
  const err = capture();
  const line = Number(new Error().stack?.split('\n')[1].match(/:(\d+):\d+\)?$/)?.[1]) + 2;
  const log = createLogger(opts({ backtraceAt: { file: 'logger.test.ts', line } }), { stderr: err });
  log.info('traced');
  log.info('not traced');
  const [a, b] = err.lines();
  t.regex(a, /\] traced stack="/);
  t.false(b.includes('stack='));
});
