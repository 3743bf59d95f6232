// A request's consistent-hash key (nginx upstream-hash-by) as a position on a 32-bit ring: FNV-1a
// over the key's UTF-16 code units, then murmur3's finaliser so that keys differing in their last
// characters still land far apart. A fixed function: every replica sends one key to one endpoint.
import { mix32 } from './session-ring.ts';

/** Where a request's key leads (ConsistentHash): a ring position, and the subset size if any. */
export interface RequestHash {
  readonly position: number;
  readonly subsetSize: number | undefined;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function hashKeyPosition(key: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), FNV_PRIME);
  return mix32(h);
}
