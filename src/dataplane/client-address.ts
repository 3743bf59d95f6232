// Which peers are trusted proxies (their X-Forwarded-* headers are kept and extended).
import { BlockList, isIPv6 } from 'node:net';

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
    const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
    return list.check(plain, isIPv6(plain) ? 'ipv6' : 'ipv4');
  };
}
