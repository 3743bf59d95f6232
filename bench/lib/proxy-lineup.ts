// Starts every proxy the benchmark measures, all at the start of the run — so every Bollard runs
// the same source, even while src/ is being edited — and checks each with a preflight request:
// the main contestants (direct, nginx and HAProxy in C, Caddy in Go, Bollard, the minimal Node
// relay, Bollard without access log), a Bollard with --cpu-prof, a Bollard with the large table, and the workers=1/2 pairs.
import { join } from 'node:path';
import type { BenchBollard } from './bollard.ts';
import type { Contestant } from './contest.ts';
import { processTree } from './proc.ts';
import {
  attempt, bollardContestant, isHeadline, LOCAL, proxyContestant, startBollard, type Failed, type ProxyEnv, type Skipped,
} from './proxy-bench.ts';
import { createManyHosts, manyHostName } from './proxy-cluster.ts';
import { BENCH_NS, preflightBodies, startCaddyProxy, startHaproxyProxy, startMinimalNodeProxy, startNginxProxy } from './proxy-env.ts';
import { preflight } from './preflight.ts';
import { CADDY, HAPROXY, MINIMAL_NODE } from './proxy-report.ts';

export const NO_ACCESS_LOG = 'bollard-no-access-log';
const HOSTS_NS = 'hosts-bench';

export interface ManyHosts {
  readonly hosts: number;
  readonly hostsPerIngress: number;
  readonly ingresses: number;
  readonly createSeconds: number;
  readonly readySeconds: number;
  readonly contestant: Contestant;
}

export interface Workers {
  readonly processesWithTwo: number;
  readonly cpusAllowed: readonly number[];
  readonly contestants: readonly Contestant[];
}

export interface Lineup {
  readonly main: readonly Contestant[];
  readonly bollard: Contestant;
  readonly profiled: { readonly bollard: BenchBollard; readonly contestant: Contestant; readonly dir: string } | Skipped | Failed;
  readonly manyHosts: ManyHosts | Failed;
  readonly workers: Workers | Skipped | Failed;
}

const seconds = (since: number): number => Number(((performance.now() - since) / 1000).toFixed(1));

async function startMain(env: ProxyEnv): Promise<{ main: Contestant[]; bollard: Contestant }> {
  const { backendSide, cluster, plan } = env;
  const { ip, port } = backendSide.backend;
  await preflightBodies('direct', 'http', ip, port);
  const direct: Contestant = { name: 'direct', pid: backendSide.nginx.pid, targets: { http: { ip, port } }, skipped: { https: 'the backend serves plain HTTP; direct is the HTTP baseline' } };
  const nginx = await startNginxProxy({ plan, dir: env.dir, name: 'nginx-proxy', cpus: plan.proxy, workers: 1, backend: backendSide.backend, cert: cluster.cert, cleanup: env.cleanup });
  const others = { plan, dir: env.dir, cpus: plan.proxy, backend: backendSide.backend, cert: cluster.cert, cleanup: env.cleanup };
  const haproxy = await startHaproxyProxy({ ...others, name: 'haproxy-proxy' });
  const caddy = await startCaddyProxy({ ...others, name: 'caddy-proxy' });
  for (const [name, p] of [['nginx', nginx], [HAPROXY, haproxy], [CADDY, caddy]] as const) {
    await preflightBodies(name, 'http', LOCAL, p.httpPort);
    await preflightBodies(name, 'https', LOCAL, p.httpsPort);
  }
  const bollard = await bollardContestant('bollard', await startBollard(env, 'bollard'));
  const minimal = await startMinimalNodeProxy(plan, plan.proxy, backendSide.backend, env.cleanup);
  await preflightBodies(MINIMAL_NODE, 'http', LOCAL, minimal.port);
  const main = [
    direct, proxyContestant('nginx', nginx), proxyContestant(HAPROXY, haproxy), proxyContestant(CADDY, caddy), bollard,
    { name: MINIMAL_NODE, pid: minimal.pid, targets: { http: { ip: LOCAL, port: minimal.port } }, only: isHeadline },
  ];
  if (env.flags.has('access-log')) {
    // What the default JSON access log costs: the same Bollard with --access-log false, headline only.
    const noLog = await startBollard(env, NO_ACCESS_LOG, { extraArgs: ['--access-log', 'false'] });
    main.push({ ...(await bollardContestant(NO_ACCESS_LOG, noLog)), only: isHeadline });
  }
  return { main, bollard };
}

async function startManyHosts(env: ProxyEnv): Promise<ManyHosts> {
  const { hosts, hostsPerIngress } = env.args;
  const ingresses = Math.ceil(hosts / hostsPerIngress);
  env.say(`proxy: large table: creating ${hosts} hosts in ${ingresses} Ingresses (${hostsPerIngress} rules each) in namespace ${HOSTS_NS}`);
  const t0 = performance.now();
  await createManyHosts(env.cluster.client, { ns: HOSTS_NS, count: hosts, perIngress: hostsPerIngress, backend: env.backendSide.backend, say: env.say });
  const createSeconds = seconds(t0);
  const t1 = performance.now();
  const big = await startBollard(env, 'bollard-many-hosts', { namespaces: `${BENCH_NS},${HOSTS_NS}` });
  const readySeconds = seconds(t1);
  for (const i of [0, Math.floor(hosts / 2), hosts - 1]) {
    await preflight('bollard-many-hosts', { proto: 'http', host: manyHostName(i, HOSTS_NS), ip: LOCAL, port: big.httpPort, path: '/100b' }, 100);
  }
  env.say(`proxy: large table: created in ${createSeconds} s; a Bollard watching it was ready in ${readySeconds} s and serves its hosts`);
  return { hosts, hostsPerIngress, ingresses, createSeconds, readySeconds, contestant: await bollardContestant(`bollard-${hosts}-hosts`, big) };
}

async function startWorkers(env: ProxyEnv): Promise<Workers | Skipped> {
  if (!env.flags.has('workers')) return { skipped: 'Bollard has no --workers flag (src/main.ts controller --help)' };
  const cpusAllowed = env.plan.proxyScaled;
  const w2 = await startBollard(env, 'bollard-w2', { cpus: cpusAllowed, workers: 2 });
  const processesWithTwo = (await processTree(w2.pid)).length;
  if (processesWithTwo < 2) {
    await w2.stop();
    return { skipped: `Bollard accepts --workers but "--workers 2" ran ${processesWithTwo} process (no worker processes)` };
  }
  const common = { plan: env.plan, dir: env.dir, cpus: cpusAllowed, backend: env.backendSide.backend, cert: env.cluster.cert, cleanup: env.cleanup };
  const contestants = [
    await bollardContestant('bollard-w1', await startBollard(env, 'bollard-w1', { cpus: cpusAllowed, workers: 1 })),
    await bollardContestant('bollard-w2', w2),
    proxyContestant('nginx-w1', await startNginxProxy({ ...common, name: 'nginx-w1', workers: 1 })),
    proxyContestant('nginx-w2', await startNginxProxy({ ...common, name: 'nginx-w2', workers: 2 })),
  ];
  for (const c of contestants) await preflightBodies(c.name, 'http', LOCAL, c.targets.http?.port ?? 0);
  return { processesWithTwo, cpusAllowed, contestants };
}

async function startProfiled(env: ProxyEnv): Promise<Lineup['profiled']> {
  if (!env.args.profile) return { skipped: '--no-profile' };
  const dir = join(env.dir, 'cpu-prof');
  const bollard = await startBollard(env, 'bollard-profiled', { cpuProfDir: dir });
  return { bollard, contestant: await bollardContestant('bollard-profiled', bollard), dir };
}

export async function startLineup(env: ProxyEnv): Promise<Lineup> {
  const manyHosts = await attempt('large table set-up', env.say, () => startManyHosts(env));
  env.say('proxy: starting nginx, HAProxy, Caddy, Bollard and the reference relay on the proxy core');
  const { main, bollard } = await startMain(env);
  const profiled = await attempt('profiled Bollard start', env.say, () => startProfiled(env));
  const workers = await attempt('workers set-up', env.say, () => startWorkers(env));
  env.say(`proxy: lineup ready: ${main.map((c) => c.name).join(', ')}${'contestants' in workers ? `, ${workers.contestants.map((c) => c.name).join(', ')}` : ''}`);
  return { main, bollard, profiled, manyHosts, workers };
}
