// The opaque name of an endpoint in a session cookie: a hash of its address, the same on every
// replica (so any replica honours a cookie another set) and not the address itself.
import { createHash } from 'node:crypto';
import type { Endpoint } from '../../routing/types.ts';
import { endpointKey } from './endpoint-stats.ts';

const HEX_CHARS = 32;
const cache = new WeakMap<Endpoint, string>();

export function endpointHash(e: Endpoint): string {
  let h = cache.get(e);
  if (h === undefined) {
    h = createHash('sha256').update(`bollard-session ${endpointKey(e)}`).digest('hex').slice(0, HEX_CHARS);
    cache.set(e, h);
  }
  return h;
}
