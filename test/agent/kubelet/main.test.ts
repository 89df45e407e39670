// bin/kubelet's front door: bad flags and values exit 2 naming them; --help and --version exit 0.
import test from 'ava';
import { main } from '../../../agent/kubelet/main.js';

function io() {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } }, out: () => out, err: () => err };
}

const bad: [string[], RegExp][] = [
  [['--network-plugin=weave', '--root-dir=/tmp/x'], /invalid value for --network-plugin: "weave"/],
  [['--hairpin-mode=sometimes'], /hairpin-mode/],
  [['--kubeconfig=/nonexistent/kubeconfig'], /--kubeconfig=\/nonexistent\/kubeconfig: no such file/],
  [['--no-such-flag'], /unknown flag/],
  [['--max-pods=lots'], /max-pods/],
  [['--port=70000'], /invalid value for --port: 70000/],
  [['--read-only-port=-1'], /invalid value for --read-only-port: -1/],
  [['--tls-cert-file=/tmp/c.crt'], /--tls-cert-file and --tls-private-key-file must be given together/],
  [['--authorization-mode=Webhook'], /--authentication-token-webhook and --authorization-mode=Webhook ask the API server: give --kubeconfig or --api-servers/],
  [["--authorization-mode=RBAC"], /invalid argument "RBAC" for "--authorization-mode" flag: must be one of "AlwaysAllow", "Webhook"/],
];
for (const [argv, re] of bad) {
  test(`exit 2: ${argv.join(' ')}`, async (t) => {
    const o = io();
    t.is(await main(argv, o.io), 2);
    t.regex(o.err(), re);
  });
}

test('--help lists the kubelet flags; --version names the release', async (t) => {
  const h = io();
  t.is(await main(['--help'], h.io), 0);
  t.regex(h.out(), /--pod-manifest-path/);
  t.regex(h.out(), /--network-plugin/);
  const v = io();
  t.is(await main(['--version'], v.io), 0);
  t.regex(v.out(), /^Kubernetes v1\.8\.7-kubets \(kubelet/);
});
