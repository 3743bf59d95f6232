// Runs Debian's wrk against one target. The URL carries the name the proxies route on (so the Host
// header and, over TLS, the SNI name are right); a generated Lua script overrides wrk.resolve to
// connect to the target's real address instead of resolving that name.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pinnedCommand, type CpuPlan } from './cpu-plan.ts';
import { parseWrkOutput, type WrkResult } from './wrk-output.ts';

export type { WrkResult } from './wrk-output.ts';

const run = promisify(execFile);

export interface WrkTarget {
  readonly proto: 'http' | 'https';
  /** Name in the URL: Host header and SNI. */
  readonly host: string;
  readonly ip: string;
  readonly port: number;
  readonly path: string;
}

export interface WrkOptions {
  readonly plan: CpuPlan;
  /** Where the resolve scripts are written. */
  readonly dir: string;
  readonly connections: number;
  readonly seconds: number;
}

async function resolveScript(dir: string, ip: string, port: number): Promise<string> {
  const file = join(dir, `resolve-${ip}-${port}.lua`);
  await writeFile(file, `-- connect to ${ip}:${port} whatever the URL names\nwrk.resolve = function(host, service)\n  wrk.addrs = wrk.lookup("${ip}", "${port}")\nend\n`);
  return file;
}

export async function runWrk(target: WrkTarget, opts: WrkOptions): Promise<WrkResult> {
  const script = await resolveScript(opts.dir, target.ip, target.port);
  const url = `${target.proto}://${target.host}:${target.port}${target.path}`;
  const threads = Math.max(1, opts.plan.wrk.length);
  const args = ['-t', String(threads), '-c', String(opts.connections), '-d', `${opts.seconds}s`, '--latency', '-s', script, url];
  const [file, argv] = pinnedCommand(opts.plan, opts.plan.wrk, 'wrk', args);
  const { stdout } = await run(file, argv, { timeout: (opts.seconds + 30) * 1000, killSignal: 'SIGKILL' });
  return parseWrkOutput(stdout);
}
