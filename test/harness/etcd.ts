// A single-member etcd (Debian's etcd-server, 3.4) on free loopback ports, data under `dir`.
// Started as a plain process, never as the system service.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { spawnManaged } from './processes.ts';
import type { Managed } from './processes.ts';
import { waitUntilReady } from './readiness.ts';

/** The data directory's name inside the control plane's directory. */
export const ETCD_DATA_DIR = 'etcd-data';

export interface Etcd {
  readonly url: string;
  readonly process: Managed;
}

export interface EtcdOptions {
  readonly dir: string;
  readonly detached?: boolean;
  readonly timeoutMs?: number;
}

async function healthy(url: string): Promise<true | undefined> {
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
  const body = (await res.json()) as { health?: unknown };
  return body.health === 'true' ? true : undefined;
}

export async function startEtcd(opts: EtcdOptions): Promise<Etcd> {
  const [clientPort, peerPort] = await Promise.all([freePort(), freePort()]);
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const dataDir = join(opts.dir, ETCD_DATA_DIR);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const args = [
    '--name=bollard',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=bollard=${peer}`,
    '--initial-cluster-state=new',
    '--logger=zap',
    '--log-outputs=stderr',
    // A throwaway store: no need to survive power loss, and fsync is what makes etcd slow here.
    '--unsafe-no-fsync=true',
  ];
  const logFile = join(opts.dir, 'etcd.log');
  const proc = spawnManaged('etcd', args, { logFile, detached: opts.detached });
  await waitUntilReady(proc, () => healthy(url), { what: `etcd at ${url}`, timeoutMs: opts.timeoutMs ?? 30_000, logFile });
  return { url, process: proc };
}
