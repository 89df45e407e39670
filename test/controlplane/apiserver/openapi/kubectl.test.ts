// The generated OpenAPI documents read by the real kubectl 1.27 (which loads
// v2 protobuf eagerly) and 1.33 (v3): `explain` prints fields with their
// types and descriptions, and client-side apply computes its strategic merge
// patch from the served schemas without falling back. The harness apiserver
// is fronted by serve.ts, which answers /openapi/* from the new module.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { startApiServer } from '../../../harness/apiserver.js';
import { makeKubectl, type Kubectl, type KubectlVersion } from '../../../harness/kubectl.js';
import { startOpenAPIFront, type OpenAPIFront } from './serve.js';

async function setup(t: ExecutionContext, version: KubectlVersion): Promise<{ k: Kubectl; front: OpenAPIFront }> {
  const api = await startApiServer();
  const front = await startOpenAPIFront(api);
  const k = await makeKubectl(version, front.url);
  t.teardown(async () => {
    await k.cleanup();
    await front.stop();
    await api.stop();
  });
  return { k, front };
}

const manifest = (image: string, env: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        env:
        - {name: MODE, value: ${env}}
        ports:
        - containerPort: 80
      - name: sidecar
        image: busybox
`;

for (const version of ['1.27', '1.33'] as KubectlVersion[]) {
  test(`kubectl ${version}: explain deployment.spec lists the fields with types and descriptions`, async (t) => {
    const { k, front } = await setup(t, version);
    const out = await k.ok(['explain', 'deployment.spec']);
    t.regex(out, /^KIND:\s+Deployment$/m);
    t.regex(out, /^FIELD: spec <DeploymentSpec>$/m);
    t.regex(out, /^\s+replicas\s+<integer>\n\s+\S.*pods/im);
    t.regex(out, /^\s+selector\s+<LabelSelector> -required-\n\s+\S/m);
    t.regex(out, /^\s+template\s+<PodTemplateSpec> -required-\n\s+\S/m);
    t.regex(out, /^\s+strategy\s+<DeploymentStrategy>\n\s+\S/m);
    t.notRegex(out, /^\s+(replicas|selector|template)\s+<.*\n\s+<no description>/m);
    t.true(front.requests.includes('/openapi/v3'));
    if (version === '1.27') t.true(front.requests.includes('/openapi/v2'), '1.27 loads v2 first');
  });

  test(`kubectl ${version}: explain pods.spec.containers`, async (t) => {
    const { k } = await setup(t, version);
    const out = await k.ok(['explain', 'pods.spec.containers']);
    t.regex(out, /^FIELD: containers <\[\]Container>$/m);
    t.regex(out, /^DESCRIPTION:\n\s+\S/m);
    t.regex(out, /^\s+name\s+<string> -required-\n\s+\S/m);
    t.regex(out, /^\s+image\s+<string>\n\s+\S.*image/im);
    t.regex(out, /^\s+ports\s+<\[\]ContainerPort>\n/m);
    t.regex(out, /^\s+env\s+<\[\]EnvVar>\n/m);
    t.regex(out, /^\s+resources\s+<ResourceRequirements>\n/m);
  });

  test(`kubectl ${version}: explain from the v2 document (--output=plaintext-openapiv2)`, async (t) => {
    const { k } = await setup(t, version);
    const out = await k.ok(['explain', 'deployment.spec.template.spec.containers.ports', '--output=plaintext-openapiv2']);
    t.regex(out, /^RESOURCE: ports <\[\]Object>$/m);
    t.regex(out, /^\s+containerPort\s+<integer> -required-$/m);
    t.regex(out, /^\s+protocol\s+<string>$/m);
  });

  test(`kubectl ${version}: client-side apply builds its patch from the served schemas (merge by container name)`, async (t) => {
    const { k } = await setup(t, version);
    t.regex(await k.ok(['apply', '-f', '-'], { input: manifest('nginx:1.25', 'a') }), /deployment.apps\/web created/);
    const r = await k.run(['apply', '-f', '-'], { input: manifest('nginx:1.26', 'b') });
    t.is(r.exitCode, 0, r.stderr);
    t.regex(r.stdout, /deployment.apps\/web configured/);
    // A schema kubectl could not use would print this and fall back to compiled-in types.
    t.notRegex(r.stderr, /error calculating patch/);
    const d = JSON.parse(await k.ok(['get', 'deployment', 'web', '-o', 'json'])) as { spec: { template: { spec: { containers: { name: string; image: string; env?: { name: string; value: string }[] }[] } } } };
    const cs = d.spec.template.spec.containers;
    t.deepEqual(cs.map((c) => [c.name, c.image]), [['web', 'nginx:1.26'], ['sidecar', 'busybox']]);
    t.deepEqual(cs[0].env, [{ name: 'MODE', value: 'b' }]);
  });
}
