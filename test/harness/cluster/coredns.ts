// The cluster DNS: CoreDNS as a host process on the node address, port 53, answering
// cluster.local (Services, headless Services' Pods — the etcd StatefulSet needs those — and reverse
// lookups of Pod and Service addresses) from the API server, and forwarding everything else to
// the host's resolvers. The kubelet's clusterDNS points Pods here.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../free-port.ts';
import { spawnManaged } from '../processes.ts';
import type { Managed } from '../processes.ts';
import { waitUntilReady } from '../readiness.ts';
import { CLUSTER_DOMAIN, DNS_IP } from './layout.ts';

export function corefile(kubeconfig: string, readyPort: number): string {
  return `${CLUSTER_DOMAIN}:53 in-addr.arpa:53 ip6.arpa:53 {
    bind ${DNS_IP}
    errors
    ready 127.0.0.1:${readyPort}
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    cache 5
}
.:53 {
    bind ${DNS_IP}
    errors
    forward . /etc/resolv.conf
    cache 30
}
`;
}

async function ready(port: number): Promise<true | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(1000) });
  return res.status === 200 ? true : undefined;
}

export interface CorednsOptions {
  readonly binary: string;
  readonly dir: string;
  readonly kubeconfig: string;
  readonly detached: boolean;
}

export async function startCoredns(opts: CorednsOptions): Promise<Managed> {
  const readyPort = await freePort();
  const file = join(opts.dir, 'Corefile');
  await writeFile(file, corefile(opts.kubeconfig, readyPort));
  const logFile = join(opts.dir, 'coredns.log');
  const proc = spawnManaged(opts.binary, ['-conf', file], { logFile, detached: opts.detached, cwd: opts.dir });
  // Ready once the kubernetes plugin has listed Services and EndpointSlices.
  await waitUntilReady(proc, () => ready(readyPort), { what: 'coredns', timeoutMs: 60_000, intervalMs: 100, logFile });
  return proc;
}
