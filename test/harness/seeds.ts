/**
 * The seed documents (/work/shared/seeds, the user's spec): reading them, and
 * the daemon start-up scripts of 002_*.txt with their $VARIABLES filled in.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SEEDS = '/work/shared/seeds';
export const seed = (prefix: string): string => {
  const name = readdirSync(SEEDS).find((f) => f.startsWith(prefix));
  if (!name) throw new Error(`no seed ${prefix}* in ${SEEDS}`);
  return readFileSync(join(SEEDS, name), 'utf8');
};


/** Plausible values for the variables the seed scripts use (002 explains each). */
export const scriptEnv: Record<string, string> = {
  HOME_PATH: '/home/blue',
  KUBERNETES_PREFIX: '/home/blue/apps/kubernetes',
  FLANNEL_PATH: '/home/blue/apps/flannel',
  CERTIFICATE_PATH: '/home/blue/apps/kubernetes/certificate',
  LOGS_PATH: '/home/blue/apps/kubernetes/logs',
  LOCAL_IPADDRESS: '192.168.10.15',
  ETCD_NODE01_IPADDRESS: '192.168.10.15',
  ETCD_NODE02_IPADDRESS: '192.168.10.16',
  ETCD_NODE03_IPADDRESS: '192.168.10.17',
  KUBE_DNS: '10.0.0.2',
  CLUSTER_DOMAIN: 'cluster.local',
};

/** The start-up scripts of 002: a `$…/bin/<daemon> \` line up to the closing `####` rule. */
export function scripts(text: string): { daemon: string; body: string }[] {
  const out: { daemon: string; body: string }[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const m = /^\$\S*\/bin\/([a-z-]+) \\$/.exec(line.trimEnd());
    if (!m) return;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('####'));
    out.push({ daemon: m[1], body: lines.slice(i, end < 0 ? undefined : end).join('\n') });
  });
  return out;
}


// The document wrapped one line of the kube-apiserver script at 100 columns, inside
// the --etcd-servers quotes ("$ETCD_NODE0" / "3_IPADDRESS"); the operator's script has
// it on one line. seedScripts() undoes the wrap; a test fails loudly if the seed text changes.
export const WRAPPED = '$ETCD_NODE0\n3_IPADDRESS';

/** Every start-up script of 002, wrap repaired. */
export function seedScripts(): { daemon: string; body: string }[] {
  return scripts(seed('002_').replace(WRAPPED, '$ETCD_NODE03_IPADDRESS'));
}
