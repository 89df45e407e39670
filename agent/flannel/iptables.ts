/**
 * flannel's iptables rules (DATAPLANE §4.5), in their own chains so they can
 * be rewritten and removed as a whole:
 *
 *   nat    POSTROUTING -j FLANNEL-POSTRTG   (-ip-masq; first rule, comment "flanneld masq")
 *   filter FORWARD     -j FLANNEL-FWD       (-iptables-forward-rules; comment "flanneld forward")
 *
 * The chains are (re)written with one iptables-restore --noflush blob (the
 * `:CHAIN` line flushes that chain only); the jumps are single -C/-I rules,
 * since a restore cannot add to a built-in chain without flushing what
 * others put there. ensure() compares the chains with iptables-save and
 * rewrites them only when they differ, every -iptables-resync seconds.
 * teardown() removes jumps and chains (on SIGTERM, as upstream does).
 */
import type { IptablesRunner, TableName } from '../../native/iptables/types.js';
import { formatIp4Net, type Ip4Net } from './lease/ip4.js';

export const MASQ_CHAIN = 'FLANNEL-POSTRTG';
export const FWD_CHAIN = 'FLANNEL-FWD';
/** kube-proxy's masquerade mark: already marked traffic is NATed by kube-proxy, never twice. */
const KUBE_PROXY_MARK = '0x4000/0x4000';

export interface ChainRules {
  readonly table: TableName;
  readonly chain: string;
  /** The built-in chain that jumps here, and the jump's match arguments. */
  readonly from: string;
  readonly jump: readonly string[];
  /** Rule argument lists, in order (without `-A CHAIN`). */
  readonly rules: readonly (readonly string[])[];
}

export function masqRules(network: Ip4Net, lease: Ip4Net, randomFully: boolean): ChainRules {
  const n = formatIp4Net(network);
  const sn = formatIp4Net(lease);
  const c = ['-m', 'comment', '--comment', 'flanneld masq'];
  const rf = randomFully ? ['--random-fully'] : [];
  return {
    table: 'nat',
    chain: MASQ_CHAIN,
    from: 'POSTROUTING',
    jump: [...c, '-j', MASQ_CHAIN],
    rules: [
      ['-m', 'mark', '--mark', KUBE_PROXY_MARK, ...c, '-j', 'RETURN'],
      // Pod to pod inside the overlay: never NAT.
      ['-s', n, '-d', n, ...c, '-j', 'RETURN'],
      // Pods to the outside (not multicast): NAT.
      ['-s', n, '!', '-d', '224.0.0.0/4', ...c, '-j', 'MASQUERADE', ...rf],
      // Traffic from outside to our own pods keeps its source.
      ['!', '-s', n, '-d', sn, ...c, '-j', 'RETURN'],
      // The host to remote pods: NAT, so replies come back through the overlay.
      ['!', '-s', n, '-d', n, ...c, '-j', 'MASQUERADE', ...rf],
    ],
  };
}

export function forwardRules(network: Ip4Net): ChainRules {
  const n = formatIp4Net(network);
  const c = ['-m', 'comment', '--comment', 'flanneld forward'];
  return {
    table: 'filter',
    chain: FWD_CHAIN,
    from: 'FORWARD',
    jump: [...c, '-j', FWD_CHAIN],
    rules: [
      ['-s', n, ...c, '-j', 'ACCEPT'],
      ['-d', n, ...c, '-j', 'ACCEPT'],
    ],
  };
}

function quote(a: string): string {
  return /^[A-Za-z0-9_./:!-]+$/.test(a) ? a : `"${a.replaceAll('"', '\\"')}"`;
}

/** The restore blob that (re)writes the chain. */
export function renderRestore(c: ChainRules): string {
  return [`*${c.table}`, `:${c.chain} - [0:0]`, ...c.rules.map((r) => `-A ${c.chain} ${r.map(quote).join(' ')}`), 'COMMIT', ''].join('\n');
}

/** The chain's `-A` lines as iptables-save prints them, for comparison (normalised spacing, no counters). */
export function chainLines(save: string, chain: string): string[] {
  return save
    .split('\n')
    .map((l) => l.replace(/^\[\d+:\d+\]\s+/, '').trim())
    .filter((l) => l.startsWith(`-A ${chain} `));
}

/** Normalises a rule the way iptables-save prints it enough to compare (quotes, `-m comment` spelled out). */
function normalise(line: string): string {
  return line.replaceAll('"', '').replace(/\s+/g, ' ');
}

/** Programs and keeps one ChainRules in place. */
export class ChainKeeper {
  constructor(
    private readonly ipt: IptablesRunner,
    private readonly c: ChainRules,
  ) {}

  get rules(): ChainRules {
    return this.c;
  }

  /** Whether chain, rules and jump are all in place. */
  async inPlace(): Promise<boolean> {
    const save = await this.ipt.save(this.c.table);
    const want = this.c.rules.map((r) => normalise(`-A ${this.c.chain} ${r.join(' ')}`));
    const have = chainLines(save, this.c.chain).map(normalise);
    if (want.length !== have.length || want.some((w, i) => w !== have[i])) return false;
    const jump = normalise(`-A ${this.c.from} ${this.c.jump.join(' ')}`);
    return chainLines(save, this.c.from).map(normalise).includes(jump);
  }

  /** Writes the chain and the jump; returns true when something had to change. */
  async ensure(): Promise<boolean> {
    if (await this.inPlace()) return false;
    await this.ipt.restore(renderRestore(this.c), { noflush: true });
    await this.ipt.ensureRule('prepend', this.c.table, this.c.from, this.c.jump);
    return true;
  }

  async teardown(): Promise<void> {
    await this.ipt.deleteRule(this.c.table, this.c.from, this.c.jump);
    await this.ipt.flushChain(this.c.table, this.c.chain);
    await this.ipt.deleteChain(this.c.table, this.c.chain);
  }
}
