import test from 'ava';
import { applyRuntimeConfig } from '../../../controlplane/apiserver/runtimeconfig.js';

const cases: { name: string; config: Record<string, string>; served: string[]; notServed: string[]; unknown?: string[]; throws?: RegExp }[] = [
  { name: 'empty: everything served', config: {}, served: ['v1', 'apps/v1', 'batch/v1'], notServed: [] },
  { name: 'one group version off', config: { 'batch/v1': 'false' }, served: ['v1', 'apps/v1'], notServed: ['batch/v1'] },
  { name: 'apis/ prefix accepted', config: { 'apis/apps/v1': 'false' }, served: ['v1', 'batch/v1'], notServed: ['apps/v1'] },
  { name: 'api/all=false keeps v1 and what is switched back on', config: { 'api/all': 'false', 'apps/v1': 'true' }, served: ['v1', 'apps/v1'], notServed: ['batch/v1', 'rbac.authorization.k8s.io/v1'] },
  { name: 'bare key means true', config: { 'apps/v1': '' }, served: ['apps/v1'], notServed: [] },
  { name: "the seeds' rbac v1alpha1 is reported, not fatal", config: { 'rbac.authorization.k8s.io/v1alpha1': '' }, served: ['rbac.authorization.k8s.io/v1'], notServed: [], unknown: ['rbac.authorization.k8s.io/v1alpha1'] },
  { name: 'core cannot be switched off', config: { 'api/v1': 'false' }, served: [], notServed: [], throws: /core API \(v1\) cannot be switched off/ },
  { name: 'bad value', config: { 'apps/v1': 'maybe' }, served: [], notServed: [], throws: /must be true or false/ },
];

for (const tc of cases) {
  test(tc.name, (t) => {
    if (tc.throws) {
      t.throws(() => applyRuntimeConfig(tc.config), { message: tc.throws });
      return;
    }
    const r = applyRuntimeConfig(tc.config);
    const gvs = new Set(r.scheme.all().map((x) => (x.group ? `${x.group}/${x.version}` : x.version)));
    for (const gv of tc.served) t.true(gvs.has(gv), `${gv} served`);
    for (const gv of tc.notServed) t.false(gvs.has(gv), `${gv} not served`);
    t.deepEqual(r.unknown, tc.unknown ?? []);
  });
}
