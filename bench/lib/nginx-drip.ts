// The reference for the drip over real TCP (bench/parser.ts): the same head sent to a Debian
// nginx worker, whole and one byte per write, by the same client process as Bollard's. The
// worker's CPU comes from /proc/<pid>/schedstat (nanoseconds on a CPU; stat's 10 ms ticks are too
// coarse for a 1 ms request), read before the client starts and after it has the answer, so it
// includes the accept. What nginx pays for a drip shows what any server pays for 32,000 segments:
// it reads each segment as it comes (epoll, recv), as every C proxy does.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../../test/harness/free-port.ts';
import { planCpus } from './cpu-plan.ts';
import { buildHeadSinkConfig } from './nginx-config.ts';
import { startNginx } from './nginx.ts';
import { processTree } from './proc.ts';
import { sendFromClient } from './tcp-drip.ts';

export interface NginxFeeds {
  /** Worker CPU per request (µs), one entry per round. */
  readonly wholeUs: readonly number[];
  readonly dripUs: readonly number[];
}

async function onCpuNs(pid: number): Promise<number> {
  const [runNs] = (await readFile(`/proc/${String(pid)}/schedstat`, 'utf8')).split(' ');
  return Number(runNs);
}

async function workerCpuUs(worker: number, port: number, head: Buffer, mode: 'drip' | 'whole'): Promise<number> {
  const before = await onCpuNs(worker);
  await sendFromClient(port, head, mode).exited;
  return (await onCpuNs(worker) - before) / 1000;
}

export async function nginxTcpFeeds(head: Buffer, rounds: number, dir: string): Promise<NginxFeeds> {
  const port = await freePort();
  const nginx = await startNginx({
    what: 'nginx (drip reference)', dir, config: buildHeadSinkConfig({ dir, listen: `127.0.0.1:${String(port)}` }),
    plan: planCpus(1), cpus: [], probe: { host: '127.0.0.1', port },
  });
  try {
    const [worker] = (await processTree(nginx.pid)).filter((pid) => pid !== nginx.pid);
    if (worker === undefined) throw new Error(`nginx ${String(nginx.pid)} has no worker (see ${join(dir, 'error.log')})`);
    const wholeUs: number[] = [];
    const dripUs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      wholeUs.push(await workerCpuUs(worker, port, head, 'whole'));
      dripUs.push(await workerCpuUs(worker, port, head, 'drip'));
    }
    return { wholeUs, dripUs };
  } finally {
    await nginx.stop();
  }
}
