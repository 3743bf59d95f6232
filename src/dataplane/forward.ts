// Sends one client request to an upstream endpoint through its undici dispatcher and relays the
// answer. An idempotent request without a body whose connection attempt fails is retried on
// another endpoint (at most `retries` more); every outcome feeds passive health.
import type { Readable } from 'node:stream';
import { errors } from 'undici';
import type { Endpoint, Route } from '../routing/types.ts';
import type { ClientResponse } from './client-response.ts';
import { buildClientHeaders } from './forward-headers.ts';
import type { DataPlaneOptions } from './options.ts';
import { RelayHandler, type RelayOutcome } from './relay-handler.ts';
import type { Balancer } from './upstream/balancer.ts';
import { endpointKey } from './upstream/endpoint-stats.ts';
import type { UpstreamPools } from './upstream/pools.ts';

export interface ForwardDeps {
  readonly pools: UpstreamPools;
  readonly balancer: Balancer;
  readonly options: DataPlaneOptions;
  readonly now: () => number;
  readonly onEject: (endpoint: string, upstream: string) => void;
}

export interface Outbound {
  readonly route: Route;
  readonly method: string;
  /** Path and query as sent upstream. */
  readonly path: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Readable | null;
}

export interface ForwardResult extends RelayOutcome {
  readonly endpoint: Endpoint | undefined;
  readonly attempts: number;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export function isConnectFailure(err: Error): boolean {
  if (err instanceof errors.ConnectTimeoutError) return true;
  const code = (err as { code?: unknown }).code;
  return code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH';
}

export function forward(deps: ForwardDeps, out: Outbound, res: ClientResponse, done: (r: ForwardResult) => void): void {
  const { route } = out;
  const retryable = out.body === null && IDEMPOTENT.has(out.method);
  const tried = new Set<string>();
  let current: RelayHandler | undefined;
  // Not `res.writableFinished`: node:http2's compatibility response reports it true when the
  // client resets the stream, which left the upstream request (and its connection) open.
  res.on('close', () => { current?.abort(new errors.RequestAbortedError()); });

  const attempt = (): void => {
    const endpoint = deps.balancer.pick(route.upstream, route.options.loadBalancing, tried);
    if (endpoint === undefined) {
      done({ status: tried.size === 0 ? 503 : 502, bytes: 0, started: false, endpoint, attempts: tried.size });
      return;
    }
    const key = endpointKey(endpoint);
    tried.add(key);
    const stats = deps.pools.stats(endpoint);
    stats.started();
    const startedAt = deps.now();
    current = new RelayHandler(res, (h) => buildClientHeaders(h, deps.options.via), (outcome) => {
      const failed = outcome.error !== undefined && !(outcome.error instanceof errors.RequestAbortedError);
      if (stats.finished(deps.now() - startedAt, !failed, deps.now(), deps.options)) {
        deps.pools.noteEjection(stats.ejectedUntil);
        deps.onEject(key, route.upstream.key);
      }
      const again = outcome.error !== undefined && !outcome.started && retryable && isConnectFailure(outcome.error) && tried.size <= deps.options.retries;
      if (again && !res.destroyed) attempt();
      else done({ ...outcome, endpoint, attempts: tried.size });
    });
    deps.pools.dispatcher(endpoint, route.options.backendProtocol).dispatch({
      path: out.path, method: out.method, headers: out.headers, body: out.body,
      headersTimeout: route.options.readTimeoutMs, bodyTimeout: route.options.readTimeoutMs,
    }, current);
  };
  attempt();
}
