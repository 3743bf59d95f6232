import { describe, expect, it } from '@jest/globals';
import { emptyRoutingTable } from '../dataplane/table-holder.ts';
import { silentLogger } from '../log/logger.ts';
import { createMetrics } from '../metrics/registry.ts';
import type { BuildResult, RoutingTable } from '../routing/types.ts';
import { gateway, gatewayClass, GATEWAY_CONTROLLER, httpListener, upsertInto, world } from '../../test/support/routing/gateway-world.ts';
import { createReconciler } from './reconciler.ts';

describe('reconciler', () => {
  it('passes each build the addresses the last one gave, so a Gateway keeps its own before its status comes back', async () => {
    // Both Gateways are created in the same second (the world's default creationTimestamp), and
    // neither has a status yet: the informer has not brought back what the leader wrote.
    const state = world([gatewayClass(), gateway('infra', 'zz-first', [httpListener()])]);
    let table: RoutingTable = emptyRoutingTable;
    const built: BuildResult[] = [];
    const reconcile = createReconciler({
      snapshot: state,
      publisher: { current: () => table, publish: (next) => { table = next; return built.length; } },
      options: { controllerName: 'bollard.io/ingress-controller', gatewayControllerName: GATEWAY_CONTROLLER, gatewayAddresses: ['192.0.2.1', '192.0.2.2'] },
      log: silentLogger,
      metrics: createMetrics({ processMetrics: false }),
      onBuilt: (result) => { built.push(result); return Promise.resolve(); },
    });
    const addresses = (): Record<string, readonly string[] | undefined> =>
      Object.fromEntries((built.at(-1)?.gatewayApi?.gateways ?? []).map((g) => [g.ref.name, g.addresses]));

    await reconcile();
    expect(addresses()).toEqual({ 'zz-first': ['192.0.2.1'] });
    upsertInto(state, gateway('infra', 'aa-second', [httpListener()]));
    await reconcile();
    expect(addresses()).toEqual({ 'zz-first': ['192.0.2.1'], 'aa-second': ['192.0.2.2'] });
  });
});
