// imagePullSecrets → Docker credentials: which registry an image is from, and which entry applies.
import test from 'ava';
import { authsFromDockerConfig, pickAuth, registryOf } from '../../../../agent/kubelet/runtime/docker/images.js';

const registries: [string, string][] = [
  ['busybox', 'docker.io'],
  ['library/busybox:1', 'docker.io'],
  ['quay.io/coreos/etcd:v3', 'quay.io'],
  ['localhost:5000/app', 'localhost:5000'],
  ['localhost/app', 'localhost'],
  ['kubets.local/busybox:1', 'kubets.local'],
];
for (const [ref, want] of registries) test(`registry of ${ref}`, (t) => t.is(registryOf(ref), want));

test('dockerconfigjson and legacy dockercfg decode, auth split into user and password', (t) => {
  const auth = Buffer.from('alice:pw:with:colons').toString('base64');
  const json = JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth }, 'registry.example.com': { username: 'bob', password: 'x' } } });
  const got = authsFromDockerConfig(json, false);
  t.like(got[0], { serveraddress: 'https://index.docker.io/v1/', username: 'alice', password: 'pw:with:colons' });
  t.like(got[1], { serveraddress: 'registry.example.com', username: 'bob', password: 'x' });
  t.deepEqual(authsFromDockerConfig(JSON.stringify({ 'quay.io': { auth } }), true).map((a) => a.serveraddress), ['quay.io']);
  t.deepEqual(authsFromDockerConfig('not json', false), []);
});

test('the most specific entry for the image wins', (t) => {
  const auths = [
    { serveraddress: 'https://index.docker.io/v1/', username: 'hub' },
    { serveraddress: 'registry.example.com', username: 'reg' },
    { serveraddress: 'registry.example.com/team', username: 'team' },
  ];
  t.is(pickAuth('busybox:1', auths)?.username, 'hub');
  t.is(pickAuth('registry.example.com/other/app:1', auths)?.username, 'reg');
  t.is(pickAuth('registry.example.com/team/app:1', auths)?.username, 'team');
  t.is(pickAuth('quay.io/x/y', auths), undefined);
  t.is(pickAuth('busybox', []), undefined);
});
