// The controllers in-process against a REAL kube-apiserver (sqlite), driven
// by the REAL kubectl 1.33 where kubectl is the client users have: the
// replication controller keeps its pods, a Deployment rolls out, records
// history and rolls back, deletions cascade (or orphan), Endpoints follow
// ready pods, a Job completes. The test plays the kubelet, marking pods
// Running/Ready/Succeeded through pods/status. No timing upper bounds:
// outcomes are awaited with generous deadlines.
import test from 'ava';
import type { Deployment, ReplicaSet } from '../../../controlplane/api/apps/v1/types.js';
import type { Job } from '../../../controlplane/api/batch/v1/types.js';
import type { Endpoints, Pod, ReplicationController } from '../../../controlplane/api/core/v1/types.js';
import { resources } from '../../../controlplane/client/resources.js';
import { makeKubectl, type Kubectl } from '../../harness/kubectl.js';
import { eventually, keepPodsReady, listPods, markPodFinished, markPodRunning, startEnv, startManager, type Env } from './harness.js';

async function setup(t: { teardown(fn: () => Promise<void> | void): void }, opts: { kubectl?: boolean } = {}): Promise<{ env: Env; k?: Kubectl }> {
  const env = await startEnv();
  const m = startManager(env);
  t.teardown(async () => {
    await m.abort();
    await env.stop();
  });
  await m.started;
  if (!opts.kubectl) return { env };
  const k = await makeKubectl('1.33', env.api.url);
  t.teardown(() => k.cleanup());
  return { env, k };
}

const isOwnedBy = (p: Pod, uid: string) => p.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller === true && r.blockOwnerDeletion === true) ?? false;

function rc(name: string, replicas: number): ReplicationController {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name },
    spec: { replicas, selector: { app: name }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } } },
  };
}

const activePods = async (env: Env, sel: string) => (await listPods(env, 'default', sel)).filter((p) => !p.metadata.deletionTimestamp);

test('replication controller: 3 replicas created, a deleted pod replaced, scaled to 1 deletes 2', async (t) => {
  const { env } = await setup(t);
  const rcs = env.client.resource(resources.replicationcontrollers, 'default');
  const created = await rcs.create(rc('web', 3));
  const three = await eventually(async () => {
    const pods = await activePods(env, 'app=web');
    return pods.length === 3 ? pods : undefined;
  }, '3 pods');
  t.true(three.every((p) => isOwnedBy(p, created.metadata.uid!)), 'pods carry a controller ownerReference to the RC');
  t.true(three.every((p) => p.metadata.name!.startsWith('web-')), 'generateName web-');

  const victim = three[0].metadata.name!;
  await env.client.resource(resources.pods, 'default').delete(victim);
  const replaced = await eventually(async () => {
    const pods = await activePods(env, 'app=web');
    return pods.length === 3 && !pods.some((p) => p.metadata.name === victim) ? pods : undefined;
  }, 'the deleted pod to be replaced');
  t.is(replaced.length, 3);

  for (const p of replaced) await markPodRunning(env, p);
  const status = await eventually(async () => {
    const cur = await rcs.get('web');
    return cur.status?.readyReplicas === 3 && cur.status.availableReplicas === 3 ? cur.status : undefined;
  }, 'status to count 3 ready');
  t.is(status.replicas, 3);
  t.is(status.fullyLabeledReplicas, 3);
  t.is(status.observedGeneration, 1);

  await rcs.patch('web', 'merge', { spec: { replicas: 1 } });
  const one = await eventually(async () => {
    const pods = await activePods(env, 'app=web');
    return pods.length === 1 ? pods : undefined;
  }, 'scale down to 1');
  t.is(one.length, 1);
  const after = await eventually(async () => {
    const cur = await rcs.get('web');
    return cur.status?.replicas === 1 && cur.status.observedGeneration === 2 ? cur : undefined;
  }, 'status after scale-down');
  t.is(after.status?.replicas, 1);
});

test('replica set adopts a matching orphan and releases a pod whose labels stop matching', async (t) => {
  const { env } = await setup(t);
  const pods = env.client.resource(resources.pods, 'default');
  await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const rs = await env.client.resource(resources.replicasets, 'default').create({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'adopt' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'adopt' } }, template: { metadata: { labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  const owned = await eventually(async () => {
    const list = await activePods(env, 'app=adopt');
    return list.length === 2 && list.every((p) => isOwnedBy(p, rs.metadata.uid!)) ? list : undefined;
  }, 'orphan adopted plus one created');
  t.truthy(owned.find((p) => p.metadata.name === 'orphan'), 'the orphan was adopted, not replaced');

  await pods.patch('orphan', 'merge', { metadata: { labels: { app: 'other' } } });
  const released = await eventually(async () => {
    const p = await pods.get('orphan');
    return (p.metadata.ownerReferences ?? []).length === 0 ? p : undefined;
  }, 'the relabelled pod to be released');
  t.is(released.metadata.labels?.app, 'other');
  await eventually(async () => ((await activePods(env, 'app=adopt')).length === 2 ? true : undefined), 'a replacement for the released pod');
  t.pass();
});

const deploymentYaml = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kubernetes.io/change-cause: "create web with ${image}"
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 1}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
`;

/** Runs `kubectl rollout status` while playing the kubelet for the Deployment's pods until it returns. */
async function rolloutStatus(env: Env, k: Kubectl): Promise<string> {
  let finished = false;
  const status = k.run(['rollout', 'status', 'deploy/web', '--timeout=55s']).finally(() => (finished = true));
  await keepPodsReady(env, 'app=web', async () => finished, 'rollout status to finish');
  const r = await status;
  if (r.exitCode !== 0) throw new Error(`rollout status exited ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}

test('deployment with real kubectl 1.33: rollout status, set image, history with change-cause, undo reuses the old ReplicaSet, delete cascades', async (t) => {
  const { env, k } = await setup(t, { kubectl: true });
  const kubectl = k!;
  await kubectl.ok(['create', '-f', '-'], { input: deploymentYaml('nginx:1.25') });
  t.regex(await rolloutStatus(env, kubectl), /successfully rolled out/);

  const rsList = async () => (await env.client.resource(resources.replicasets, 'default').list({ labelSelector: 'app=web' })).items;
  const first = (await rsList())[0];
  const hash = first.metadata.labels?.['pod-template-hash'];
  t.truthy(hash);
  t.is(first.metadata.name, `web-${hash}`);
  t.is(first.spec?.selector.matchLabels?.['pod-template-hash'], hash);
  t.is(first.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
  t.is(first.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '3');
  t.is(first.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '4');
  const d1 = (await env.client.resource(resources.deployments, 'default').get('web')) as Deployment;
  t.is(d1.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
  t.is(d1.status?.updatedReplicas, 3);
  t.is(d1.status?.availableReplicas, 3);
  t.is(d1.status?.conditions?.find((c) => c.type === 'Progressing')?.reason, 'NewReplicaSetAvailable');
  t.is(d1.status?.conditions?.find((c) => c.type === 'Available')?.status, 'True');

  // A new image: a second ReplicaSet, rolled out step by step.
  await kubectl.ok(['set', 'image', 'deploy/web', 'web=nginx:1.27']);
  await kubectl.ok(['annotate', 'deploy/web', 'kubernetes.io/change-cause=set image to nginx:1.27', '--overwrite']);
  t.regex(await rolloutStatus(env, kubectl), /successfully rolled out/);
  const two = await eventually(async () => {
    const l = await rsList();
    return l.length === 2 ? l : undefined;
  }, 'two ReplicaSets');
  const second = two.find((r) => r.metadata.uid !== first.metadata.uid)!;
  t.is(second.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
  t.is(second.spec?.replicas, 3);
  await eventually(async () => ((await rsList()).find((r) => r.metadata.uid === first.metadata.uid)?.spec?.replicas === 0 ? true : undefined), 'old ReplicaSet scaled to 0');

  const history = await eventually(async () => {
    const out = await kubectl.ok(['rollout', 'history', 'deploy/web']);
    return /set image to nginx:1\.27/.test(out) ? out : undefined;
  }, 'history to show the change-cause of revision 2');
  t.regex(history, /^1\s+create web with nginx:1\.25$/m);
  t.regex(history, /^2\s+set image to nginx:1\.27$/m);

  // Undo: the first ReplicaSet comes back as revision 3; no third set is made.
  t.regex(await kubectl.ok(['rollout', 'undo', 'deploy/web']), /rolled back/);
  t.regex(await rolloutStatus(env, kubectl), /successfully rolled out/);
  const afterUndo = await eventually(async () => {
    const l = await rsList();
    const back = l.find((r) => r.metadata.uid === first.metadata.uid);
    return back?.metadata.annotations?.['deployment.kubernetes.io/revision'] === '3' && back.spec?.replicas === 3 ? l : undefined;
  }, 'the first ReplicaSet to be revision 3 with 3 replicas');
  t.is(afterUndo.length, 2, 'undo reused the old ReplicaSet');
  const reused = afterUndo.find((r) => r.metadata.uid === first.metadata.uid) as ReplicaSet;
  t.is(reused.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  const pods = await activePods(env, 'app=web');
  t.true(pods.every((p) => p.spec?.containers[0].image === 'nginx:1.25'), 'pods run the old image again');
  const history2 = await kubectl.ok(['rollout', 'history', 'deploy/web']);
  t.notRegex(history2, /^1\s/m, 'revision 1 became 3');
  t.regex(history2, /^2\s+set image to nginx:1\.27$/m);
  t.regex(history2, /^3\s+create web with nginx:1\.25$/m);

  // delete deploy (Background): the garbage collector removes the ReplicaSets, then their pods.
  await kubectl.ok(['delete', 'deploy/web']);
  await eventually(async () => ((await rsList()).length === 0 ? true : undefined), 'ReplicaSets to be collected');
  await eventually(async () => ((await listPods(env, 'default', 'app=web')).length === 0 ? true : undefined), 'pods to be collected');
  t.pass();
});

test('kubectl delete rs --cascade=orphan leaves the pods, without ownerReferences', async (t) => {
  const { env, k } = await setup(t, { kubectl: true });
  const rs = await env.client.resource(resources.replicasets, 'default').create({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'orph' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'orph' } }, template: { metadata: { labels: { app: 'orph' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  await eventually(async () => ((await activePods(env, 'app=orph')).filter((p) => isOwnedBy(p, rs.metadata.uid!)).length === 2 ? true : undefined), '2 pods');
  await k!.ok(['delete', 'rs', 'orph', '--cascade=orphan']);
  await eventually(async () => {
    try {
      await env.client.resource(resources.replicasets, 'default').get('orph');
      return undefined;
    } catch {
      return true;
    }
  }, 'the ReplicaSet to be gone');
  const pods = await activePods(env, 'app=orph');
  t.is(pods.length, 2, 'pods survive');
  t.true(pods.every((p) => (p.metadata.ownerReferences ?? []).length === 0), 'and are orphans');
});

test('foreground deletion: dependents first, then the owner', async (t) => {
  const { env } = await setup(t);
  const rcs = env.client.resource(resources.replicationcontrollers, 'default');
  await rcs.create(rc('fg', 2));
  await eventually(async () => ((await activePods(env, 'app=fg')).length === 2 ? true : undefined), '2 pods');
  await rcs.delete('fg', { propagationPolicy: 'Foreground' });
  await eventually(async () => ((await listPods(env, 'default', 'app=fg')).length === 0 ? true : undefined), 'pods deleted first');
  await eventually(async () => {
    try {
      await rcs.get('fg');
      return undefined;
    } catch {
      return true;
    }
  }, 'the owner deleted once its finalizer is removed');
  t.pass();
});

test('endpoints follow ready pods, resolve named target ports, and leave selector-less services alone', async (t) => {
  const { env } = await setup(t);
  const pods = env.client.resource(resources.pods, 'default');
  for (const name of ['a', 'b']) {
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'svc' } }, spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }] } });
  }
  await env.client.resource(resources.services, 'default').create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', labels: { tier: 'front' } }, spec: { selector: { app: 'svc' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] } });
  await env.client.resource(resources.services, 'default').create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual' }, spec: { ports: [{ port: 80 }] } });
  const eps = env.client.resource(resources.endpoints, 'default');
  await eps.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'manual' }, subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 80 }] }] });

  const a = await pods.get('a');
  const b = await pods.get('b');
  await markPodRunning(env, a, true);
  await markPodRunning(env, b, false);
  const ep = await eventually(async () => {
    const e = (await eps.get('svc')) as Endpoints;
    const s = e.subsets?.[0];
    return s?.addresses?.length === 1 && s.notReadyAddresses?.length === 1 ? e : undefined;
  }, 'one ready and one not-ready address');
  const aIP = (await pods.get('a')).status?.podIP;
  t.is(ep.subsets![0].addresses![0].ip, aIP ?? 'no IP');
  t.is(ep.subsets![0].addresses![0].targetRef?.name, 'a');
  t.deepEqual(ep.subsets![0].ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
  t.is(ep.metadata.labels?.tier, 'front');

  await markPodRunning(env, await pods.get('b'), true);
  await eventually(async () => ((await eps.get('svc')).subsets?.[0].addresses?.length === 2 ? true : undefined), 'both ready');
  // The EndpointSlice controller mirrors the same pods into discovery.k8s.io/v1.
  const slice = await eventually(async () => {
    const l = (await env.client.resource(resources.endpointslices, 'default').list({ labelSelector: 'kubernetes.io/service-name=svc' })).items;
    return l.length === 1 && l[0].endpoints.length === 2 && l[0].endpoints.every((e) => e.conditions?.ready) ? l[0] : undefined;
  }, 'one EndpointSlice with two ready endpoints');
  t.deepEqual(slice.ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
  t.is(slice.metadata.ownerReferences?.[0]?.kind, 'Service');
  await pods.delete('a');
  const left = await eventually(async () => {
    const e = await eps.get('svc');
    return e.subsets?.[0].addresses?.length === 1 && !e.subsets[0].notReadyAddresses ? e : undefined;
  }, 'the deleted pod to leave');
  t.is(left.subsets![0].addresses![0].targetRef?.name, 'b');
  t.deepEqual((await eps.get('manual')).subsets, [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 80, protocol: 'TCP' }] }], 'hand-made Endpoints untouched');

  await env.client.resource(resources.services, 'default').delete('svc');
  await eventually(async () => {
    try {
      await eps.get('svc');
      return undefined;
    } catch {
      return true;
    }
  }, 'Endpoints removed with their Service');
});

test('a Job of 2 completions (parallelism 1) runs its pods one at a time and completes', async (t) => {
  const { env } = await setup(t);
  const jobs = env.client.resource(resources.jobs, 'default');
  await jobs.create({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi' },
    spec: { completions: 2, parallelism: 1, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] } } },
  });
  for (let done = 0; done < 2; done++) {
    const pod = await eventually(async () => {
      const active = (await listPods(env, 'default', 'job-name=pi')).filter((p) => !p.status?.phase || p.status.phase === 'Pending');
      return active.length === 1 ? active[0] : undefined;
    }, `pod ${done + 1} of the job`);
    await markPodFinished(env, pod, 'Succeeded');
  }
  const job = await eventually(async () => {
    const j = (await jobs.get('pi')) as Job;
    return j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
  }, 'the job to complete');
  t.is(job.status?.succeeded, 2);
  t.is(job.status?.active, 0);
  t.truthy(job.status?.startTime);
  t.truthy(job.status?.completionTime);
  t.is((await listPods(env, 'default', 'job-name=pi')).length, 2, 'exactly two pods were run');
});

test('every namespace gets a default ServiceAccount, and gets it back when deleted', async (t) => {
  const { env } = await setup(t);
  await env.client.resource(resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  const sas = env.client.resource(resources.serviceaccounts, 'team');
  await eventually(() => sas.get('default').then(() => true), 'default ServiceAccount in team');
  await sas.delete('default');
  await eventually(() => sas.get('default').then(() => true), 'default ServiceAccount recreated');
  t.pass();
});

test('kubectl scale spreads over the sets, pause holds a new template back, resume rolls it out; Recreate replaces all pods at once', async (t) => {
  const { env, k } = await setup(t, { kubectl: true });
  const kubectl = k!;
  await kubectl.ok(['create', '-f', '-'], { input: deploymentYaml('nginx:1.25') });
  await rolloutStatus(env, kubectl);
  const rss = env.client.resource(resources.replicasets, 'default');
  await kubectl.ok(['scale', 'deploy/web', '--replicas=5']);
  await eventually(async () => {
    const l = (await rss.list({ labelSelector: 'app=web' })).items;
    return l.length === 1 && l[0].spec?.replicas === 5 && l[0].metadata.annotations?.['deployment.kubernetes.io/desired-replicas'] === '5' ? true : undefined;
  }, 'the one set scaled to 5');

  await kubectl.ok(['rollout', 'pause', 'deploy/web']);
  await kubectl.ok(['set', 'image', 'deploy/web', 'web=nginx:1.27']);
  await eventually(async () => {
    const d = await env.client.resource(resources.deployments, 'default').get('web');
    return d.status?.observedGeneration === d.metadata.generation && d.status?.conditions?.some((c) => c.reason === 'DeploymentPaused') ? true : undefined;
  }, 'the paused condition');
  t.is((await rss.list({ labelSelector: 'app=web' })).items.length, 1, 'paused: no new ReplicaSet');
  await kubectl.ok(['rollout', 'resume', 'deploy/web']);
  t.regex(await rolloutStatus(env, kubectl), /successfully rolled out/);
  t.is((await rss.list({ labelSelector: 'app=web' })).items.length, 2);

  // Recreate: the old pods go before any new one is made.
  await kubectl.ok(['patch', 'deploy/web', '--type=merge', '-p', '{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}']);
  await kubectl.ok(['set', 'image', 'deploy/web', 'web=nginx:1.28']);
  t.regex(await rolloutStatus(env, kubectl), /successfully rolled out/);
  const pods = await activePods(env, 'app=web');
  t.is(pods.length, 5);
  t.true(pods.every((p) => p.spec?.containers[0].image === 'nginx:1.28'));
});

test('kubectl rollout status fails with ProgressDeadlineExceeded when pods never become ready', async (t) => {
  const { env, k } = await setup(t, { kubectl: true });
  await k!.ok(['create', '-f', '-'], { input: deploymentYaml('nginx:1.25').replace('  replicas: 3\n', '  replicas: 2\n  progressDeadlineSeconds: 2\n') });
  const d = await eventually(async () => {
    const cur = await env.client.resource(resources.deployments, 'default').get('web');
    return cur.status?.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded') ? cur : undefined;
  }, 'the progress deadline to pass');
  t.is(d.status?.conditions?.find((c) => c.type === 'Progressing')?.status, 'False');
  const r = await k!.run(['rollout', 'status', 'deploy/web', '--timeout=30s']);
  t.not(r.exitCode, 0);
  t.regex(r.stderr, /exceeded its progress deadline/);
});
