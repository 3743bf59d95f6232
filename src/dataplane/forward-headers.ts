// Request and response header rewriting for proxying: hop-by-hop headers (RFC 9110 §7.6.1,
// plus any named in Connection) and HTTP/2 pseudo-headers are dropped; X-Forwarded-For/Proto/
// Host/Port, Forwarded and X-Request-Id are set. Incoming forwarding headers are kept (and
// extended) only when the peer is a trusted proxy; otherwise they are replaced.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization',
  'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings',
]);

const FORWARDING = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'forwarded']);

const NO_TOKENS: ReadonlySet<string> = new Set();

/** Header names listed in Connection; the common values name none and cost nothing. */
function connectionTokens(value: string | string[] | undefined): ReadonlySet<string> {
  if (value === undefined || value === 'keep-alive' || value === 'close' || value === 'Keep-Alive' || value === 'Close') return NO_TOKENS;
  const joined = Array.isArray(value) ? value.join(',') : value;
  return new Set(joined.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== ''));
}

export interface ForwardContext {
  readonly clientIp: string;
  readonly proto: 'http' | 'https';
  /** The Host (or :authority) the client sent. */
  readonly host: string;
  readonly port: number;
  readonly trusted: boolean;
  readonly via: boolean;
}

export interface UpstreamHeaders {
  readonly headers: Record<string, string | string[]>;
  readonly requestId: string;
}

const joinValue = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(', ') : v);

export function buildUpstreamHeaders(incoming: IncomingHttpHeaders, ctx: ForwardContext): UpstreamHeaders {
  const out = copyEndToEnd(incoming, ctx.trusted);
  // gRPC needs "te: trailers" end to end; it is the one TE value HTTP/2 allows.
  if (incoming.te === 'trailers') out.te = 'trailers';
  out.host = ctx.host;
  setForwarding(out, incoming, ctx);
  const requestId = requestIdOf(incoming);
  out['x-request-id'] = requestId;
  if (ctx.via) out.via = appendVia(incoming.via);
  return { headers: out, requestId };
}

function copyEndToEnd(incoming: IncomingHttpHeaders, trusted: boolean): Record<string, string | string[]> {
  const named = connectionTokens(incoming.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || name.charCodeAt(0) === 58 /* ':' pseudo-header */) continue;
    if (HOP_BY_HOP.has(name) || named.has(name) || name === 'expect') continue;
    if (!trusted && FORWARDING.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** X-Forwarded-* and Forwarded: extended after a trusted proxy's, otherwise ours alone. */
function setForwarding(out: Record<string, string | string[]>, incoming: IncomingHttpHeaders, ctx: ForwardContext): void {
  const priorFor = ctx.trusted ? joinValue(incoming['x-forwarded-for']) : undefined;
  out['x-forwarded-for'] = priorFor ? `${priorFor}, ${ctx.clientIp}` : ctx.clientIp;
  out['x-forwarded-proto'] ??= ctx.proto;
  out['x-forwarded-host'] ??= ctx.host;
  out['x-forwarded-port'] ??= String(ctx.port);
  const forwardedFor = ctx.clientIp.includes(':') ? `"[${ctx.clientIp}]"` : ctx.clientIp;
  const element = `for=${forwardedFor};host="${ctx.host}";proto=${ctx.proto}`;
  const priorForwarded = ctx.trusted ? joinValue(incoming.forwarded) : undefined;
  out.forwarded = priorForwarded ? `${priorForwarded}, ${element}` : element;
}

/** The client's X-Request-ID when it is a sane one, else a new one. */
export function requestIdOf(incoming: IncomingHttpHeaders): string {
  const id = incoming['x-request-id'];
  return typeof id === 'string' && /^[\w.:-]{1,200}$/.test(id) ? id : randomUUID();
}

function appendVia(prior: string | string[] | undefined): string {
  const p = joinValue(prior);
  return p ? `${p}, 1.1 bollard` : '1.1 bollard';
}

export function buildClientHeaders(upstream: IncomingHttpHeaders, via: boolean): OutgoingHttpHeaders {
  const named = connectionTokens(upstream.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  if (via) out.via = appendVia(upstream.via);
  return out;
}
