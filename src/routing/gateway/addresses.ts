// Addresses of Gateways' own (--gateway-addresses): each Gateway of ours gets one address of the
// pool for itself, as a cloud load balancer gives each Gateway its own, so two Gateways can serve
// the same host and path differently. A Gateway keeps the address its status holds while that
// address is in the pool and no older Gateway keeps it too; the others take the first free one,
// oldest first. When the pool runs out, the youngest Gateways get none (and serve nothing).
import type { GatewayObject } from '../../snapshot/gateway-model.ts';
import { compareStrings } from '../compare.ts';

const age = (g: GatewayObject): string => `${g.creationTimestamp}\n${g.namespace}\n${g.name}`;

export function assignAddresses(gateways: readonly GatewayObject[], pool: readonly string[]): Map<GatewayObject, string | undefined> {
  const oldestFirst = [...gateways].sort((a, b) => compareStrings(age(a), age(b)));
  const inPool = new Set(pool);
  const taken = new Set<string>();
  const out = new Map<GatewayObject, string | undefined>();
  for (const g of oldestFirst) {
    const kept = g.statusAddresses.find((a) => inPool.has(a) && !taken.has(a));
    if (kept === undefined) continue;
    taken.add(kept);
    out.set(g, kept);
  }
  const free = pool.filter((a) => !taken.has(a));
  for (const g of oldestFirst) {
    if (out.has(g)) continue;
    out.set(g, free.shift());
  }
  return out;
}
