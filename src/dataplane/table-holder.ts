// The one atomic reference through which the data plane reads the routing table. A request
// reads `current` once and keeps that value, so a swap never changes a request mid-flight.
import type { RoutingTable } from '../routing/types.ts';

export const emptyRoutingTable: RoutingTable = Object.freeze({
  hosts: new Map(),
  wildcards: new Map(),
  anyHost: undefined,
  defaultBackend: undefined,
  upstreams: new Map(),
  tls: { hosts: new Map(), wildcards: new Map() },
});

export class TableHolder {
  private table: RoutingTable = emptyRoutingTable;
  private gen = 0;
  private readonly listeners: ((table: RoutingTable, previous: RoutingTable) => void)[] = [];

  current(): RoutingTable {
    return this.table;
  }

  publish(table: RoutingTable): number {
    const previous = this.table;
    this.table = table;
    this.gen += 1;
    for (const l of this.listeners) l(table, previous);
    return this.gen;
  }

  onSwap(listener: (table: RoutingTable, previous: RoutingTable) => void): void {
    this.listeners.push(listener);
  }
}
