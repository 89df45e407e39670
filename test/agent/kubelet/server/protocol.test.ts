// Pure pieces: request options, statuses, the resize decoder, log options,
// route matching and port-forward stream checks.
import test from 'ava';
import { ResizeDecoder, encodeStatus, exitCodeStatus, internalErrorStatus, parseRemoteCommandOptions, protocolVersion, successStatus } from '../../../../agent/kubelet/server/remotecommand/protocol.js';
import { expectedStreams } from '../../../../agent/kubelet/server/remotecommand/spdy.js';
import { noContainerMessage, parseLogOptions } from '../../../../agent/kubelet/server/logs.js';
import { matchStreamingRoute } from '../../../../agent/kubelet/server/server.js';
import { checkPortForwardStream, requestIdOf } from '../../../../agent/kubelet/server/portforward/spdy.js';
import { HttpError } from '../../../../agent/kubelet/server/http.js';
import type { Pod } from '../../../../controlplane/api/core/v1/types.js';

const optionCases: { name: string; query: string; kind: 'exec' | 'attach'; want: unknown }[] = [
  { name: 'kubectl exec', query: 'command=sh&command=-c&command=echo+hi&stderr=true&stdout=true', kind: 'exec', want: { command: ['sh', '-c', 'echo hi'], stdin: false, stdout: true, stderr: true, tty: false } },
  { name: 'upstream API server spelling (1)', query: 'command=ls&stdin=1&stdout=1&tty=1&stderr=1', kind: 'exec', want: { command: ['ls'], stdin: true, stdout: true, stderr: false, tty: true } },
  { name: 'attach without command', query: 'stdout=true', kind: 'attach', want: { command: [], stdin: false, stdout: true, stderr: false, tty: false } },
  { name: 'exec without command', query: 'stdout=true', kind: 'exec', want: 'you must specify at least one command for the container' },
  { name: 'no stream at all', query: 'command=ls', kind: 'exec', want: 'you must specify at least 1 of stdin, stdout, stderr' },
  { name: 'bad boolean', query: 'command=ls&stdout=yes', kind: 'exec', want: 'invalid value for stdout: "yes"' },
];
for (const c of optionCases) {
  test(`exec/attach options: ${c.name}`, (t) => {
    const r = parseRemoteCommandOptions(new URLSearchParams(c.query), c.kind);
    if (typeof c.want === 'string') t.deepEqual(r, { ok: false, message: c.want });
    else t.deepEqual(r, { ok: true, opts: c.want });
  });
}

test('expected SPDY streams: error always; stderr dropped with a tty; resize from v3 with a tty', (t) => {
  const o = { command: ['x'], stdin: true, stdout: true, stderr: true, tty: false };
  t.deepEqual(expectedStreams(o, 4), ['error', 'stdin', 'stdout', 'stderr']);
  t.deepEqual(expectedStreams({ ...o, tty: true }, 4), ['error', 'stdin', 'stdout', 'resize']);
  t.deepEqual(expectedStreams({ ...o, tty: true }, 2), ['error', 'stdin', 'stdout']);
});

test('statuses: JSON from v4 on, a failure message only before', (t) => {
  t.is(encodeStatus(successStatus(), 5)?.toString(), '{"metadata":{},"status":"Success"}');
  t.is(
    encodeStatus(exitCodeStatus(3, ['sh', '-c', 'exit 3']), 4)?.toString(),
    '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
  );
  t.is(encodeStatus(successStatus(), 2), undefined);
  t.is(encodeStatus(internalErrorStatus('boom'), 1)?.toString(), 'Internal error occurred: boom');
  t.deepEqual([5, 4, 4, 3, 2, 1, 1].map((v, i) => protocolVersion(['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v4.base64.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io'][i]) === v), Array(7).fill(true));
});

test('resize decoder: objects back to back, split anywhere, junk skipped', (t) => {
  const d = new ResizeDecoder();
  t.deepEqual(d.push('{"Width":80,"He'), []);
  t.deepEqual(d.push('ight":24}\n{"Width":100,"Height":40}{"Width'), [
    { width: 80, height: 24 },
    { width: 100, height: 40 },
  ]);
  t.deepEqual(d.push('":1,"Height":2}'), [{ width: 1, height: 2 }]);
  t.deepEqual(d.push('{"Width":-1,"Height":2}{"Width":"x"}{"Width":3,"Height":4}'), [{ width: 3, height: 4 }]);
});

const logCases: { name: string; query: string; want: unknown }[] = [
  { name: 'defaults', query: '', want: { follow: false, previous: false, timestamps: false, tailLines: undefined, sinceSeconds: undefined, limitBytes: undefined } },
  { name: 'kubectl flags', query: 'follow=true&tailLines=10&timestamps=true&previous=true&limitBytes=100&sinceSeconds=60', want: { follow: true, previous: true, timestamps: true, tailLines: 10, sinceSeconds: 60, limitBytes: 100 } },
  { name: 'sinceTime becomes seconds, rounded up', query: 'sinceTime=2026-01-01T00:00:00Z', want: { follow: false, previous: false, timestamps: false, tailLines: undefined, sinceSeconds: 91, limitBytes: undefined } },
  { name: 'negative tailLines', query: 'tailLines=-1', want: new HttpError(422, 'tailLines: Invalid value: -1: must be greater than or equal to 0') },
  { name: 'zero limitBytes', query: 'limitBytes=0', want: new HttpError(422, 'limitBytes: Invalid value: 0: must be greater than 0') },
  { name: 'both since forms', query: 'sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z', want: new HttpError(422, 'at most one of `sinceTime` or `sinceSeconds` may be specified') },
  { name: 'not a number', query: 'tailLines=ten', want: new HttpError(400, 'Unable to decode query.') },
];
for (const c of logCases) {
  test(`log options: ${c.name}`, (t) => {
    const now = Date.parse('2026-01-01T00:01:30.500Z');
    if (c.want instanceof HttpError) {
      const e = t.throws(() => parseLogOptions(new URLSearchParams(c.query), now), { instanceOf: HttpError });
      t.is(e?.code, c.want.code);
      t.is(e?.message, c.want.message);
    } else t.deepEqual(parseLogOptions(new URLSearchParams(c.query), now), c.want);
  });
}

test('why a container has no logs, in upstream words', (t) => {
  const pod = (state: unknown): Pod => ({ metadata: { name: 'p' }, status: { containerStatuses: [{ name: 'c', state, ready: false, restartCount: 0, image: '', imageID: '' }] } }) as unknown as Pod;
  t.is(noContainerMessage(pod({ waiting: { reason: 'ContainerCreating' } }), 'c', false), 'container "c" in pod "p" is waiting to start: ContainerCreating');
  t.is(noContainerMessage(pod({ waiting: { reason: 'ErrImagePull' } }), 'c', false), 'container "c" in pod "p" is waiting to start: image can\'t be pulled');
  t.is(noContainerMessage(pod({ waiting: { reason: 'ImagePullBackOff' } }), 'c', false), 'container "c" in pod "p" is waiting to start: trying and failing to pull image');
  t.is(noContainerMessage(pod({ waiting: { reason: 'CrashLoopBackOff' } }), 'c', false), 'container "c" in pod "p" is waiting to start: CrashLoopBackOff');
  t.is(noContainerMessage(pod({ terminated: {} }), 'c', false), 'container "c" in pod "p" is terminated');
  t.is(noContainerMessage(pod({}), 'c', true), 'previous terminated container "c" in pod "p" not found');
  t.is(noContainerMessage({ metadata: { name: 'p' } } as Pod, 'c', false), 'container "c" in pod "p" is waiting to start: ContainerCreating');
});

test('streaming routes: with and without the pod UID', (t) => {
  t.deepEqual(matchStreamingRoute('/exec/ns/p/c'), { kind: 'exec', ns: 'ns', pod: 'p', container: 'c' });
  t.deepEqual(matchStreamingRoute('/attach/ns/p/uid-1/c'), { kind: 'attach', ns: 'ns', pod: 'p', uid: 'uid-1', container: 'c' });
  t.deepEqual(matchStreamingRoute('/portForward/ns/p'), { kind: 'portForward', ns: 'ns', pod: 'p' });
  t.deepEqual(matchStreamingRoute('/portForward/ns/p/u'), { kind: 'portForward', ns: 'ns', pod: 'p', uid: 'u' });
  t.is(matchStreamingRoute('/exec/ns/p'), undefined);
  t.is(matchStreamingRoute('/containerLogs/ns/p/c'), undefined);
});

test('port-forward streams: header checks and request ids', (t) => {
  t.is(checkPortForwardStream('80', 'data'), undefined);
  t.is(checkPortForwardStream(undefined, 'data'), '"port" header is required');
  t.is(checkPortForwardStream('http', 'data'), 'unable to parse "http" as a port');
  t.is(checkPortForwardStream('0', 'data'), 'port "0" must be > 0');
  t.is(checkPortForwardStream('80', undefined), '"streamType" header is required');
  t.is(checkPortForwardStream('80', 'stdout'), 'invalid stream type "stdout"');
  const s = (id: number, h: Record<string, string>) => ({ id, header: (n: string) => h[n] });
  t.is(requestIdOf(s(5, { requestid: '7', streamtype: 'data' })), '7');
  t.is(requestIdOf(s(1, { streamtype: 'error' })), '1');
  t.is(requestIdOf(s(3, { streamtype: 'data' })), '1');
});
