/**
 * A throwaway "node" for kernel tests of kube-proxy: a node namespace with a
 * bridge (10.244.1.1/24, default route through it, forwarding on) and two
 * "pod" namespaces on it, each running `busybox httpd` on :8080 that answers
 * its own name. Everything lives inside the namespaces, so removing them
 * removes every link, address, rule and conntrack entry; the httpd processes
 * are killed by PID. Nothing touches the root namespace.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { createNetNs, createVethPair, type NetNs } from '../../harness/netns.js';
import { run, tryRun } from '../../harness/exec.js';

export const NODE_IP = '10.244.1.1';
export const POD_CIDR = '10.244.0.0/16';

export interface Pod {
  readonly name: string;
  readonly ns: NetNs;
  readonly ip: string;
}

export interface Lab {
  readonly node: NetNs;
  readonly pods: readonly Pod[];
  /** Runs a command in a namespace with `nsenter --net=` (not `ip netns exec`: no /sys remount). */
  exec(ns: NetNs, cmd: string, args: readonly string[]): Promise<{ stdout: string; stderr: string; exitCode: number }>;
  /** GETs a URL from a namespace; the body, or undefined when the request failed. */
  fetch(ns: NetNs, url: string): Promise<string | undefined>;
  destroy(): Promise<void>;
}

export async function createLab(podCount = 2): Promise<Lab> {
  const created: NetNs[] = [];
  const servers: ResultPromise[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'kube-proxy-lab-'));
  const exec = (ns: NetNs, cmd: string, args: readonly string[]) => tryRun('nsenter', [`--net=${ns.path}`, '--', cmd, ...args]);
  const destroy = async () => {
    for (const s of servers) if (s.pid) tryKill(s.pid);
    await Promise.allSettled(servers);
    for (const ns of created.reverse()) await ns.destroy();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const node = await createNetNs('kp-node');
    created.push(node);
    await run('ip', ['-n', node.name, 'link', 'add', 'kpbr0', 'type', 'bridge']);
    await run('ip', ['-n', node.name, 'addr', 'add', `${NODE_IP}/24`, 'dev', 'kpbr0']);
    await run('ip', ['-n', node.name, 'link', 'set', 'kpbr0', 'up']);
    await run('ip', ['-n', node.name, 'route', 'add', 'default', 'dev', 'kpbr0']);
    await run('nsenter', [`--net=${node.path}`, '--', 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    const pods: Pod[] = [];
    for (let i = 0; i < podCount; i++) {
      const name = `pod-${String.fromCharCode(97 + i)}`;
      const ns = await createNetNs('kp-pod');
      created.push(ns);
      const ip = `10.244.1.${i + 2}`;
      await createVethPair({ aName: `veth${i}`, bName: 'eth0', aNs: node, bNs: ns, bAddr: `${ip}/24` });
      await run('ip', ['-n', node.name, 'link', 'set', `veth${i}`, 'master', 'kpbr0']);
      // A pod reaching itself through a service VIP leaves and re-enters by the same bridge port.
      await run('ip', ['-n', node.name, 'link', 'set', `veth${i}`, 'type', 'bridge_slave', 'hairpin', 'on']);
      await run('ip', ['-n', ns.name, 'route', 'add', 'default', 'via', NODE_IP]);
      const root = join(dir, name);
      await run('mkdir', ['-p', root]);
      await writeFile(join(root, 'index.html'), `${name}\n`);
      const httpd = execa('nsenter', [`--net=${ns.path}`, '--', 'busybox', 'httpd', '-f', '-p', '8080', '-h', root], { reject: false, stdin: 'ignore' });
      servers.push(httpd);
      pods.push({ name, ns, ip });
    }
    const lab: Lab = {
      node,
      pods,
      exec,
      fetch: async (ns, url) => {
        const r = await exec(ns, 'curl', ['-s', '--max-time', '3', url]);
        return r.exitCode === 0 ? r.stdout.trim() : undefined;
      },
      destroy,
    };
    // httpd is up when each pod answers itself.
    for (const p of pods) {
      let body: string | undefined;
      for (let i = 0; i < 50 && body !== p.name; i++) {
        body = await lab.fetch(p.ns, `http://${p.ip}:8080/`);
        if (body !== p.name) await new Promise((r) => setTimeout(r, 100));
      }
      if (body !== p.name) throw new Error(`busybox httpd in ${p.name} did not answer`);
    }
    return lab;
  } catch (e) {
    await destroy();
    throw e;
  }
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/** Fetches `url` from `ns` up to `tries` times; returns the set of bodies seen (failures as 'FAIL'). */
export async function sample(lab: Lab, ns: NetNs, url: string, tries: number, until?: (seen: Set<string>) => boolean): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < tries; i++) {
    seen.add((await lab.fetch(ns, url)) ?? 'FAIL');
    if (until?.(seen)) break;
  }
  return seen;
}
