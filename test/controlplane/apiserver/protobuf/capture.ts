/**
 * Regenerates fixtures/: runs each command of cases.ts with the real kubectl 1.33 (protobuf bodies,
 * saved as <name>.hex) and kubectl 1.31 (JSON bodies, saved as <name>.json) against our apiserver
 * behind a recording proxy. Not a test (ava only runs *.test.ts); run by hand:
 *
 *   node --import=tsx test/controlplane/apiserver/protobuf/capture.ts
 *
 * The TLS key pair and the CSR are generated once per run and shared by both versions, so the
 * two captures of one command carry the same bytes.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { makeKubectl, type KubectlVersion } from '../../../harness/kubectl.js';
import { K8S_PROTOBUF_MEDIA_TYPE } from '../../../../controlplane/apiserver/protobuf/index.js';
import { CAPTURE_CASES } from './cases.js';
import { startRecorder } from './recorder.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

async function makeFiles(dir: string): Promise<void> {
  await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt'), '-subj', '/CN=example.com', '-days', '3650']);
  await execa('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'csr.key'), '-out', join(dir, 'csr.pem'), '-subj', '/CN=alice/O=devs']);
  const request = (await readFile(join(dir, 'csr.pem'))).toString('base64');
  const csr = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'csr1' },
    spec: { request, signerName: 'kubernetes.io/kube-apiserver-client', expirationSeconds: 86400, usages: ['client auth'] },
  };
  await writeFile(join(dir, 'csr.yaml'), JSON.stringify(csr));
}

const withFiles = (dir: string, args: readonly string[]): string[] =>
  args.map((a) => a.replace(/(^|=)(tls\.crt|tls\.key|csr\.yaml)$/, (_m, pre: string, file: string) => `${pre}${join(dir, file)}`));

interface Captured {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
  exitCode: number;
  stderr: string;
}

async function captureAll(version: KubectlVersion, dir: string): Promise<Map<string, Captured>> {
  const recorder = await startRecorder();
  const kubectl = await makeKubectl(version, recorder.url);
  const out = new Map<string, Captured>();
  try {
    for (const c of CAPTURE_CASES) {
      for (const s of c.setup ?? []) await kubectl.ok(withFiles(dir, s));
      const from = recorder.bodies.length;
      const r = await kubectl.run(withFiles(dir, c.args));
      const mine = recorder.bodies.slice(from).filter((b) => (c.pick ? c.pick(b.path) : true));
      if (mine.length === 0) throw new Error(`kubectl ${version} ${c.args.join(' ')} sent no body (exit ${r.exitCode}): ${r.stderr}`);
      out.set(c.name, { ...mine[0], exitCode: r.exitCode, stderr: r.stderr.trim() });
    }
  } finally {
    await kubectl.cleanup();
    await recorder.stop();
  }
  return out;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-pb-capture-'));
  try {
    await makeFiles(dir);
    const pb = await captureAll('1.33', dir);
    const json = await captureAll('1.31', dir);
    const manifest: Record<string, unknown> = {};
    for (const c of CAPTURE_CASES) {
      const p = pb.get(c.name)!;
      const j = json.get(c.name)!;
      if (p.contentType !== K8S_PROTOBUF_MEDIA_TYPE) throw new Error(`${c.name}: kubectl 1.33 sent ${p.contentType}, not protobuf`);
      if (j.contentType !== 'application/json') throw new Error(`${c.name}: kubectl 1.31 sent ${j.contentType}, not JSON`);
      await writeFile(join(FIXTURES, `${c.name}.hex`), p.body.toString('hex') + '\n');
      await writeFile(join(FIXTURES, `${c.name}.json`), JSON.stringify(JSON.parse(j.body.toString('utf8')), null, 2) + '\n');
      manifest[c.name] = {
        request: `${p.method} ${p.path}`,
        'kubectl-1.33': { exitCode: p.exitCode, stderr: p.stderr || undefined },
        'kubectl-1.31': { request: `${j.method} ${j.path}`, exitCode: j.exitCode, stderr: j.stderr || undefined },
      };
    }
    await writeFile(join(FIXTURES, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    console.log(`wrote ${CAPTURE_CASES.length} cases to ${FIXTURES}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
