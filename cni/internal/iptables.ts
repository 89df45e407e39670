/**
 * The iptables runner for the plugins, opened lazily (iptables costs a few
 * spawns; plugins without ipMasq/portMappings must not pay for them) and
 * with the backend chosen the way native/iptables detects it — the same
 * backend the host's other rules use — unless KUBETS_IPTABLES_MODE says
 * legacy or nft. The plugin runs in the host namespace (or under
 * `nsenter --net` in tests), so no netns is given.
 */
import type { IpFamily, IptablesModeOption, IptablesRunner } from '../../native/iptables/index.js';
import { splitArgs } from '../../native/iptables/tokens.js';

function modeFromEnv(): IptablesModeOption {
  const m = process.env.KUBETS_IPTABLES_MODE;
  return m === 'legacy' || m === 'nft' ? m : 'auto';
}

export async function openRunner(family: IpFamily): Promise<IptablesRunner> {
  // Imported on demand: native/iptables loads execa, ~0.2 s of start-up a plugin without iptables work should not pay.
  const { openIptables } = await import('../../native/iptables/runner.js');
  return openIptables({ family, mode: modeFromEnv() });
}

/**
 * Deletes every rule of `table`/`chain` that jumps to `target` (the way to
 * remove entry rules whose exact match arguments we may not know: written by
 * an older version, or for an address no longer on the interface).
 */
export async function deleteJumpsTo(ipt: IptablesRunner, table: 'nat' | 'filter', chain: string, target: string): Promise<void> {
  const text = await ipt.save(table);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`-A ${chain} `)) continue;
    const toks = splitArgs(line);
    const j = toks.indexOf('-j');
    if (j < 0 || toks[j + 1] !== target) continue;
    await ipt.deleteRule(table, chain, toks.slice(2));
  }
}
