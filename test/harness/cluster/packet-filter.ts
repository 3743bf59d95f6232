// Clean-up of what kube-proxy, the kubelet and the portmap plugin leave in the packet filter when
// they are stopped hard or die: every KUBE-* and CNI-* chain in the IPv4 and IPv6 iptables tables,
// with the rules in other chains that jump to them; then the nftables tables iptables-nft created
// for them, when the machine had none of that name before and they are empty now.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

async function run(cmd: string, args: readonly string[], input?: string): Promise<string> {
  const child = exec(cmd, args, { maxBuffer: 64 * 1024 * 1024 });
  if (input !== undefined) child.child.stdin?.end(input);
  const { stdout } = await child;
  return stdout;
}

const OURS = /^(KUBE|CNI)-/;
const TABLES = ['filter', 'nat', 'mangle', 'raw'] as const;

/** The iptables-restore script that deletes our chains from one table's iptables-save output. */
export function deletionScript(table: string, saved: string): string {
  const lines = saved.split('\n');
  const chains = lines.map((l) => /^:(\S+)/.exec(l)?.[1] ?? '').filter((c) => OURS.test(c));
  // Jumps from chains that stay (built-in or another program's) must go before the chains can.
  const jumps = lines.filter((l) => {
    const m = /^-A (\S+) .*-j (\S+)/.exec(l);
    return m !== null && !OURS.test(m[1] ?? '') && OURS.test(m[2] ?? '');
  });
  if (chains.length === 0 && jumps.length === 0) return '';
  return [
    `*${table}`,
    ...jumps.map((l) => `-D${l.slice(2)}`),
    ...chains.map((c) => `-F ${c}`),
    ...chains.map((c) => `-X ${c}`),
    'COMMIT',
    '',
  ].join('\n');
}

/** KUBE-* and CNI-* rules and chains in one family: how many lines of iptables-save mention them. */
export async function countOurRules(family: 'iptables' | 'ip6tables' = 'iptables'): Promise<number> {
  const saved = await run(`${family}-save`, []).catch(() => '');
  return saved.split('\n').filter((l) => /\b(KUBE|CNI)-/.test(l)).length;
}

export async function sweepChains(): Promise<void> {
  for (const family of ['iptables', 'ip6tables'] as const) {
    for (const table of TABLES) {
      const saved = await run(`${family}-save`, ['-t', table]).catch(() => '');
      const script = deletionScript(table, saved);
      if (script !== '') await run(`${family}-restore`, ['--noflush'], script);
    }
  }
}

/** "family name" of every nftables table, e.g. "ip nat". */
export async function nftTables(): Promise<string[]> {
  const out = await run('nft', ['list', 'tables']).catch(() => '');
  return out
    .split('\n')
    .map((l) => /^table (\S+ \S+)/.exec(l.trim())?.[1] ?? '')
    .filter((t) => t !== '');
}

async function isEmptyTable(table: string): Promise<boolean> {
  const listed = await run('nft', ['list', 'table', ...table.split(' ')]).catch(() => '');
  // Only chain headers, policies and braces: no rule lines.
  return listed
    .split('\n')
    .map((l) => l.trim())
    .every((l) => l === '' || l === '}' || /^(table|chain) /.test(l) || /^type .* hook .* priority/.test(l));
}

/** Deletes tables that were not there before bring-up and hold no rules now; returns them. */
export async function dropNewEmptyTables(before: readonly string[]): Promise<string[]> {
  const created = (await nftTables()).filter((t) => !before.includes(t));
  const dropped: string[] = [];
  for (const table of created) {
    if (!(await isEmptyTable(table))) continue;
    await run('nft', ['delete', 'table', ...table.split(' ')]);
    dropped.push(table);
  }
  return dropped;
}
