// The per-request path: read the current table once, match, pick an endpoint, stream the
// request and response through an undici pool. Everything else was done when the table was built.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, type Pool } from 'undici';
import { matchRoute, normalizeHost } from '../routing/match.ts';
import type { Endpoint, Route } from '../routing/types.ts';
import { buildClientHeaders, buildUpstreamHeaders } from './forward-headers.ts';
import { normalizeRequestTarget, type RequestTarget } from './request-path.ts';
import type { TableHolder } from './table-holder.ts';
import type { UpstreamPools } from './upstream-pools.ts';

export interface RequestRecord {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly status: number;
  readonly route: Route | undefined;
  readonly upstream: string | undefined;
  readonly errorKind: string | undefined;
  readonly startedAt: number;
}

export interface ProxyDeps {
  readonly tables: TableHolder;
  readonly pools: UpstreamPools;
  readonly proto: 'http' | 'https';
  readonly onDone: (record: RequestRecord) => void;
}

export function createProxyHandler(deps: ProxyDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const startedAt = performance.now();
    const table = deps.tables.current();
    const host = normalizeHost(req.headers.host ?? '');
    const target = normalizeRequestTarget(req.url ?? '');
    const base = { method: req.method ?? 'GET', host: host ?? '', path: target?.path ?? '', startedAt, upstream: undefined, errorKind: undefined };
    if (host === undefined || target === undefined) {
      reply(res, 400, 'bad request');
      deps.onDone({ ...base, status: 400, route: undefined });
      return;
    }
    const route = matchRoute(table, host, target.path);
    if (route === undefined) {
      reply(res, 404, 'no route');
      deps.onDone({ ...base, status: 404, route });
      return;
    }
    const picked = deps.pools.pick(route.upstream);
    if (picked === undefined) {
      reply(res, 503, 'no ready endpoints');
      deps.onDone({ ...base, status: 503, route });
      return;
    }
    forward(deps, req, res, { ...base, route, host, target, ...picked });
  };
}

interface Forwarding {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly startedAt: number;
  readonly route: Route;
  readonly target: RequestTarget;
  readonly endpoint: Endpoint;
  readonly pool: Pool;
}

function forward(deps: ProxyDeps, req: IncomingMessage, res: ServerResponse, f: Forwarding): void {
  const upstream = `${f.endpoint.host}:${f.endpoint.port}`;
  const record = { method: f.method, host: f.host, path: f.path, startedAt: f.startedAt, route: f.route, upstream };
  const abort = new AbortController();
  res.on('close', () => { if (!res.writableFinished) abort.abort(); });
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  const headers = buildUpstreamHeaders(req.headers, {
    clientIp: req.socket.remoteAddress ?? '', proto: deps.proto, host: req.headers.host ?? f.host,
  });
  f.pool
    .stream(
      { path: f.target.path + f.target.query, method: f.method, headers, body: hasBody ? req : null, signal: abort.signal },
      ({ statusCode, headers: upstreamHeaders }) => {
        res.writeHead(statusCode, buildClientHeaders(upstreamHeaders));
        return res;
      },
    )
    .then(() => {
      deps.onDone({ ...record, status: res.statusCode, errorKind: undefined });
    })
    .catch((err: unknown) => {
      const { status, kind } = classify(err);
      if (!res.headersSent) reply(res, status, kind === 'timeout' ? 'upstream timed out' : 'upstream unavailable');
      else res.destroy();
      deps.onDone({ ...record, status, errorKind: kind });
    });
}

function classify(err: unknown): { status: number; kind: string } {
  if (err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError) return { status: 504, kind: 'timeout' };
  if (err instanceof errors.ConnectTimeoutError) return { status: 504, kind: 'connect_timeout' };
  if (err instanceof errors.RequestAbortedError) return { status: 499, kind: 'client_abort' };
  const code = (err as { code?: unknown }).code;
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { status: 502, kind: 'connect' };
  return { status: 502, kind: 'reset' };
}

function reply(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) return;
  const body = `${text}\n`;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
