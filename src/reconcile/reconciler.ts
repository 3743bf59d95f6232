// One pass of the loop: build the table from the snapshot, publish it when it differs,
// hand the diagnostics and the served set on. Called by the debouncer, never concurrently.
// The reconciler owns the routing BuildCache, so each build costs what changed since the last one
// and an unchanged table comes back as the same object (tablesEqual then returns at once).
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/registry.ts';
import { buildRoutingTable } from '../routing/build.ts';
import { createBuildCache } from '../routing/cache.ts';
import { givenAddresses } from '../routing/gateway/addresses.ts';
import { tablesEqual } from '../routing/table-equal.ts';
import type { BuildOptions, BuildResult, RoutingTable } from '../routing/types.ts';
import type { ClusterSnapshot } from '../snapshot/model.ts';

export interface TablePublisher {
  current(): RoutingTable;
  publish(table: RoutingTable): number;
}

export interface ReconcileDeps {
  readonly snapshot: ClusterSnapshot;
  readonly publisher: TablePublisher;
  readonly options: BuildOptions;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** After every build, published or not: diagnostics and status follow from it. */
  readonly onBuilt: (result: BuildResult) => Promise<void>;
}

export function createReconciler(deps: ReconcileDeps): () => Promise<void> {
  const cache = createBuildCache();
  /** The counts last written to the gauge (the build hands out a new map only when they change). */
  let reported: ReadonlyMap<string, number> | undefined;
  /** The Gateways' addresses of the last build: each keeps its own until its status shows it. */
  let given: ReadonlyMap<string, string> = new Map();
  return async () => {
    const started = performance.now();
    const result = buildRoutingTable(deps.snapshot, given.size === 0 ? deps.options : { ...deps.options, givenAddresses: given }, cache);
    given = givenAddresses(result.gatewayApi);
    const seconds = (performance.now() - started) / 1000;
    deps.metrics.tableBuildDuration.observe(seconds);
    if (!tablesEqual(result.table, deps.publisher.current())) {
      const generation = deps.publisher.publish(result.table);
      deps.metrics.tableGeneration.set(generation);
      deps.log.info('routing table published', {
        generation, buildSeconds: Number(seconds.toFixed(4)),
        served: result.served.length, hosts: result.table.hosts.size, upstreams: result.table.upstreams.size,
      });
    }
    deps.metrics.ingressesServed.set(result.served.length);
    if (result.unsupportedAnnotations !== reported) {
      reported = result.unsupportedAnnotations;
      deps.metrics.unsupportedAnnotations.reset();
      for (const [annotation, count] of reported) deps.metrics.unsupportedAnnotations.set({ annotation }, count);
    }
    try {
      await deps.onBuilt(result);
    } catch (err: unknown) {
      deps.log.error('post-build step failed', { err });
    }
  };
}
