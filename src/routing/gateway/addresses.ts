// Addresses of Gateways' own (--gateway-addresses): each Gateway of ours gets one address of the
// pool for itself, as a cloud load balancer gives each Gateway its own, so two Gateways can serve
// the same host and path differently.
//   - A Gateway that asks for an address (spec.addresses, type IPAddress with a value) gets it when
//     it is in the pool and no older Gateway asked for it first; otherwise it is not programmed
//     (AddressNotUsable). A type other than IPAddress is not accepted (UnsupportedAddress).
//   - The others (no spec.addresses, or an IPAddress without a value) keep the address their status
//     holds — or, while the informer has not yet brought that status back, the one the previous
//     build gave them — while it is in the pool and no older Gateway keeps it too; then they take
//     the first free one, oldest first. When the pool runs out, the youngest get none (and serve
//     nothing). Without the previous build's word a Gateway created in the same second as one whose
//     name sorts first (creationTimestamp has whole seconds) could lose its address to it before its
//     own status came back, while clients already dial the address that status announced.
import type { GatewayObject } from '../../snapshot/gateway-model.ts';
import { compareStrings } from '../compare.ts';
import type { GatewayApiReport } from './report.ts';

export type AddressAssignment =
  | { readonly address: string }
  | { readonly address?: undefined; readonly reason: 'UnsupportedAddress' | 'AddressNotUsable' | 'AddressNotAssigned'; readonly message: string };

const age = (g: GatewayObject): string => `${g.creationTimestamp}\n${g.namespace}\n${g.name}`;

/** namespace/name of a Gateway, the key of BuildOptions.givenAddresses. */
export const gatewayAddressKey = (g: { readonly namespace: string; readonly name: string }): string => `${g.namespace}/${g.name}`;

/**
 * @param given the address each Gateway got in the previous build (gatewayAddressKey → address),
 *   kept when its status shows none yet.
 */
export function assignAddresses(gateways: readonly GatewayObject[], pool: readonly string[], given: ReadonlyMap<string, string> = new Map()): Map<GatewayObject, AddressAssignment> {
  const oldestFirst = [...gateways].sort((a, b) => compareStrings(age(a), age(b)));
  const inPool = new Set(pool);
  const taken = new Set<string>();
  const out = new Map<GatewayObject, AddressAssignment>();
  for (const g of oldestFirst) {
    const asked = askedFor(g, inPool, taken);
    if (asked === undefined) continue;
    if (asked.address !== undefined) taken.add(asked.address);
    out.set(g, asked);
  }
  for (const g of oldestFirst) {
    if (out.has(g)) continue;
    const kept = heldAddresses(g, given).find((a) => inPool.has(a) && !taken.has(a));
    if (kept === undefined) continue;
    taken.add(kept);
    out.set(g, { address: kept });
  }
  const free = pool.filter((a) => !taken.has(a));
  for (const g of oldestFirst) {
    if (out.has(g)) continue;
    const address = free.shift();
    out.set(g, address === undefined
      ? { reason: 'AddressNotAssigned', message: 'every address of --gateway-addresses is taken by an older Gateway' }
      : { address });
  }
  return out;
}

/** The addresses a Gateway holds: its status's, or while that shows none, the one the previous build gave it. */
function heldAddresses(g: GatewayObject, given: ReadonlyMap<string, string>): readonly string[] {
  const previous = given.get(gatewayAddressKey(g));
  return g.statusAddresses.length > 0 || previous === undefined ? g.statusAddresses : [previous];
}

/** What spec.addresses asks for; undefined when it asks for no particular address. */
export function askedFor(g: GatewayObject, inPool: ReadonlySet<string>, taken: ReadonlySet<string>): AddressAssignment | undefined {
  const unsupported = g.specAddresses.find((a) => a.type !== 'IPAddress');
  if (unsupported !== undefined) return { reason: 'UnsupportedAddress', message: `address type "${unsupported.type}" is not supported: use IPAddress` };
  const values = [...new Set(g.specAddresses.map((a) => a.value).filter((v) => v !== ''))];
  if (values.length === 0) return undefined;
  const [value] = values as [string];
  if (values.length > 1) return { reason: 'AddressNotUsable', message: `Bollard gives a Gateway one address; ${String(values.length)} were asked for` };
  if (!inPool.has(value)) return { reason: 'AddressNotUsable', message: `${value} is not in --gateway-addresses` };
  if (taken.has(value)) return { reason: 'AddressNotUsable', message: `${value} is taken by an older Gateway` };
  return { address: value };
}

/** The addresses a build gave (BuildOptions.givenAddresses of the next build). */
export function givenAddresses(report: GatewayApiReport | undefined): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const g of report?.gateways ?? []) {
    const [address] = g.addresses ?? [];
    if (address !== undefined) out.set(gatewayAddressKey(g.ref), address);
  }
  return out;
}
