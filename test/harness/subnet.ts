// Chooses a private /24 (10.213.X.0/24) that overlaps no address or route on the host, so the
// backend network never shadows a real one, nor another harness's backend network.
import { ip } from './ip.ts';

interface Cidr {
  readonly base: number;
  readonly bits: number;
}

function toInt(dotted: string): number | undefined {
  const parts = dotted.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

function parseCidr(text: string): Cidr | undefined {
  const [addr = '', bits = '32'] = text.split('/');
  const base = toInt(addr);
  return base === undefined ? undefined : { base, bits: Number(bits) };
}

function overlaps(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a.bits, b.bits);
  const size = 2 ** (32 - bits);
  return Math.floor(a.base / size) === Math.floor(b.base / size);
}

/** Every IPv4 prefix in use on the host: interface addresses and routes of every table. */
export async function usedPrefixes(): Promise<Cidr[]> {
  const [addrs, routes] = await Promise.all([ip(['-o', '-4', 'addr', 'show']), ip(['-4', 'route', 'show', 'table', 'all'])]);
  const found = [...addrs.matchAll(/\binet (\d+\.\d+\.\d+\.\d+\/\d+)/g)].map((m) => m[1] ?? '');
  // "10.0.0.0/8 dev eth0 …", "local 10.213.7.1 dev …", "broadcast …": the destination is the
  // first dotted quad, after an optional route type.
  const routed = routes.split('\n').map((line) => /^(?:[a-z]+ )?(\d+\.\d+\.\d+\.\d+(?:\/\d+)?)/.exec(line)?.[1] ?? '');
  return [...found, ...routed].map(parseCidr).filter((c): c is Cidr => c !== undefined && c.bits > 0);
}

export class NoFreeSubnetError extends Error {
  readonly code = 'NO_FREE_SUBNET';
}

/** The third octet X of a free 10.213.X.0/24, trying from `seed` upwards. */
export async function pickSubnet(seed: number): Promise<string> {
  const used = await usedPrefixes();
  for (let i = 0; i < 256; i++) {
    const octet = (seed + i) % 256;
    const candidate = { base: ((10 * 256 + 213) * 256 + octet) * 256, bits: 24 };
    if (!used.some((u) => overlaps(u, candidate))) return `10.213.${octet}`;
  }
  throw new NoFreeSubnetError('no free /24 in 10.213.0.0/16');
}
