import test from 'ava';
import {
  isCIdentifier,
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isHTTPHeaderName,
  isPercent,
  isQualifiedName,
  isValidCIDR,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
} from '../../../controlplane/machinery/validation.js';

// Upstream's exact strings: users and conformance tests compare them verbatim.
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QNAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

const label = (n: number): string => 'a'.repeat(n);
/** A 63-char label repeated with dots up to exactly n chars. */
const subdomain = (n: number): string => {
  let s = '';
  while (s.length < n) s += (s ? '.' : '') + 'a'.repeat(Math.min(63, n - s.length - (s ? 1 : 0)));
  return s;
};

const cases: Array<{ name: string; fn: (s: string) => string[]; in: string; want: string[] }> = [
  { name: 'dns1123 label ok', fn: isDNS1123Label, in: 'my-name', want: [] },
  { name: 'dns1123 label digits first', fn: isDNS1123Label, in: '123-abc', want: [] },
  { name: 'dns1123 label 63', fn: isDNS1123Label, in: label(63), want: [] },
  { name: 'dns1123 label 64', fn: isDNS1123Label, in: label(64), want: ['must be no more than 63 characters'] },
  { name: 'dns1123 label upper', fn: isDNS1123Label, in: 'My-name', want: [DNS1123_LABEL_MSG] },
  { name: 'dns1123 label trailing dash', fn: isDNS1123Label, in: 'a-', want: [DNS1123_LABEL_MSG] },
  { name: 'dns1123 label empty', fn: isDNS1123Label, in: '', want: [DNS1123_LABEL_MSG] },
  { name: 'dns1123 label dots', fn: isDNS1123Label, in: 'a.b', want: ['must not contain dots'] },
  { name: 'dns1123 label 64 + upper', fn: isDNS1123Label, in: 'A' + label(63), want: ['must be no more than 63 characters', DNS1123_LABEL_MSG] },
  { name: 'dns1123 subdomain ok', fn: isDNS1123Subdomain, in: 'example.com', want: [] },
  { name: 'dns1123 subdomain 253', fn: isDNS1123Subdomain, in: subdomain(253), want: [] },
  { name: 'dns1123 subdomain 254', fn: isDNS1123Subdomain, in: subdomain(254), want: ['must be no more than 253 characters'] },
  { name: 'dns1123 subdomain double dot', fn: isDNS1123Subdomain, in: 'a..b', want: [DNS1123_SUBDOMAIN_MSG] },
  { name: 'dns1123 subdomain underscore', fn: isDNS1123Subdomain, in: 'a_b', want: [DNS1123_SUBDOMAIN_MSG] },
  { name: 'dns1035 ok', fn: isDNS1035Label, in: 'my-svc', want: [] },
  { name: 'dns1035 digit first', fn: isDNS1035Label, in: '1abc', want: [DNS1035_MSG] },
  { name: 'dns1035 64', fn: isDNS1035Label, in: label(64), want: ['must be no more than 63 characters'] },
  { name: 'wildcard ok', fn: isWildcardDNS1123Subdomain, in: '*.example.com', want: [] },
  { name: 'wildcard bad', fn: isWildcardDNS1123Subdomain, in: '*.*.example.com', want: [
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ] },
  { name: 'qname ok', fn: isQualifiedName, in: 'example.com/MyName', want: [] },
  { name: 'qname name only', fn: isQualifiedName, in: 'my.name_x', want: [] },
  { name: 'qname empty', fn: isQualifiedName, in: '', want: ['name part must be non-empty', 'name part ' + QNAME_MSG] },
  { name: 'qname empty prefix', fn: isQualifiedName, in: '/a', want: ['prefix part must be non-empty'] },
  { name: 'qname bad prefix', fn: isQualifiedName, in: 'A.com/a', want: ['prefix part ' + DNS1123_SUBDOMAIN_MSG] },
  { name: 'qname 64 name', fn: isQualifiedName, in: 'x/' + label(64), want: ['name part must be no more than 63 characters'] },
  { name: 'qname two slashes', fn: isQualifiedName, in: 'a/b/c', want: ['a qualified name ' + QNAME_MSG + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"] },
  { name: 'label value empty ok', fn: isValidLabelValue, in: '', want: [] },
  { name: 'label value bad', fn: isValidLabelValue, in: 'a b', want: [
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ] },
  { name: 'c identifier ok', fn: isCIdentifier, in: '_my_Name1', want: [] },
  { name: 'c identifier bad', fn: isCIdentifier, in: '1abc', want: [
    "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')",
  ] },
  { name: 'port name ok', fn: isValidPortName, in: 'http-alt', want: [] },
  { name: 'port name digits only', fn: isValidPortName, in: '8080', want: ['must contain at least one letter (a-z)'] },
  { name: 'port name all wrong', fn: isValidPortName, in: '-Http--port-name-', want: [
    'must be no more than 15 characters',
    'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    'must not contain consecutive hyphens',
    'must not begin or end with a hyphen',
  ] },
  { name: 'ip v4', fn: isValidIP, in: '10.9.8.7', want: [] },
  { name: 'ip v4 leading zeros (sloppy)', fn: isValidIP, in: '010.009.008.007', want: [] },
  { name: 'ip v6', fn: isValidIP, in: '2001:db8::ffff', want: [] },
  { name: 'ip v6 mapped v4', fn: isValidIP, in: '::ffff:1.2.3.4', want: [] },
  { name: 'ip v6 full', fn: isValidIP, in: '1:2:3:4:5:6:7:8', want: [] },
  { name: 'ip bad octet', fn: isValidIP, in: '256.1.1.1', want: ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'] },
  { name: 'ip v6 two ::', fn: isValidIP, in: '1::2::3', want: ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'] },
  { name: 'ip v6 zone', fn: isValidIP, in: 'fe80::1%eth0', want: ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'] },
  { name: 'ip empty', fn: isValidIP, in: '', want: ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'] },
  { name: 'cidr v4', fn: isValidCIDR, in: '10.0.0.0/8', want: [] },
  { name: 'cidr v6', fn: isValidCIDR, in: 'fd00::/64', want: [] },
  { name: 'cidr host bits', fn: isValidCIDR, in: '10.0.0.1/8', want: [] },
  { name: 'cidr v4 /33', fn: isValidCIDR, in: '10.0.0.0/33', want: ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'] },
  { name: 'cidr no mask', fn: isValidCIDR, in: '10.0.0.0', want: ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'] },
  { name: 'percent ok', fn: isPercent, in: '25%', want: [] },
  { name: 'percent bad', fn: isPercent, in: '25', want: [
    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
  ] },
  { name: 'header ok', fn: isHTTPHeaderName, in: 'X-Header-Name', want: [] },
  { name: 'header bad', fn: isHTTPHeaderName, in: 'X_Header', want: [
    "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')",
  ] },
  { name: 'env ok', fn: isEnvVarName, in: 'MY_ENV.NAME', want: [] },
  { name: 'env digit first', fn: isEnvVarName, in: '1X', want: [
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
  ] },
  { name: 'env ..', fn: isEnvVarName, in: '..', want: ["must not be '..'"] },
  { name: 'configmap key ok', fn: isConfigMapKey, in: 'key.name', want: [] },
  { name: 'configmap key ..x', fn: isConfigMapKey, in: '..x', want: ["must not start with '..'"] },
  { name: 'configmap key .', fn: isConfigMapKey, in: '.', want: ["must not be '.'"] },
  { name: 'configmap key slash', fn: isConfigMapKey, in: 'a/b', want: [
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
  ] },
];

for (const tc of cases) {
  test(tc.name, (t) => {
    t.deepEqual(tc.fn(tc.in), tc.want);
  });
}

const ports: Array<{ port: number; ok: boolean }> = [
  { port: 1, ok: true },
  { port: 65535, ok: true },
  { port: 0, ok: false },
  { port: 65536, ok: false },
  { port: -1, ok: false },
  { port: 80.5, ok: false },
];

for (const tc of ports) {
  test(`port ${tc.port}`, (t) => {
    t.deepEqual(isValidPortNum(tc.port), tc.ok ? [] : ['must be between 1 and 65535, inclusive']);
  });
}
