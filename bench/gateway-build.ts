// Gateway API build: the cost of buildRoutingTable + tablesEqual after a one-object change, without a
// cluster, beside bench/routing-build.ts (Ingress). One Gateway, N HTTPRoutes (one hostname each,
// over 50 Services with their EndpointSlices), then 200 edits (a route added, changed or deleted,
// a Service's endpoints changed), each followed by a build and the comparison with the previous
// table, as the reconciler does. Run with a fresh build every time ("cold") and with one BuildCache
// ("warm", routes compiled once per object: src/routing/gateway/route-cache.ts); same edits.
// Prints median/p99 ms per size and writes bench/results/gateway-build.json.
import { buildRoutingTable } from '../src/routing/build.ts';
import { createBuildCache, type BuildCache } from '../src/routing/cache.ts';
import { tablesEqual } from '../src/routing/table-equal.ts';
import type { BuildOptions, RoutingTable } from '../src/routing/types.ts';
import type { ClusterState } from '../src/snapshot/cluster-state.ts';
import { seededRandom } from '../test/support/seeded-random.ts';
import { GATEWAY_CONTROLLER, gateway, gatewayClass, httpListener, httpRoute, service, upsertInto, world } from '../test/support/routing/gateway-world.ts';
import { median, percentile, round } from './lib/stats.ts';
import { writeResults } from './lib/results.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const SIZES = [1000, 5000];
const SERVICES = 50;
const EDITS = 200;
const SEED = 20_261_207;
const OPTIONS: BuildOptions = { controllerName: 'bollard.io/ingress-controller', gatewayControllerName: GATEWAY_CONTROLLER };

const route = (n: number, svc: number, path = '/') => httpRoute('bench', `r-${String(n)}`, {
  parentRefs: [{ name: 'edge' }], hostnames: [`r-${String(n)}.bench.test`],
  rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }], backendRefs: [{ name: `svc-${String(svc)}`, port: 80 }] }],
});

function makeWorld(size: number): ClusterState {
  const state = world([gatewayClass(), gateway('bench', 'edge', [httpListener()])]);
  for (let s = 0; s < SERVICES; s++) for (const raw of service('bench', `svc-${String(s)}`, 80, ['10.0.0.1'])) upsertInto(state, raw);
  for (let n = 0; n < size; n++) upsertInto(state, route(n, n % SERVICES));
  return state;
}

function edit(state: ClusterState, rng: () => number, size: number, next: { n: number }): void {
  const pick = Math.floor(rng() * size);
  const kind = Math.floor(rng() * 4);
  if (kind === 0) upsertInto(state, route(next.n++, pick % SERVICES));
  else if (kind === 1) upsertInto(state, route(pick, (pick + 1) % SERVICES, '/v2'));
  else if (kind === 2) state.gateways.removeRoute('HTTPRoute', 'bench', `r-${String(pick)}`);
  else for (const raw of service('bench', `svc-${String(pick % SERVICES)}`, 80, [`10.0.${String(pick % 250)}.${String(1 + Math.floor(rng() * 250))}`])) upsertInto(state, raw);
}

/** ms per edit (build + compare), with a fresh build each time or one cache throughout. */
function run(size: number, cache: BuildCache | undefined): number[] {
  const state = makeWorld(size);
  const rng = seededRandom(SEED);
  const next = { n: size };
  let previous: RoutingTable = buildRoutingTable(state, OPTIONS, cache).table;
  const times: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    edit(state, rng, size, next);
    const t0 = performance.now();
    const table = buildRoutingTable(state, OPTIONS, cache).table;
    tablesEqual(previous, table);
    times.push(performance.now() - t0);
    previous = table;
  }
  return times;
}

async function main(): Promise<void> {
  const results = [];
  for (const size of SIZES) {
    say(`gateway build: ${String(size)} HTTPRoutes, ${String(EDITS)} edits cold…`);
    const cold = run(size, undefined);
    say(`gateway build: ${String(size)} HTTPRoutes, ${String(EDITS)} edits warm…`);
    const warm = run(size, createBuildCache());
    const row = {
      httpRoutes: size,
      cold: { medianMs: round(median(cold)), p99Ms: round(percentile(cold, 99)) },
      warm: { medianMs: round(median(warm)), p99Ms: round(percentile(warm, 99)) },
    };
    say(`gateway build at ${String(size)} HTTPRoutes: cold median ${String(row.cold.medianMs)} ms p99 ${String(row.cold.p99Ms)} ms; warm median ${String(row.warm.medianMs)} ms p99 ${String(row.warm.p99Ms)} ms (cold/warm ${String(round(row.cold.medianMs / row.warm.medianMs))}x)`);
    results.push(row);
  }
  say(`wrote ${await writeResults('gateway-build', { edits: EDITS, services: SERVICES, results })}`);
}

await main();
