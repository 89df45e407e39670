/**
 * The CNI vocabulary (SPEC.md, versions 0.3.x/0.4.0 and 1.0.0): network
 * configuration as a plugin receives it on stdin, configuration lists as a
 * runtime holds them, and the result a plugin prints on ADD.
 *
 * Inside the plugins a result is always in the 1.0.0 ("current") shape;
 * version.ts converts at the edges — when prevResult comes in and when the
 * result goes out — so no plugin code branches on cniVersion.
 */

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION';

export interface CniInterface {
  name: string;
  mac?: string;
  mtu?: number;
  /** The namespace path for interfaces inside the container; absent for host-side ones. */
  sandbox?: string;
  socketPath?: string;
  pciID?: string;
}

export interface CniIPConfig {
  /** Index into `interfaces` of the interface that carries the address. */
  interface?: number;
  /** CIDR: the address with its subnet's prefix length (`10.1.2.3/24`). */
  address: string;
  gateway?: string;
  /** 0.3.x/0.4.0 only: "4" or "6". Never set in the current shape. */
  version?: '4' | '6';
}

export interface CniRoute {
  dst: string;
  gw?: string;
  mtu?: number;
  advmss?: number;
  priority?: number;
  table?: number;
  scope?: number;
}

export interface CniDns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIPConfig[];
  routes?: CniRoute[];
  dns?: CniDns;
}

/** The `ipam` section; each IPAM plugin adds its own fields. */
export interface IpamConf {
  type: string;
  [field: string]: unknown;
}

/**
 * One plugin's network configuration. Plugin-specific fields ride along in
 * the index signature; each plugin parses its own (config.ts per plugin).
 */
export interface NetConf {
  cniVersion: string;
  name: string;
  type: string;
  capabilities?: Record<string, boolean>;
  ipam?: IpamConf;
  dns?: CniDns;
  /** As received: in the shape of `cniVersion` (convert with toCurrent). */
  prevResult?: CniResult;
  runtimeConfig?: Record<string, unknown>;
  args?: Record<string, unknown>;
  [field: string]: unknown;
}

/** A plugin entry of a configuration list: no name/cniVersion of its own (the list's are injected). */
export interface PluginConf {
  type: string;
  capabilities?: Record<string, boolean>;
  [field: string]: unknown;
}

/** A .conflist: plugins run in order on ADD/CHECK (each gets the previous result), in reverse on DEL. */
export interface NetConfList {
  cniVersion: string;
  name: string;
  disableCheck?: boolean;
  plugins: PluginConf[];
}

/** What VERSION prints. */
export interface VersionResult {
  cniVersion: string;
  supportedVersions: string[];
}

/** The environment of one invocation, validated (skel.ts). */
export interface CmdArgs {
  readonly command: Exclude<CniCommand, 'VERSION'>;
  readonly containerId: string;
  /** Empty on DEL when the runtime no longer has the namespace. */
  readonly netns: string;
  readonly ifName: string;
  /** CNI_ARGS, raw (`K1=V1;K2=V2`); parsed with parseCniArgs. */
  readonly args: string;
  readonly path: readonly string[];
  readonly stdin: Buffer;
  /** The configuration, parsed and version-checked; prevResult already in the current shape. */
  readonly conf: NetConf;
}
