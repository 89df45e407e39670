/**
 * Every flag the seeds name (/work/shared/design/seed-flags.json, copied from the
 * seed documents) is in the right daemon's table, and --help lists it with its default.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { apiserverCommand } from '../../../../controlplane/apiserver/options.js';
import { controllerManagerCommand } from '../../../../controlplane/controllers/options.js';
import { schedulerCommand } from '../../../../controlplane/scheduler/options.js';
import { kubeletCommand } from '../../../../agent/kubelet/options.js';
import { proxyCommand } from '../../../../agent/proxy/options.js';
import { flannelCommand } from '../../../../agent/flannel/options.js';
import { commandTable, flagUsages, formatFlagValue, type CommandSpec } from '../../../../controlplane/machinery/flags/index.js';
import { isZeroValue } from '../../../../controlplane/machinery/flags/values.js';

const SEED_FLAGS = '/work/shared/design/seed-flags.json';
const seedFlags = JSON.parse(readFileSync(SEED_FLAGS, 'utf8')) as Record<string, string[]>;

const commands: Record<string, CommandSpec> = {
  'kube-apiserver': apiserverCommand,
  'kube-controller-manager': controllerManagerCommand,
  'kube-scheduler': schedulerCommand,
  kubelet: kubeletCommand,
  'kube-proxy': proxyCommand,
  flanneld: flannelCommand,
};

test('seed-flags.json names exactly our six daemons plus common', (t) => {
  t.deepEqual(Object.keys(seedFlags).sort(), ['common', ...Object.keys(commands)].sort());
});

for (const [daemon, cmd] of Object.entries(commands)) {
  const wanted = [...new Set([...(seedFlags[daemon] ?? []), ...(daemon === 'flanneld' ? [] : seedFlags.common)])];
  test(`${daemon}: every seed flag is in the table and in --help with its default`, (t) => {
    const table = commandTable(cmd);
    const help = flagUsages(table).split('\n');
    const dash = table.style === 'goflag' ? '-' : '--';
    // Go-style help puts the text on the line after the flag; read the two as one.
    const lineOf = (name: string): string | undefined => {
      const i = help.findIndex((l) => new RegExp(`^\\s+(-[a-z], )?${dash}${name.replace(/[.-]/g, '\\$&')}( |$)`).test(l));
      if (i < 0) return undefined;
      return table.style === 'goflag' ? `${help[i]} ${help[i + 1] ?? ''}` : help[i];
    };
    const missing: string[] = [];
    for (const name of wanted) {
      const found = table.lookup(name);
      if (!found) {
        missing.push(`--${name}: not in the table`);
        continue;
      }
      if (!lineOf(name)) missing.push(`--${name}: not in --help`);
      const spec = found.spec;
      const def = table.defaultOf(spec.name);
      if (!isZeroValue(spec.type, def)) {
        const text = formatFlagValue(spec.type, def);
        const shown = spec.type === 'string' || spec.type === 'enum' ? JSON.stringify(text) : text;
        const line = lineOf(spec.name) ?? '';
        if (!line.includes(`(default ${shown})`)) missing.push(`--${spec.name}: --help does not show (default ${shown}): ${line}`);
      }
    }
    t.deepEqual(missing, []);
    t.true(wanted.length > 0);
  });

  test(`${daemon}: the table builds and every flag has help text`, (t) => {
    const table = commandTable(cmd);
    t.deepEqual(table.specs.filter((s) => s.help.trim() === '').map((s) => s.name), []);
    t.is(table.component, daemon);
  });
}

const defaults: { daemon: string; flag: string; want: string }[] = [
  { daemon: 'kube-apiserver', flag: 'insecure-port', want: '8080' },
  { daemon: 'kube-apiserver', flag: 'insecure-bind-address', want: '127.0.0.1' },
  { daemon: 'kube-apiserver', flag: 'secure-port', want: '6443' },
  { daemon: 'kube-apiserver', flag: 'etcd-prefix', want: '/registry' },
  { daemon: 'kube-apiserver', flag: 'storage-backend', want: 'sqlite' },
  { daemon: 'kube-apiserver', flag: 'data-dir', want: '/var/lib/kubets/apiserver' },
  { daemon: 'kube-apiserver', flag: 'service-node-port-range', want: '30000-32767' },
  { daemon: 'kube-apiserver', flag: 'event-ttl', want: '1h0m0s' },
  { daemon: 'kube-controller-manager', flag: 'port', want: '10252' },
  { daemon: 'kube-controller-manager', flag: 'min-resync-period', want: '12h0m0s' },
  { daemon: 'kube-controller-manager', flag: 'node-monitor-grace-period', want: '40s' },
  { daemon: 'kube-scheduler', flag: 'port', want: '10251' },
  { daemon: 'kube-scheduler', flag: 'kube-api-qps', want: '50' },
  { daemon: 'kubelet', flag: 'port', want: '10250' },
  { daemon: 'kubelet', flag: 'read-only-port', want: '10255' },
  { daemon: 'kubelet', flag: 'healthz-port', want: '10248' },
  { daemon: 'kubelet', flag: 'streaming-connection-idle-timeout', want: '4h0m0s' },
  { daemon: 'kubelet', flag: 'max-pods', want: '110' },
  { daemon: 'kube-proxy', flag: 'healthz-port', want: '10256' },
  { daemon: 'kube-proxy', flag: 'conntrack-tcp-timeout-established', want: '24h0m0s' },
  { daemon: 'kube-proxy', flag: 'udp-timeout', want: '250ms' },
  { daemon: 'flanneld', flag: 'etcd-prefix', want: '/coreos.com/network' },
  { daemon: 'flanneld', flag: 'subnet-file', want: '/run/flannel/subnet.env' },
  { daemon: 'flanneld', flag: 'subnet-lease-renew-margin', want: '60' },
  { daemon: 'flanneld', flag: 'logtostderr', want: 'true' },
];
for (const tc of defaults) {
  test(`default ${tc.daemon} --${tc.flag} = ${tc.want}`, (t) => {
    const table = commandTable(commands[tc.daemon]);
    const spec = table.lookup(tc.flag)?.spec;
    if (!spec) return t.fail(`no --${tc.flag}`);
    t.is(formatFlagValue(spec.type, table.defaultOf(tc.flag)), tc.want);
  });
}
