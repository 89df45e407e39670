// The OpenAPI v2 document and its gnostic protobuf encoding, read back with a
// small independent wire-format decoder (field numbers of
// google/gnostic openapiv2/OpenAPIv2.proto).
import test from 'ava';
import { scheme } from '../../../../controlplane/api/scheme.js';
import { defaultRegistry } from '../../../../controlplane/apiserver/openapi/schemas.js';
import { buildOpenAPIV2, encodeOpenAPIV2, toV2Schema } from '../../../../controlplane/apiserver/openapi/v2.js';

interface Field {
  no: number;
  wire: number;
  int?: number;
  bytes?: Buffer;
}

/** Splits one message into its fields (varint and length-delimited only: all the v2 document uses). */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): number => {
    let n = 0;
    let mul = 1;
    for (;;) {
      const b = buf[i++];
      if (b === undefined) throw new Error('truncated varint');
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 128;
    }
  };
  while (i < buf.length) {
    const k = varint();
    const no = Math.floor(k / 8);
    const wire = k % 8;
    if (wire === 0) out.push({ no, wire, int: varint() });
    else if (wire === 2) {
      const len = varint();
      if (i + len > buf.length) throw new Error('truncated field');
      out.push({ no, wire, bytes: buf.subarray(i, i + len) });
      i += len;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return out;
}
const all = (buf: Buffer, no: number): Buffer[] => fields(buf).filter((f) => f.no === no).map((f) => f.bytes!);
const one = (buf: Buffer, no: number): Buffer => {
  const list = all(buf, no);
  if (list.length !== 1) throw new Error(`field ${no}: ${list.length} occurrences`);
  return list[0];
};
const text = (buf: Buffer, no: number): string => one(buf, no).toString('utf8');
/** A repeated Named* message (name=1, value=2) as a map. */
const named = (msgs: Buffer[]): Map<string, Buffer> => new Map(msgs.map((m) => [text(m, 1), one(m, 2)]));
/** Vendor extensions (NamedAny{name=1, value=2: Any{yaml=2}}) parsed as JSON (which is YAML). */
const extensions = (msgs: Buffer[]): Record<string, unknown> => Object.fromEntries([...named(msgs)].map(([k, any]) => [k, JSON.parse(text(any, 2)) as unknown]));

const registry = defaultRegistry();
const doc = buildOpenAPIV2(registry.schemas, scheme);
const pb = Buffer.from(encodeOpenAPIV2(doc));

test('Document: swagger 2.0, info, one definition per component', (t) => {
  t.is(text(pb, 1), '2.0');
  t.is(text(one(pb, 2), 1), 'Kubernetes');
  const defs = named(all(one(pb, 9), 1));
  t.deepEqual([...defs.keys()], Object.keys(registry.schemas).sort());
});

test('a kind definition: type, properties, required, GVK vendor extension as YAML', (t) => {
  const defs = named(all(one(pb, 9), 1));
  const deploy = defs.get('io.k8s.api.apps.v1.Deployment')!;
  t.deepEqual(all(one(deploy, 22), 1).map(String), ['object']);
  t.deepEqual(extensions(all(deploy, 31)), { 'x-kubernetes-group-version-kind': [{ group: 'apps', kind: 'Deployment', version: 'v1' }] });
  const props = named(all(one(deploy, 25), 1));
  t.deepEqual([...props.keys()], ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  // A v3 allOf-wrapped reference becomes a plain v2 $ref with its description beside it.
  t.is(text(props.get('spec')!, 1), '#/definitions/io.k8s.api.apps.v1.DeploymentSpec');
  t.truthy(text(props.get('spec')!, 4));
  t.deepEqual(all(defs.get('io.k8s.api.apps.v1.DeploymentSpec')!, 19).map(String), ['selector', 'template']);
});

test('merge keys survive as vendor extensions on list fields; items reference definitions', (t) => {
  const defs = named(all(one(pb, 9), 1));
  const podSpec = named(all(one(defs.get('io.k8s.api.core.v1.PodSpec')!, 25), 1));
  const containers = podSpec.get('containers')!;
  t.deepEqual(all(one(containers, 22), 1).map(String), ['array']);
  t.is(text(one(one(containers, 23), 1), 1), '#/definitions/io.k8s.api.core.v1.Container');
  t.like(extensions(all(containers, 31)), { 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'map' });
  const ports = named(all(one(defs.get('io.k8s.api.core.v1.Container')!, 25), 1)).get('ports')!;
  t.like(extensions(all(ports, 31)), { 'x-kubernetes-patch-merge-key': 'containerPort', 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'] });
});

test('v3-only shapes become upstream v2 shapes: IntOrString/Quantity are strings, maps keep additionalProperties', (t) => {
  t.like(toV2Schema(registry.schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString']), { type: 'string', format: 'int-or-string' });
  t.like(toV2Schema(registry.schemas['io.k8s.apimachinery.pkg.api.resource.Quantity']), { type: 'string' });
  const limits = toV2Schema(registry.schemas['io.k8s.api.core.v1.ResourceRequirements']).properties!.limits;
  t.deepEqual(limits.additionalProperties, { $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity' });
  const defs = named(all(one(pb, 9), 1));
  const enc = named(all(one(defs.get('io.k8s.api.core.v1.ResourceRequirements')!, 25), 1)).get('limits')!;
  t.is(text(one(one(enc, 21), 1), 1), '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity');
});

test('paths: the PATCH operation of each kind declares fieldValidation and its GVK (what kubectl checks in v2)', (t) => {
  const paths = named(all(one(pb, 8), 2));
  const item = paths.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}');
  t.truthy(item);
  const patch = one(item!, 8);
  t.is(text(patch, 5), 'patchNamespacedDeployment');
  t.deepEqual(extensions(all(patch, 13)), { 'x-kubernetes-action': 'patch', 'x-kubernetes-group-version-kind': { group: 'apps', kind: 'Deployment', version: 'v1' } });
  const queryNames = all(patch, 8)
    .map((pi) => one(pi, 1)) // ParametersItem.parameter
    .flatMap((p) => all(p, 2)) // Parameter.non_body_parameter (the body parameter is field 1)
    .filter((nb) => all(nb, 3).length === 1)
    .map((nb) => text(one(nb, 3), 4));
  t.deepEqual(queryNames, ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
  t.truthy(paths.get('/api/v1/namespaces/{namespace}/pods'));
  t.truthy(paths.get('/api/v1/nodes/{name}'));
  for (const r of scheme.all().filter((x) => x.verbs.includes('patch'))) {
    const base = `${r.group ? `/apis/${r.group}/${r.version}` : '/api/v1'}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}/{name}`;
    t.truthy(doc.paths[base]?.patch, base);
  }
});
