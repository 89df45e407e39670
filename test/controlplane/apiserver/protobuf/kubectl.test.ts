/**
 * Live: the real kubectl 1.32 and 1.33 binaries send protobuf create bodies; decoded by our codec
 * and handed to our apiserver as JSON (what the server wiring will do), the commands succeed and
 * the stored objects read back as kubectl meant them.
 */
import test from 'ava';
import { makeKubectl, type KubectlVersion } from '../../../harness/kubectl.js';
import { decodeK8sProtobuf, K8S_PROTOBUF_MEDIA_TYPE } from '../../../../controlplane/apiserver/protobuf/index.js';
import { startRecorder } from './recorder.js';

for (const version of ['1.32', '1.33'] as const satisfies readonly KubectlVersion[]) {
  test(`kubectl ${version} create configmap/secret/deployment: protobuf bodies decode and the objects are created`, async (t) => {
    const recorder = await startRecorder();
    const kubectl = await makeKubectl(version, recorder.url);
    t.teardown(async () => {
      await kubectl.cleanup();
      await recorder.stop();
    });
    await kubectl.ok(['create', 'configmap', 'cfg', '--from-literal=mode=fast']);
    await kubectl.ok(['create', 'secret', 'generic', 'pw', '--from-literal=password=s3cr3t']);
    await kubectl.ok(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=8080']);

    t.deepEqual(recorder.bodies.map((b) => b.contentType), [K8S_PROTOBUF_MEDIA_TYPE, K8S_PROTOBUF_MEDIA_TYPE, K8S_PROTOBUF_MEDIA_TYPE]);
    t.deepEqual(recorder.bodies.map((b) => decodeK8sProtobuf(b.body).kind), ['ConfigMap', 'Secret', 'Deployment']);

    const cm = JSON.parse(await kubectl.ok(['get', 'configmap', 'cfg', '-o', 'json'])) as { data: Record<string, string> };
    t.deepEqual(cm.data, { mode: 'fast' });
    const secret = JSON.parse(await kubectl.ok(['get', 'secret', 'pw', '-o', 'json'])) as { data: Record<string, string> };
    t.is(Buffer.from(secret.data.password, 'base64').toString(), 's3cr3t');
    const deploy = JSON.parse(await kubectl.ok(['get', 'deployment', 'web', '-o', 'json'])) as {
      spec: { replicas: number; template: { spec: { containers: Array<{ image: string; ports: Array<{ containerPort: number }> }> } } };
    };
    t.is(deploy.spec.replicas, 2);
    t.is(deploy.spec.template.spec.containers[0].image, 'nginx:1.27');
    t.is(deploy.spec.template.spec.containers[0].ports[0].containerPort, 8080);
  });
}
