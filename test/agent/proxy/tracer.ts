/**
 * A packet tracer over a saved ruleset (iptables-save text), in the spirit of
 * upstream's runPacketFlowTests: a new connection {source, destination,
 * port} walks nat PREROUTING (or OUTPUT when the source is a node address),
 * the filter chains, and nat POSTROUTING. `-m statistic` rules branch (both
 * outcomes are followed), so a service with n endpoints yields n DNAT
 * targets; `-m recent --rcheck` never matches (a client not seen before).
 *
 * Result: `output` is the sorted, comma-separated DNAT targets, or the
 * filter verdict (REJECT / DROP) when nothing DNATed the packet, or '' when
 * the packet passes untouched; `masq` whether POSTROUTING masquerades it.
 */
import { parseSave, type SavedRuleset } from '../../../native/iptables/save.js';

export interface Packet {
  readonly sourceIP: string;
  readonly destIP: string;
  readonly destPort: number;
  readonly protocol?: 'tcp' | 'udp' | 'sctp';
}

export interface TraceResult {
  readonly output: string;
  readonly masq: boolean;
}

interface State {
  dnat?: string;
  mark: number;
  verdict?: string;
  masq: boolean;
  destIP: string;
  destPort: number;
}

interface Outcome {
  st: State;
  terminated: boolean;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [net, lenStr] = cidr.includes('/') ? cidr.split('/') : [cidr, '32'];
  const len = Number(lenStr);
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((ipToInt(net) & mask) >>> 0) === ((ipToInt(ip) & mask) >>> 0);
}

function parseMark(v: string): { value: number; mask: number } {
  const [value, mask] = v.split('/');
  return { value: Number(value), mask: mask === undefined ? 0xffffffff : Number(mask) };
}

export class PacketTracer {
  private readonly rs: SavedRuleset;

  constructor(
    saveText: string,
    /** Addresses that `-m addrtype --dst-type LOCAL` matches (127/8 always does). */
    private readonly nodeIPs: readonly string[],
  ) {
    this.rs = parseSave(saveText);
  }

  private isLocal(ip: string): boolean {
    return this.nodeIPs.includes(ip) || cidrContains('127.0.0.0/8', ip);
  }

  trace(p: Packet): TraceResult {
    const proto = p.protocol ?? 'tcp';
    const localSource = this.isLocal(p.sourceIP);
    const init: State = { mark: 0, masq: false, destIP: p.destIP, destPort: p.destPort };
    const natOut = this.chain('nat', localSource ? 'OUTPUT' : 'PREROUTING', init, p, proto);
    const dnats = new Set<string>();
    const verdicts = new Set<string>();
    const masqs = new Set<boolean>();
    for (const o of natOut) {
      const st = o.st;
      if (st.dnat) dnats.add(st.dnat);
      else {
        const filterChains = localSource ? (this.isLocal(st.destIP) ? ['OUTPUT', 'INPUT'] : ['OUTPUT']) : this.isLocal(st.destIP) ? ['INPUT'] : ['FORWARD'];
        for (const fc of filterChains) {
          const v = this.chain('filter', fc, { ...st }, p, proto).find((x) => x.st.verdict === 'REJECT' || x.st.verdict === 'DROP');
          if (v) {
            verdicts.add(v.st.verdict!);
            break;
          }
        }
      }
      const post = this.chain('nat', 'POSTROUTING', { ...st, verdict: undefined }, p, proto);
      masqs.add(post.some((x) => x.st.masq));
    }
    if (masqs.size > 1) throw new Error(`inconsistent masquerade across paths for ${JSON.stringify(p)}`);
    const output = dnats.size > 0 ? [...dnats].sort().join(', ') : [...verdicts].sort().join(', ');
    return { output, masq: masqs.has(true) };
  }

  private chain(table: string, name: string, st: State, p: Packet, proto: string, depth = 0): Outcome[] {
    if (depth > 20) throw new Error(`chain loop at ${table}/${name}`);
    const chain = this.rs.tables.get(table)?.chains.get(name);
    if (!chain) return [{ st, terminated: false }];
    const results: Outcome[] = [];
    let live: State[] = [st];
    for (const rule of chain.rules) {
      const next: State[] = [];
      for (const s of live) {
        const m = this.matches(rule.args, s, p, proto);
        if (m === 'no') {
          next.push(s);
          continue;
        }
        if (m === 'maybe') next.push({ ...s });
        this.applyTarget(table, rule.args, { ...s }, p, proto, depth, results, next);
      }
      live = next;
    }
    for (const s of live) results.push({ st: s, terminated: false });
    return results;
  }

  private applyTarget(table: string, args: readonly string[], s: State, p: Packet, proto: string, depth: number, results: Outcome[], next: State[]): void {
    const j = args.indexOf('-j');
    if (j < 0) {
      next.push(s);
      return;
    }
    const target = args[j + 1];
    const opt = (name: string) => {
      const i = args.indexOf(name, j);
      return i >= 0 ? args[i + 1] : undefined;
    };
    switch (target) {
      case 'ACCEPT':
      case 'DROP':
      case 'REJECT':
        results.push({ st: { ...s, verdict: target }, terminated: true });
        return;
      case 'RETURN':
        results.push({ st: s, terminated: false });
        return;
      case 'DNAT': {
        const to = opt('--to-destination')!;
        const i = to.lastIndexOf(':');
        results.push({ st: { ...s, dnat: to, destIP: to.slice(0, i), destPort: Number(to.slice(i + 1)) }, terminated: true });
        return;
      }
      case 'MASQUERADE':
        results.push({ st: { ...s, masq: true }, terminated: true });
        return;
      case 'MARK': {
        const or = opt('--or-mark');
        const xor = opt('--xor-mark');
        const setx = opt('--set-xmark');
        if (or) s.mark |= Number(or);
        if (xor) s.mark ^= Number(xor);
        if (setx) {
          const { value, mask } = parseMark(setx);
          s.mark = (s.mark & ~mask) ^ value;
        }
        next.push(s);
        return;
      }
      default: {
        // A user chain: RETURNed / fallen-off states continue here.
        for (const o of this.chain(table, target, s, p, proto, depth + 1)) {
          if (o.terminated) results.push(o);
          else next.push(o.st);
        }
      }
    }
  }

  /** 'yes', 'no', or 'maybe' (a statistic match: both outcomes possible). */
  private matches(args: readonly string[], s: State, p: Packet, proto: string): 'yes' | 'no' | 'maybe' {
    let maybe = false;
    let neg = false;
    const j = args.indexOf('-j');
    const end = j < 0 ? args.length : j;
    for (let i = 0; i < end; i++) {
      const a = args[i];
      if (a === '!') {
        neg = true;
        continue;
      }
      let ok: boolean | undefined;
      switch (a) {
        case '-s':
          ok = cidrContains(args[++i], p.sourceIP);
          break;
        case '-d':
          ok = cidrContains(args[++i], s.destIP);
          break;
        case '-p':
          ok = args[++i] === proto;
          break;
        case '--dport':
          ok = Number(args[++i]) === s.destPort;
          break;
        case '--dst-type':
          ok = args[++i] === 'LOCAL' ? this.isLocal(s.destIP) : false;
          break;
        case '--src-type':
          ok = args[++i] === 'LOCAL' ? this.isLocal(p.sourceIP) : false;
          break;
        case '--ctstate':
        case '--state':
          ok = args[++i].split(',').includes('NEW');
          break;
        case '--mark': {
          const { value, mask } = parseMark(args[++i]);
          ok = (s.mark & mask) === value;
          break;
        }
        case '--rcheck':
          ok = false;
          break;
        case '--probability':
          i++;
          maybe = true;
          break;
        case '-m':
        case '--comment':
        case '--mode':
        case '--name':
        case '--seconds':
        case '--mask':
          i++;
          break;
        default:
          // --reap, --set, --rsource and friends: no effect on matching.
          break;
      }
      if (ok !== undefined) {
        if (ok === neg) return 'no';
      }
      neg = false;
    }
    return maybe ? 'maybe' : 'yes';
  }
}
