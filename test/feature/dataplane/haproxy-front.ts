// Debian's HAProxy as the load balancer in front of Bollard for the PROXY protocol tests: each
// frontend passes TCP through (mode tcp, as AWS NLB does) to one target, writing the PROXY
// header version it is told (`send-proxy` is v1, `send-proxy-v2` is v2). So the headers Bollard
// reads are HAProxy's, the protocol's reference implementation, not ours. Its own directory, free
// ports on 127.0.0.1, stopped by PID.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptsConnections } from '../../harness/accepts.ts';
import { freePort } from '../../harness/free-port.ts';
import { spawnManaged } from '../../harness/processes.ts';
import { waitUntilReady } from '../../harness/readiness.ts';

export interface HaproxyPass {
  /** `host:port` the frontend passes connections to. */
  readonly target: string;
  readonly version: 1 | 2;
}

export interface HaproxyFront {
  /** The frontends' ports, in the order of the passes given. */
  readonly ports: readonly number[];
  readonly pid: number;
  stop(): Promise<void>;
}

export function buildHaproxyFrontConfig(passes: readonly { readonly port: number; readonly pass: HaproxyPass }[]): string {
  return [
    'global',
    '  nbthread 1',
    'defaults',
    '  mode tcp',
    '  timeout connect 5s',
    '  timeout client 30s',
    '  timeout server 30s',
    ...passes.flatMap(({ port, pass }, i) => [
      `listen pass${String(i)}`,
      `  bind 127.0.0.1:${String(port)}`,
      `  server bollard ${pass.target} ${pass.version === 1 ? 'send-proxy' : 'send-proxy-v2'}`,
    ]),
    '',
  ].join('\n');
}

export async function startHaproxyFront(passes: readonly HaproxyPass[]): Promise<HaproxyFront> {
  const dir = await mkdtemp(join(tmpdir(), 'bollard-haproxy-'));
  const ports: number[] = [];
  for (const _ of passes) ports.push(await freePort());
  const conf = join(dir, 'haproxy.cfg');
  await writeFile(conf, buildHaproxyFrontConfig(passes.map((pass, i) => ({ port: ports[i] ?? 0, pass }))));
  const logFile = join(dir, 'haproxy.log');
  const proc = spawnManaged('haproxy', ['-db', '-f', conf], { logFile });
  for (const port of ports) await waitUntilReady(proc, () => acceptsConnections(port), { what: 'haproxy (front)', timeoutMs: 10_000, intervalMs: 20, logFile });
  return {
    ports, pid: proc.pid,
    stop: async () => { await proc.stop(); await rm(dir, { recursive: true, force: true }); },
  };
}
