/**
 * Captured bodies (see capture.ts): what kubectl 1.33 sends as protobuf must decode to exactly the
 * JSON kubectl 1.31 sends for the same command, and re-encoding must give back kubectl's bytes.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeK8sProtobuf, encodeK8sProtobuf } from '../../../../controlplane/apiserver/protobuf/index.js';
import { CAPTURE_CASES } from './cases.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const hexOf = (name: string): Buffer => Buffer.from(readFileSync(join(FIXTURES, `${name}.hex`), 'utf8').trim(), 'hex');
const jsonOf = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;

/** Removes a dotted path (numeric parts index arrays) and returns what was there. */
function take(obj: unknown, path: string): unknown {
  const parts = path.split('.');
  let cur: unknown = obj;
  for (const p of parts.slice(0, -1)) cur = (cur as Record<string, unknown> | undefined)?.[p];
  if (typeof cur !== 'object' || cur === null) return undefined;
  const last = parts[parts.length - 1];
  const v = (cur as Record<string, unknown>)[last];
  delete (cur as Record<string, unknown>)[last];
  return v;
}

for (const c of CAPTURE_CASES) {
  test(`kubectl 1.33 ${c.args.slice(0, 3).join(' ')}: protobuf body decodes to kubectl 1.31's JSON (${c.name})`, (t) => {
    const got = decodeK8sProtobuf(hexOf(c.name));
    t.is<unknown, unknown>(got.object.kind, got.kind);
    t.is<unknown, unknown>(got.object.apiVersion, got.apiVersion);
    if (c.differentObjectIn131) {
      t.pass('compared in its own test below');
      return;
    }
    const want = jsonOf(c.name);
    for (const path of c.volatile ?? []) {
      const a = take(got.object, path);
      const b = take(want, path);
      t.not(a, undefined, `${path} decoded`);
      t.is(typeof a, typeof b, `${path} has the JSON type kubectl 1.31 sends`);
    }
    t.deepEqual(got.object, want);
  });

  test(`re-encoding the decoded ${c.name} gives kubectl's bytes back`, (t) => {
    const bytes = hexOf(c.name);
    t.is(encodeK8sProtobuf(decodeK8sProtobuf(bytes).object).toString('hex'), bytes.toString('hex'));
  });
}

test('the configmap bytes quoted in API-SURFACE §b.10 decode, and re-encode identically', (t) => {
  const hex = '6b387300 0a0f 0a027631 1209 436f6e6669674d6170 121d 0a13 0a03636d33 1200 1a00 2200 2a00 3200 3800 4200 1206 0a016b 120176 1a00 2200'.replace(/ /g, '');
  const got = decodeK8sProtobuf(Buffer.from(hex, 'hex'));
  // The empty namespace, selfLink, uid… on the wire are Go's zero values: omitempty leaves them out.
  t.deepEqual(got, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm3', creationTimestamp: null }, data: { k: 'v' } },
  });
  t.is(encodeK8sProtobuf(got.object).toString('hex'), hex);
});

test('kubectl 1.33 autoscale sends an autoscaling/v2 HPA with a CPU utilization metric', (t) => {
  t.deepEqual(decodeK8sProtobuf(hexOf('autoscale-v2')).object, {
    kind: 'HorizontalPodAutoscaler',
    apiVersion: 'autoscaling/v2',
    metadata: { name: 'hpa-target', creationTimestamp: null },
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'hpa-target', apiVersion: 'apps/v1' },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    },
    // v2's currentReplicas has omitempty, desiredReplicas does not; currentMetrics is a nil slice.
    status: { desiredReplicas: 0, currentMetrics: null },
  });
});

test("kubectl 1.31's autoscaling/v1 HPA survives encode → decode unchanged", (t) => {
  const v1 = jsonOf('autoscale-v2');
  t.is(v1.apiVersion, 'autoscaling/v1');
  t.deepEqual(decodeK8sProtobuf(encodeK8sProtobuf(v1)).object, v1);
});

test('secret data arrives as base64, exactly as in JSON', (t) => {
  const { object } = decodeK8sProtobuf(hexOf('secret-generic'));
  const data = object.data as Record<string, string>;
  t.is(Buffer.from(data.password, 'base64').toString(), 'hunter2');
  t.is(Buffer.from(data.user, 'base64').toString(), 'admin');
});

test('the deployment carries --replicas and --port through the pod template', (t) => {
  const { object } = decodeK8sProtobuf(hexOf('deployment'));
  const spec = object.spec as { replicas: number; template: { spec: { containers: Array<{ image: string; ports: unknown[] }> } } };
  t.is(spec.replicas, 3);
  t.deepEqual(spec.template.spec.containers[0].ports, [{ containerPort: 80 }]);
  t.is(spec.template.spec.containers[0].image, 'nginx:1.27');
});
