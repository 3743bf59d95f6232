import { describe, expect, it } from '@jest/globals';
import { deserialize, serialize } from 'node:v8';
import { buildRoutingTable } from '../routing/build.ts';
import { createBuildCache } from '../routing/cache.ts';
import { tablesEqual } from '../routing/table-equal.ts';
import type { RoutingTable } from '../routing/types.ts';
import { Draw, cluster, edit, options } from '../../test/support/routing/build-cache.ts';
import { GATEWAY_CONTROLLER, gateway, gatewayClass, httpListener, httpRoute, service, upsertInto, world } from '../../test/support/routing/gateway-world.ts';
import { applyTableDelta, tableDelta } from './table-delta.ts';

/** What a worker holds: the table as the IPC channel delivered it (a structured clone, no shared objects). */
const delivered = (table: RoutingTable): RoutingTable => deserialize(serialize(table)) as RoutingTable;

describe('table deltas', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('rebuild the next table from the delivered one after every random Ingress edit (seed %i)', (seed) => {
    const d = new Draw(seed);
    const state = cluster(d, 12);
    const cache = createBuildCache();
    const buildOptions = options(d);
    let before = buildRoutingTable(state, buildOptions, cache).table;
    let held = delivered(before);
    let deltas = 0;
    for (let step = 0; step < 40; step++) {
      edit(d, state);
      const after = buildRoutingTable(state, buildOptions, cache).table;
      const delta = tableDelta(before, after);
      held = delta === undefined ? delivered(after) : applyTableDelta(held, deserialize(serialize(delta)) as typeof delta);
      if (delta !== undefined) deltas += 1;
      expect({ step, equal: tablesEqual(held, after) }).toEqual({ step, equal: true });
      before = after;
    }
    expect(deltas).toBeGreaterThan(0);
  });

  it('sends one route\'s change at 1,000 HTTPRoutes as a few entries, not the table', () => {
    const routes = Array.from({ length: 1000 }, (_, i) => httpRoute('app', `r${String(i)}`, {
      parentRefs: [{ name: 'edge' }], hostnames: [`r${String(i)}.test`], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }],
    }));
    const state = world([gatewayClass(), gateway('app', 'edge', [httpListener()]), ...service('app', 'web', 80, ['10.0.0.1']), ...routes]);
    const buildOptions = { controllerName: 'bollard.io/ingress-controller', gatewayControllerName: GATEWAY_CONTROLLER };
    const cache = createBuildCache();
    const before = buildRoutingTable(state, buildOptions, cache).table;
    upsertInto(state, httpRoute('app', 'new', { parentRefs: [{ name: 'edge' }], hostnames: ['new.test'], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }));
    const after = buildRoutingTable(state, buildOptions, cache).table;
    const delta = tableDelta(before, after);
    expect(delta?.hosts.set.map(([host]) => host)).toEqual(['new.test']);
    expect(delta?.hosts.removed).toEqual([]);
    expect(serialize(delta).length * 50).toBeLessThan(serialize(after).length);
    expect(tablesEqual(applyTableDelta(delivered(before), delta as NonNullable<typeof delta>), after)).toBe(true);
  });

  it('gives up on a table that mostly changed: it goes whole', () => {
    const state = world([gatewayClass(), gateway('app', 'edge', [httpListener()]), ...service('app', 'web', 80, ['10.0.0.1'])]);
    const buildOptions = { controllerName: 'bollard.io/ingress-controller', gatewayControllerName: GATEWAY_CONTROLLER };
    const before = buildRoutingTable(state, buildOptions).table;
    upsertInto(state, httpRoute('app', 'a', { parentRefs: [{ name: 'edge' }], hostnames: ['a.test'], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }));
    expect(tableDelta(before, buildRoutingTable(state, buildOptions).table)).toBeUndefined();
  });
});
