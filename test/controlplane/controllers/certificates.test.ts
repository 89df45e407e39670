// csrapproving's recognisers (subject and usages of kubelet client requests),
// csrsigning's usages → openssl extension mapping and per-signer usage rules,
// and the CSR subject parsing, against requests made by the openssl CLI.
import test from 'ava';
import { execa } from 'execa';
import type { CertificateSigningRequest, KeyUsage } from '../../../controlplane/api/certificates/v1/types.js';
import { isNodeClientCert, isSelfNodeClientCert } from '../../../controlplane/controllers/certificates/approver.js';
import { parseRequest, parseRFC2253, subjectFromRFC2253, type Subject } from '../../../controlplane/controllers/certificates/csr.js';
import { extensionsFor, usageProblem, UsageError } from '../../../controlplane/controllers/certificates/signer.js';

const CLIENT: KeyUsage[] = ['digital signature', 'key encipherment', 'client auth'];
const KUBELET = 'kubernetes.io/kube-apiserver-client-kubelet';

function csr(usages: KeyUsage[], signerName = KUBELET, username = 'kubelet-bootstrap'): CertificateSigningRequest {
  return { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'x' }, spec: { request: '', signerName, usages, username } };
}

const cases: Array<{ name: string; subject: Subject; usages: KeyUsage[]; signer?: string; username?: string; node: boolean; self: boolean }> = [
  { name: 'node client', subject: { commonName: 'system:node:n1', organizations: ['system:nodes'] }, usages: CLIENT, node: true, self: false },
  { name: 'usages in another order', subject: { commonName: 'system:node:n1', organizations: ['system:nodes'] }, usages: ['client auth', 'key encipherment', 'digital signature'], node: true, self: false },
  { name: 'self node client (renewal)', subject: { commonName: 'system:node:n1', organizations: ['system:nodes'] }, usages: CLIENT, username: 'system:node:n1', node: true, self: true },
  { name: 'wrong organization', subject: { commonName: 'system:node:n1', organizations: ['system:masters'] }, usages: CLIENT, node: false, self: false },
  { name: 'two organizations', subject: { commonName: 'system:node:n1', organizations: ['system:nodes', 'system:masters'] }, usages: CLIENT, node: false, self: false },
  { name: 'no organization', subject: { commonName: 'system:node:n1', organizations: [] }, usages: CLIENT, node: false, self: false },
  { name: 'CN without the node prefix', subject: { commonName: 'n1', organizations: ['system:nodes'] }, usages: CLIENT, node: false, self: false },
  { name: 'CN with an empty node name', subject: { commonName: 'system:node:', organizations: ['system:nodes'] }, usages: CLIENT, node: false, self: false },
  { name: 'server auth asked for', subject: { commonName: 'system:node:n1', organizations: ['system:nodes'] }, usages: [...CLIENT, 'server auth'], node: false, self: false },
  { name: 'key encipherment missing', subject: { commonName: 'system:node:n1', organizations: ['system:nodes'] }, usages: ['digital signature', 'client auth'], node: false, self: false },
  { name: 'another signer', subject: { commonName: 'system:node:n1', organizations: ['system:nodes'] }, usages: CLIENT, signer: 'kubernetes.io/kube-apiserver-client', node: false, self: false },
];

for (const c of cases) {
  test(`approver recognises: ${c.name}`, (t) => {
    const r = csr(c.usages, c.signer, c.username);
    t.is(isNodeClientCert(r, c.subject), c.node);
    t.is(isSelfNodeClientCert(r, c.subject), c.self);
  });
}

test('RFC 2253 names: escapes, multiple organizations', (t) => {
  t.deepEqual(parseRFC2253('CN=system:node:a\\,b,O=system:nodes'), [['CN', 'system:node:a,b'], ['O', 'system:nodes']]);
  t.deepEqual(subjectFromRFC2253('CN=system:node:n1,O=b,O=a'), { commonName: 'system:node:n1', organizations: ['b', 'a'] });
  t.deepEqual(subjectFromRFC2253(''), { commonName: '', organizations: [] });
});

test('parseRequest reads subject and alternative names of an openssl request; garbage is a BadRequestError', async (t) => {
  const r = await execa('sh', ['-c', "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout /dev/null -subj '/O=system:nodes/CN=system:node:n1' -addext 'subjectAltName=DNS:n1.example,IP:10.0.0.7' 2>/dev/null"]);
  const p = await parseRequest(r.stdout);
  t.deepEqual(p.subject, { commonName: 'system:node:n1', organizations: ['system:nodes'] });
  t.deepEqual(p.dnsNames, ['n1.example']);
  t.deepEqual(p.ipAddresses, ['10.0.0.7']);
  const e = await t.throwsAsync(parseRequest('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'));
  t.is(e?.name, 'BadRequestError');
});

test('usages → openssl keyUsage/extendedKeyUsage', (t) => {
  const ext = extensionsFor(CLIENT);
  t.regex(ext, /^basicConstraints=critical,CA:FALSE$/m);
  t.regex(ext, /^keyUsage=critical,digitalSignature,keyEncipherment$/m);
  t.regex(ext, /^extendedKeyUsage=clientAuth$/m);
  t.notRegex(ext, /subjectAltName/);
  const all = extensionsFor(['signing', 'content commitment', 'key agreement', 'data encipherment', 'cert sign', 'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'code signing', 'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc']);
  t.regex(all, /^keyUsage=critical,digitalSignature,nonRepudiation,keyAgreement,dataEncipherment,keyCertSign,cRLSign,encipherOnly,decipherOnly$/m);
  t.regex(all, /^extendedKeyUsage=anyExtendedKeyUsage,serverAuth,codeSigning,emailProtection,ipsecEndSystem,ipsecTunnel,ipsecUser,timeStamping,OCSPSigning,msSGC,nsSGC$/m);
  t.regex(extensionsFor(['server auth'], { dnsNames: ['n1'], ipAddresses: ['10.0.0.7'] }), /^subjectAltName=DNS:n1,IP:10\.0\.0\.7$/m);
  t.throws(() => extensionsFor(['bogus']), { instanceOf: UsageError });
});

test('the extension file is accepted by openssl x509 -req', async (t) => {
  const sh = `d=$(mktemp -d) && cd $d && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=ca -keyout ca.key -out ca.crt 2>/dev/null && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout k -subj '/O=system:nodes/CN=system:node:n1' -out r.pem 2>/dev/null && cat > e.cnf && openssl x509 -req -in r.pem -CA ca.crt -CAkey ca.key -set_serial 0x1234 -days 1 -extfile e.cnf 2>/dev/null | openssl x509 -noout -ext keyUsage,extendedKeyUsage,basicConstraints; rc=$?; rm -rf $d; exit $rc`;
  const r = await execa('sh', ['-c', sh], { input: extensionsFor(CLIENT) });
  t.regex(r.stdout, /Digital Signature, Key Encipherment/);
  t.regex(r.stdout, /TLS Web Client Authentication/);
  t.regex(r.stdout, /CA:FALSE/);
});

test('per-signer usage rules', (t) => {
  t.is(usageProblem(KUBELET, CLIENT), '');
  t.is(usageProblem(KUBELET, ['digital signature', 'client auth']), '');
  t.regex(usageProblem(KUBELET, [...CLIENT, 'server auth']), /not allowed/);
  t.regex(usageProblem('kubernetes.io/kubelet-serving', CLIENT), /not allowed/);
  t.regex(usageProblem('kubernetes.io/kubelet-serving', ['digital signature']), /requires/);
  t.is(usageProblem('kubernetes.io/legacy-unknown', ['cert sign', 'server auth']), '');
});
