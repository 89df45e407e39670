/**
 * Which network plugin a kubelet uses (--network-plugin):
 *   cni     → the configuration in --cni-conf-dir;
 *   kubenet → a bridge over the node's pod CIDR (waits for one);
 *   ''      → kubenet when there is a pod CIDR (--pod-cidr, or the node's),
 *             else Docker's bridge (AutoNetwork decides once the node says);
 *             standalone without --pod-cidr: Docker's bridge.
 * Plugin binaries are looked up in --cni-bin-dir, then Debian's
 * /usr/lib/cni (containernetworking-plugins), then /opt/cni/bin.
 */
import { join } from 'node:path';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import type { IptablesRunner } from '../../../native/iptables/types.js';
import type { SandboxId } from '../types.js';
import { AutoNetwork } from './auto.js';
import { CniPlugin } from './cniplugin.js';
import { DockerBridgePlugin } from './dockerbridge.js';
import { KubenetPlugin } from './kubenet.js';
import type { NetworkStore } from './store.js';
import type { NetworkPlugin } from './types.js';

export interface NetworkSelection {
  plugin: '' | 'cni' | 'kubenet';
  /** True when there is an API server (the node may carry a pod CIDR). */
  withApi: boolean;
  podCIDR: string;
  cniConfDir: string;
  cniBinDirs: readonly string[];
  kubenetBridge: string;
  nonMasqueradeCIDR: string;
  hairpinMode: 'promiscuous-bridge' | 'hairpin-veth' | 'none';
  rootDir: string;
  store: NetworkStore;
  sandboxIP(id: SandboxId): Promise<string | undefined>;
  iptables(): Promise<IptablesRunner>;
  log: Logger;
}

export const DEFAULT_BIN_DIRS = ['/usr/lib/cni', '/opt/cni/bin'];

export function selectNetwork(o: NetworkSelection): { network: NetworkPlugin; auto?: AutoNetwork } {
  const binDirs = [...new Set([...o.cniBinDirs, ...DEFAULT_BIN_DIRS])];
  const bridge = () => new DockerBridgePlugin(o.sandboxIP);
  const kubenet = () =>
    new KubenetPlugin({
      bridge: o.kubenetBridge,
      binDirs,
      ipamDataDir: join(o.rootDir, 'kubenet', 'ipam'),
      nonMasqueradeCIDR: o.nonMasqueradeCIDR,
      hairpinMode: o.hairpinMode,
      store: o.store,
      log: o.log,
      iptables: o.iptables,
    });
  if (o.plugin === 'cni') return { network: new CniPlugin({ confDir: o.cniConfDir, binDirs, store: o.store, log: o.log }) };
  if (o.plugin === 'kubenet') return { network: kubenet() };
  if (!o.withApi && !o.podCIDR) return { network: bridge() };
  const auto = new AutoNetwork(kubenet(), bridge());
  return { network: auto, auto };
}
