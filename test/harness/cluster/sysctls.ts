// Machine-wide kernel settings the node changes: the kubelet sets the VM and panic ones at start
// (protectKernelDefaults off), the CNI bridge plugin turns on IP forwarding, kube-proxy may set
// route_localnet and the bridge-netfilter switches. Recorded before bring-up and written back on
// teardown, so the machine ends as it began.
import { readFile, writeFile } from 'node:fs/promises';

export const NODE_SYSCTLS = [
  'vm.overcommit_memory',
  'vm.panic_on_oom',
  'kernel.panic',
  'kernel.panic_on_oops',
  'kernel.keys.root_maxkeys',
  'kernel.keys.root_maxbytes',
  'net.ipv4.ip_forward',
  'net.ipv4.conf.all.route_localnet',
  'net.bridge.bridge-nf-call-iptables',
  'net.bridge.bridge-nf-call-ip6tables',
] as const;

export type Sysctls = Readonly<Record<string, string>>;

const procPath = (name: string): string => `/proc/sys/${name.replaceAll('.', '/')}`;

/** The current values of NODE_SYSCTLS; settings this kernel lacks are left out. */
export async function readSysctls(): Promise<Sysctls> {
  const entries = await Promise.all(
    NODE_SYSCTLS.map(async (name) => {
      const value = await readFile(procPath(name), 'utf8').catch(() => undefined);
      return value === undefined ? undefined : ([name, value.trim()] as const);
    }),
  );
  return Object.fromEntries(entries.filter((e) => e !== undefined));
}

/** Writes back every recorded value that differs now; returns "name: now → recorded" for each. */
export async function restoreSysctls(recorded: Sysctls): Promise<string[]> {
  const now = await readSysctls();
  const changed = Object.entries(recorded).filter(([name, value]) => now[name] !== undefined && now[name] !== value);
  await Promise.all(changed.map(([name, value]) => writeFile(procPath(name), value)));
  return changed.map(([name, value]) => `${name}: ${now[name] ?? ''} → ${value}`);
}
