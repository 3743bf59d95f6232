// What a session cookie holds. affinity-mode balanced writes a position on the session ring
// (8 hex digits, session-ring.ts); persistent writes the endpoint's hash (32 hex digits,
// endpoint-hash.ts). Both are read in either mode, so changing the mode, or an upgrade from a
// Bollard that wrote only hashes, keeps the sessions where they are; the answer rewrites the cookie
// in the route's own form.
export type SessionKey =
  | { readonly kind: 'position'; readonly position: number }
  | { readonly kind: 'endpoint'; readonly hash: string };

const POSITION = /^[0-9a-f]{8}$/;
const ENDPOINT_HASH = /^[0-9a-f]{32}$/;

/** The session key of a cookie value; undefined when it is neither form (the balancer then picks). */
export function parseSessionKey(value: string): SessionKey | undefined {
  if (POSITION.test(value)) return { kind: 'position', position: Number.parseInt(value, 16) };
  if (ENDPOINT_HASH.test(value)) return { kind: 'endpoint', hash: value };
  return undefined;
}

/** The cookie value of a ring position. */
export const formatPosition = (position: number): string => position.toString(16).padStart(8, '0');
