/**
 * The vocabulary of daemon flags: a flag table is plain data (FlagSpec[]) that
 * the parser, the --help printer, the start-up flag dump and the tests all read.
 * Tables live next to each daemon (controlplane/scheduler/options.ts …).
 */

export type FlagType =
  | 'bool'
  | 'string'
  | 'int'
  | 'float'
  | 'duration' // Go syntax; value in milliseconds
  | 'quantity' // Kubernetes resource quantity, kept as its string (`100m`, `1.5Gi`, `2e3`)
  | 'stringList' // comma-separated; repeating the flag appends
  | 'stringMap' // `k=v,k2=v2`; repeating the flag merges
  | 'ip' // one IPv4/IPv6 address, kept as a string
  | 'ipList' // comma-separated addresses
  | 'cidr' // one `a.b.c.d/n`, kept as a string
  | 'evictionMap' // `memory.available<100Mi,nodefs.available<10%`
  | 'portRange' // `30000-32767`, `30000+2768`, `30000`
  | 'enum' // one of `values`
  | 'severity'; // glog's stderrthreshold: INFO|WARNING|ERROR|FATAL or a number

export interface FlagAlias {
  name: string;
  /** Upstream's deprecation text; logged as `Flag --name has been deprecated, <text>`. */
  deprecated?: string;
}

export interface FlagSpec {
  /** Long name without dashes: `insecure-port`. */
  name: string;
  type: FlagType;
  /** The default in the form an operator would type it (`5m0s`, `30000-32767`, `true`, 8080). '' means unset. */
  default: string | number | boolean;
  help: string;
  /** Other accepted names. Plain strings are the seeds' own spellings; objects may carry a deprecation. */
  aliases?: readonly (string | FlagAlias)[];
  /** When set, using the flag logs `Flag --name has been deprecated, <text>`. */
  deprecated?: string;
  /** When set, the flag is accepted and ignored; using it logs `Flag --name has no effect in kubets: <text>`. */
  noop?: string;
  /** Never logged: the flag dump prints `<redacted>`. */
  secret?: boolean;
  /** Upstream version the flag appeared in (documentation only). */
  since?: string;
  /** For `enum`: the accepted values. */
  values?: readonly string[];
  /** For `enum`: accepted spellings mapped to a value, with the line to log when used. */
  valueAliases?: Readonly<Record<string, { value: string; message: string }>>;
  /** For `stringMap`: accept a bare `key` (stored as ''), like Kubernetes' ConfigurationMap (--runtime-config). */
  bareKeys?: boolean;
  /** Extra validation of a string-typed value; returns why it is wrong, or undefined. */
  check?: (value: string) => string | undefined;
}

export interface EvictionThreshold {
  signal: string;
  operator: '<';
  /** A quantity (`100Mi`) or a percentage (`10%`), as written. */
  value: string;
}

export interface PortRange {
  /** First port of the range, inclusive. 0 with size 0 means "not set". */
  base: number;
  size: number;
}

export type FlagValue = boolean | string | number | string[] | Record<string, string> | EvictionThreshold[] | PortRange;

/** How a table spells single-dash flags. */
export type FlagStyle =
  /** Kubernetes' pflag: `--name`; `-x` for one-letter flags; `-long-name` also accepted because the seeds write it. */
  | 'pflag'
  /** Go's standard `flag` package (flanneld): `-name` and `--name` are the same; help is printed Go-style. */
  | 'goflag';

/** A line the daemon logs once after start-up because of a flag that was used. */
export interface FlagNotice {
  flag: string;
  kind: 'noop' | 'deprecated' | 'alias' | 'value-alias';
  message: string;
}
