// Which peers are trusted proxies (their X-Forwarded-* headers are kept and extended), and the
// client address they vouch for.
import { BlockList, isIP, isIPv6 } from 'node:net';
import { plainAddress } from '../routing/match.ts';
import type { ClientRequest } from './client-response.ts';

export type TrustCheck = (address: string) => boolean;

export function trustChecker(cidrs: readonly string[]): TrustCheck {
  if (cidrs.length === 0) return () => false;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net, bits] = cidr.split('/');
    const family = isIPv6(net ?? '') ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(net ?? '', family);
    else list.addSubnet(net ?? '', Number(bits), family);
  }
  return (address) => {
    const plain = plainAddress(address);
    return list.check(plain, isIPv6(plain) ? 'ipv6' : 'ipv4');
  };
}

/** The client's address for a request (access rules, the access log): clientAddress of its peer and X-Forwarded-For. */
export function clientOf(req: ClientRequest, trusted: TrustCheck): string {
  return clientAddress(req.socket?.remoteAddress ?? '', req.headers['x-forwarded-for'], trusted);
}

/**
 * The client's address for access rules: the peer's, unless the peer is a trusted proxy; then, as
 * nginx's real_ip with real_ip_recursive, the last X-Forwarded-For entry that is not a trusted proxy
 * (all trusted: the first). An entry that is no address is taken as it is, so it matches no range.
 */
export function clientAddress(peer: string, forwardedFor: string | string[] | undefined, trusted: TrustCheck): string {
  if (forwardedFor === undefined || !trusted(peer)) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  let address = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    address = (hops[i] ?? '').trim();
    if (!isIP(address) || !trusted(address)) return address;
  }
  return address;
}
