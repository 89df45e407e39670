/**
 * --cleanup-iptables / --cleanup (upstream CleanupLeftovers): removes every
 * chain and jump rule any proxy mode of ours (or a stock kube-proxy) made in
 * nat and filter, whichever mode made them, so uninstalling leaves no rules
 * behind. On start-up the daemon removes only the other mode's rules (a
 * userspace portal left by a previous run would catch traffic before the
 * iptables mode's KUBE-SERVICES, and the reverse).
 *
 * One iptables-save, then one iptables-restore --noflush that deletes (`-D`,
 * by the exact saved text) each rule in a built-in chain that jumps to one of
 * our chains, flushes our chains and deletes them (`-X`). A chain of ours
 * that a chain of someone else still jumps to (kubelet's rules may use
 * KUBE-MARK-MASQ) is left alone — deleting it would fail the whole table.
 */
import type { Logger } from '../../controlplane/machinery/log/index.js';
import { RestoreBuilder } from '../../native/iptables/builder.js';
import { parseSave, type SavedTable } from '../../native/iptables/save.js';
import { isBuiltinChain, type IptablesRunner, type TableName } from '../../native/iptables/types.js';
import { FILTER_TOP_CHAINS, isServiceChain, NAT_TOP_CHAINS } from './iptables/chains.js';
import { USERSPACE_CHAINS } from './userspace/rules.js';

/** Which mode's chains to remove: both by default (--cleanup), one when switching modes. */
export type CleanupScope = 'all' | 'iptables' | 'userspace';

const IPTABLES_OWNED: ReadonlyMap<TableName, ReadonlySet<string>> = new Map<TableName, ReadonlySet<string>>([
  ['nat', new Set<string>(NAT_TOP_CHAINS)],
  ['filter', new Set<string>(FILTER_TOP_CHAINS)],
]);
const USERSPACE_OWNED: ReadonlyMap<TableName, ReadonlySet<string>> = new Map<TableName, ReadonlySet<string>>([
  ['nat', new Set<string>(USERSPACE_CHAINS.nat)],
  ['filter', new Set<string>(USERSPACE_CHAINS.filter)],
]);

export function isOwnedChain(table: TableName, chain: string, scope: CleanupScope = 'all'): boolean {
  const ipt = scope !== 'userspace' && ((IPTABLES_OWNED.get(table)?.has(chain) ?? false) || (table === 'nat' && isServiceChain(chain)));
  const us = scope !== 'iptables' && (USERSPACE_OWNED.get(table)?.has(chain) ?? false);
  return ipt || us;
}

/** The target of `-j X` / `-g X` in a rule's arguments. */
export function jumpTarget(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length - 1; i++) if (args[i] === '-j' || args[i] === '-g') return args[i + 1];
  return undefined;
}

/** The restore input that removes what we own from one saved table (pure; '' when nothing to do). */
export function planTableCleanup(table: TableName, saved: SavedTable | undefined, b: RestoreBuilder, scope: CleanupScope = 'all'): { chains: string[]; jumps: number; kept: string[] } {
  if (!saved) return { chains: [], jumps: 0, kept: [] };
  const owned = [...saved.chains.keys()].filter((c) => isOwnedChain(table, c, scope));
  if (owned.length === 0) return { chains: [], jumps: 0, kept: [] };
  const ownedSet = new Set(owned);
  // Keep an owned chain a foreign user chain jumps to (and, transitively, what it jumps to).
  const kept = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of saved.chains.values()) {
      const foreign = !ownedSet.has(c.name) || kept.has(c.name);
      if (!foreign || isBuiltinChain(table, c.name)) continue;
      for (const r of c.rules) {
        const t = jumpTarget(r.args);
        if (t && ownedSet.has(t) && !kept.has(t)) {
          kept.add(t);
          grew = true;
        }
      }
    }
  }
  const t = b.table(table);
  let jumps = 0;
  for (const c of saved.chains.values()) {
    if (!isBuiltinChain(table, c.name)) continue;
    for (const r of c.rules) {
      const target = jumpTarget(r.args);
      if (target && ownedSet.has(target) && !kept.has(target)) {
        t.deleteRule(c.name, r.text);
        jumps++;
      }
    }
  }
  const chains = owned.filter((c) => !kept.has(c));
  for (const c of chains) t.deleteChain(c);
  return { chains, jumps, kept: [...kept] };
}

/** Removes our chains and jumps from nat and filter; returns what was removed. */
export async function cleanupLeftovers(ipt: IptablesRunner, log: Logger, scope: CleanupScope = 'all'): Promise<{ chains: number; jumps: number }> {
  // No table argument: naming a table would make the legacy kernel module create it.
  const saved = parseSave(await ipt.save());
  const b = new RestoreBuilder();
  let chains = 0;
  let jumps = 0;
  for (const table of ['nat', 'filter'] as const) {
    const r = planTableCleanup(table, saved.tables.get(table), b, scope);
    chains += r.chains.length;
    jumps += r.jumps;
    if (r.kept.length) log.info('leaving chains other rules still jump to', { table, chains: r.kept.join(',') });
  }
  if (b.isEmpty()) return { chains, jumps };
  await ipt.restore(b.render(), { noflush: true });
  log.info('cleaned up kube-proxy iptables rules', { backend: ipt.mode, scope, chains, jumps });
  return { chains, jumps };
}
