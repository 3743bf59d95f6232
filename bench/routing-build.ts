// Routing build: the cost of buildRoutingTable + tablesEqual after a one-Ingress change, without a
// cluster. A synthetic ClusterState (5,000 Ingresses with 1–3 paths, 500 Services with their
// EndpointSlices, 1,000 TLS Secrets), then 200 single-Ingress edits (change, add, delete, TLS on/off,
// annotation, conflicting claim), each followed by a build and the comparison with the published
// table, as the reconciler does. Run once with a fresh build every time ("cold", no cache) and once
// with one BuildCache ("warm"); same seed, same edits. Reports median/p99 milliseconds, bytes
// allocated per build (from GC-profiler accounting, so collections during a build don't hide any)
// and the heap retained. Goal: warm build + compare under 3 ms at 5,000 Ingresses.
// Writes bench/results/routing-build.json. Re-runs itself with --expose-gc when needed.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import type { IngressObject, IngressPath, SecretObject } from '../src/snapshot/model.ts';
import type { BuildOptions, RoutingTable } from '../src/routing/types.ts';
import { ClusterState } from '../src/snapshot/cluster-state.ts';
import { buildRoutingTable } from '../src/routing/build.ts';
import { createBuildCache } from '../src/routing/cache.ts';
import type { BuildCache } from '../src/routing/cache.ts';
import { tablesEqual } from '../src/routing/table-equal.ts';
import { median, percentile, round } from './lib/stats.ts';
import { writeResults } from './lib/results.ts';
import { seededRandom as seeded } from '../test/support/seeded-random.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const INGRESSES = 5000;
const NAMESPACES = 10;
const SERVICES_PER_NAMESPACE = 50;
const SECRETS_PER_NAMESPACE = 100;
const EDITS = 200;
const SEED = 20_260_101;
const CONTROLLER = 'bollard.io/ingress-controller';
const OPTIONS: BuildOptions = { controllerName: CONTROLLER };
const MiB = 2 ** 20;


interface World {
  readonly state: ClusterState;
  readonly rng: () => number;
  readonly names: string[];
  next: number;
}

const int = (rng: () => number, below: number): number => Math.floor(rng() * below);
const nsOf = (n: number): string => `ns-${n % NAMESPACES}`;
const pem = (what: string, bytes: number, n: number): Buffer =>
  Buffer.from(`-----BEGIN ${what}-----\n${Buffer.alloc(bytes, n % 251).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${what}-----\n`);

function secret(namespace: string, k: number): SecretObject {
  return {
    namespace, name: `tls-${k}`, type: 'kubernetes.io/tls',
    data: { 'tls.crt': pem('CERTIFICATE', 900, k), 'tls.key': pem('PRIVATE KEY', 1200, k) },
  };
}

function paths(rng: () => number, n: number): IngressPath[] {
  const service = { name: `svc-${n % SERVICES_PER_NAMESPACE}`, port: rng() < 0.8 ? { number: 80 } : { name: 'http' } };
  const count = 1 + int(rng, 3);
  return ['/', '/api', '/static'].slice(0, count).map((path, i) => ({
    path, pathType: i === 2 && rng() < 0.5 ? 'Exact' : 'Prefix', backend: { service },
  }));
}

/** Ingress n: host app-n.<ns>.example.com; 1 in 5 with TLS, 1 in 10 annotated, 1 in 100 conflicting or with a missing Secret. */
function ingress(rng: () => number, n: number, name = `ing-${n}`): IngressObject {
  const namespace = nsOf(n);
  const host = rng() < 0.01 && n > NAMESPACES ? `app-${n - NAMESPACES}.${namespace}.example.com` : `app-${n}.${namespace}.example.com`;
  const secretName = rng() < 0.01 ? 'missing' : `tls-${n % SECRETS_PER_NAMESPACE}`;
  return {
    namespace, name, uid: `uid-${name}-${int(rng, 1e9)}`, generation: 1,
    creationTimestamp: new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString(),
    annotations: rng() < 0.1 ? { 'bollard.io/load-balance': 'ewma' } : {},
    ingressClassName: 'bollard', rules: [{ host, paths: paths(rng, n) }],
    tls: rng() < 0.2 ? [{ hosts: [host], secretName }] : [], statusLoadBalancer: [],
  };
}

function makeWorld(): World {
  const rng = seeded(SEED);
  const state = new ClusterState();
  state.upsertIngressClass({ name: 'bollard', controller: CONTROLLER, isDefault: false });
  for (let ns = 0; ns < NAMESPACES; ns++) addNamespace(state, rng, `ns-${ns}`);
  const world: World = { state, rng, names: [], next: 0 };
  for (let n = 0; n < INGRESSES; n++) addIngress(world);
  return world;
}

function addNamespace(state: ClusterState, rng: () => number, namespace: string): void {
  for (let s = 0; s < SERVICES_PER_NAMESPACE; s++) {
    const name = `svc-${s}`;
    const appProtocol = s % 5 === 0 ? { appProtocol: 'kubernetes.io/h2c' } : {};
    state.upsertService({
      namespace, name, type: 'ClusterIP', externalIPs: [], statusLoadBalancer: [],
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, ...appProtocol }],
    });
    for (const part of ['a', 'b']) {
      const endpoints = Array.from({ length: 3 }, (_, e) => ({ addresses: [`10.${s}.${part === 'a' ? 0 : 1}.${e}`], ready: rng() < 0.95 }));
      state.upsertEndpointSlice({
        namespace, name: `${name}-${part}`, serviceName: name, addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], endpoints,
      });
    }
  }
  for (let k = 0; k < SECRETS_PER_NAMESPACE; k++) state.upsertSecret(secret(namespace, k));
}

function addIngress(world: World): void {
  const n = world.next++;
  world.state.upsertIngress(ingress(world.rng, n));
  world.names.push(`${nsOf(n)}/ing-${n}`);
}

function pickIngress(world: World): IngressObject {
  const key = world.names[int(world.rng, world.names.length)] ?? '';
  const [namespace = '', name = ''] = key.split('/');
  const found = world.state.lookupIngress(namespace, name);
  if (found === undefined) throw new Error(`bench: ${key} is gone`);
  return found;
}

type Edit = (world: World) => void;

const EDIT_KINDS: readonly (readonly [number, Edit])[] = [
  [0.35, (w) => { const i = pickIngress(w); w.state.upsertIngress({ ...i, generation: i.generation + 1, rules: i.rules.map((r) => ({ ...r, paths: paths(w.rng, int(w.rng, 1000)) })) }); }],
  [0.2, addIngress],
  [0.15, (w) => {
    const index = int(w.rng, w.names.length);
    const [key] = w.names.splice(index, 1);
    const [namespace = '', name = ''] = (key ?? '').split('/');
    w.state.removeIngress(namespace, name);
  }],
  [0.1, (w) => {
    const i = pickIngress(w);
    const host = i.rules[0]?.host ?? 'x.example.com';
    w.state.upsertIngress({ ...i, tls: i.tls.length > 0 ? [] : [{ hosts: [host], secretName: `tls-${int(w.rng, SECRETS_PER_NAMESPACE)}` }] });
  }],
  [0.1, (w) => { const i = pickIngress(w); w.state.upsertIngress({ ...i, annotations: { 'bollard.io/proxy-read-timeout': String(1 + int(w.rng, 120)) } }); }],
  [0.1, (w) => {
    const other = pickIngress(w);
    const n = w.next++;
    w.state.upsertIngress({ ...ingress(w.rng, n), namespace: other.namespace, rules: other.rules });
    w.names.push(`${other.namespace}/ing-${n}`);
  }],
];

function edit(world: World): void {
  let roll = world.rng();
  for (const [weight, apply] of EDIT_KINDS) {
    roll -= weight;
    if (roll < 0) {
      apply(world);
      return;
    }
  }
}

const heapUsed = (): number => v8.getHeapStatistics().used_heap_size;

function collect(): number {
  (globalThis.gc as () => void)();
  return heapUsed();
}

/** Bytes allocated between `before` and `after`, counting what every GC in between freed. */
function allocatedBytes(before: number, after: number, profile: ReturnType<v8.GCProfiler['stop']>): number {
  let total = 0;
  let last = before;
  for (const gc of profile.statistics) {
    total += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - last);
    last = gc.afterGC.heapStatistics.usedHeapSize;
  }
  return total + Math.max(0, after - last);
}

interface Sample {
  readonly snapshotMs: number;
  readonly buildMs: number;
  /** CPU time of the process (all threads, GC helpers included) during the build: steadier than wall time on a busy machine. */
  readonly cpuMs: number;
  readonly allocated: number;
  readonly published: boolean;
}

function measureEdit(world: World, cache: BuildCache | undefined, published: RoutingTable): { sample: Sample; table: RoutingTable } {
  edit(world);
  const t0 = performance.now();
  world.state.ingresses();
  const snapshotMs = performance.now() - t0;
  const profiler = new v8.GCProfiler();
  profiler.start();
  const before = heapUsed();
  const cpu = process.cpuUsage();
  const t1 = performance.now();
  const result = buildRoutingTable(world.state, OPTIONS, cache);
  const changed = !tablesEqual(result.table, published);
  const buildMs = performance.now() - t1;
  const { user, system } = process.cpuUsage(cpu);
  const after = heapUsed();
  const allocated = allocatedBytes(before, after, profiler.stop());
  const sample = { snapshotMs, buildMs, cpuMs: (user + system) / 1000, allocated, published: changed };
  return { sample, table: changed ? result.table : published };
}

function timed<T>(run: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = run();
  return { value, ms: performance.now() - started };
}

function runPhase(mode: 'cold' | 'warm') {
  const world = makeWorld();
  world.state.ingresses();
  const stateBytes = collect();
  const cache = mode === 'warm' ? createBuildCache() : undefined;
  const first = timed(() => buildRoutingTable(world.state, OPTIONS, cache));
  const noChange = timed(() => tablesEqual(buildRoutingTable(world.state, OPTIONS, cache).table, first.value.table));
  const afterFirst = collect();
  let published = first.value.table;
  const samples: Sample[] = [];
  for (let i = 0; i < EDITS; i++) {
    const { sample, table } = measureEdit(world, cache, published);
    samples.push(sample);
    published = table;
  }
  const afterEdits = collect();
  const result = buildRoutingTable(world.state, OPTIONS, cache);
  return {
    world: describeWorld(world, result.table, result.diagnostics.length),
    firstBuildMs: round(first.ms), noChangeMs: round(noChange.ms),
    samples, stateMiB: stateBytes / MiB, retainedMiB: (afterFirst - stateBytes) / MiB, growthMiB: (afterEdits - afterFirst) / MiB,
  };
}

function describeWorld(world: World, table: RoutingTable, diagnostics: number) {
  const ingresses = world.state.ingresses();
  const paths = ingresses.reduce((sum, i) => sum + i.rules.reduce((s, r) => s + r.paths.length, 0), 0);
  return {
    ingresses: ingresses.length, paths, services: NAMESPACES * SERVICES_PER_NAMESPACE,
    endpointSlices: NAMESPACES * SERVICES_PER_NAMESPACE * 2, secrets: NAMESPACES * SECRETS_PER_NAMESPACE,
    tlsIngresses: ingresses.filter((i) => i.tls.length > 0).length,
    hosts: table.hosts.size, upstreams: table.upstreams.size, tlsHosts: table.tls.hosts.size, diagnostics,
  };
}

function summarise(phase: ReturnType<typeof runPhase>) {
  const build = phase.samples.map((s) => s.buildMs);
  const cpu = phase.samples.map((s) => s.cpuMs);
  const allocated = phase.samples.map((s) => s.allocated / 1024);
  return {
    medianMs: round(median(build)), p99Ms: round(percentile(build, 99)), maxMs: round(Math.max(...build)),
    cpuMs: { median: round(median(cpu)), p99: round(percentile(cpu, 99)) },
    allocatedKiB: { median: round(median(allocated), 1), p99: round(percentile(allocated, 99), 1) },
    firstBuildMs: phase.firstBuildMs, noChangeBuildMs: phase.noChangeMs,
    published: phase.samples.filter((s) => s.published).length,
    heap: { snapshotMiB: round(phase.stateMiB, 1), retainedAfterFirstBuildMiB: round(phase.retainedMiB, 1), growthOverEditsMiB: round(phase.growthMiB, 1) },
  };
}

async function main(): Promise<void> {
  say(`routing-build: ${INGRESSES} Ingresses, ${EDITS} single-Ingress edits, build + tablesEqual after each`);
  const coldPhase = runPhase('cold');
  const cold = summarise(coldPhase);
  say(`  cold (no cache): median ${cold.medianMs} ms, p99 ${cold.p99Ms} ms (CPU median ${cold.cpuMs.median} ms, p99 ${cold.cpuMs.p99} ms), allocated median ${round(cold.allocatedKiB.median / 1024, 1)} MiB per build`);
  const warmPhase = runPhase('warm');
  const warm = summarise(warmPhase);
  say(`  warm (BuildCache): median ${warm.medianMs} ms, p99 ${warm.p99Ms} ms (CPU median ${warm.cpuMs.median} ms, p99 ${warm.cpuMs.p99} ms), allocated median ${warm.allocatedKiB.median} KiB per build; first build ${warm.firstBuildMs} ms, unchanged rebuild ${warm.noChangeBuildMs} ms`);
  const snapshotMs = warmPhase.samples.map((s) => s.snapshotMs);
  const snapshotSort = { medianMs: round(median(snapshotMs)), p99Ms: round(percentile(snapshotMs, 99)) };
  say(`  ClusterState re-sorting its Ingress list after an Ingress change (before the build, not in the figures above): median ${snapshotSort.medianMs} ms, p99 ${snapshotSort.p99Ms} ms`);
  say(`  heap: snapshot ${warm.heap.snapshotMiB} MiB; retained by the cache and table ${warm.heap.retainedAfterFirstBuildMiB} MiB (table alone, cold: ${cold.heap.retainedAfterFirstBuildMiB} MiB); growth over the edits ${warm.heap.growthOverEditsMiB} MiB warm, ${cold.heap.growthOverEditsMiB} MiB cold`);
  const file = await writeResults('routing-build', {
    goal: { warmBuildAndCompareMs: 3 }, world: warmPhase.world, edits: EDITS, cold, warm, snapshotSort,
  });
  say(`routing build + compare at ${INGRESSES} Ingresses: warm p99 ${warm.p99Ms} ms (cold p99 ${cold.p99Ms} ms)`);
  say(`wrote ${file}`);
}

if (typeof globalThis.gc === 'function') {
  main().catch((err: unknown) => {
    process.stderr.write(`bench/routing-build: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
} else {
  const run = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
}
