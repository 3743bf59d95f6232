// A narrow JSON client for the Kubernetes API: the rest of Bollard talks to the API server only
// through this interface, so unit tests can fake it and kube/ stays the one place that knows HTTP.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HttpMethod, KubeConfig, RequestContext, Watch } from '@kubernetes/client-node';
import { fetch, type Dispatcher } from 'undici';

export type Json = Record<string, unknown>;

export class KubeApiError extends Error {
  readonly code = 'ERR_BOLLARD_KUBE_API';
  readonly status: number;
  readonly reason: string;

  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

export interface WatchEvent {
  readonly type: string;
  readonly object: Json;
}

export interface KubeClient {
  /** PATCH sends a JSON merge patch. Rejects with KubeApiError for a non-2xx answer. */
  request(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: Json): Promise<Json>;
  /** Streams watch events until the server closes or `signal` aborts; resolves then, rejects on error. */
  watch(path: string, query: Readonly<Record<string, string>>, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<void>;
}

export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  if (path !== '') kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

const methods = { GET: HttpMethod.GET, POST: HttpMethod.POST, PUT: HttpMethod.PUT, PATCH: HttpMethod.PATCH, DELETE: HttpMethod.DELETE } as const;

/**
 * What the TLS connection to the API server depends on: the cluster's CA, server name and proxy,
 * the user's client certificate (files read again, as they may be rotated in place).
 */
function tlsIdentity(kc: KubeConfig): string {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  const material = (file: string | undefined, data: string | undefined): string =>
    file !== undefined && file !== '' ? readFileSync(file, 'latin1') : data ?? '';
  return createHash('sha256').update(JSON.stringify([
    cluster?.server, cluster?.skipTLSVerify, cluster?.tlsServerName, cluster?.proxyUrl,
    material(cluster?.caFile, cluster?.caData), material(user?.certFile, user?.certData), material(user?.keyFile, user?.keyData),
  ])).digest('hex');
}

/**
 * One dispatcher (a keep-alive connection pool) per TLS identity. client-node makes a new one for
 * every request, so each request would open its own TLS connection: thousands of handshakes for
 * a status backlog, on both sides.
 */
function dispatcherCache(kc: KubeConfig): (fresh: Dispatcher | undefined) => Dispatcher | undefined {
  let held: { readonly identity: string; readonly dispatcher: Dispatcher | undefined } | undefined;
  return (fresh) => {
    const identity = tlsIdentity(kc);
    if (held?.identity === identity) return held.dispatcher;
    const previous = held?.dispatcher;
    held = { identity, dispatcher: fresh };
    // Requests in flight on the old pool finish; it then closes.
    if (previous !== undefined) void previous.close().catch(() => undefined);
    return fresh;
  };
}

export function createKubeClient(kc: KubeConfig): KubeClient {
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined) throw new KubeApiError(0, 'NoCluster', 'kubeconfig has no current cluster');
  const watcher = new Watch(kc);
  const dispatcherFor = dispatcherCache(kc);

  return {
    async request(method, path, body) {
      const ctx = new RequestContext(server + path, methods[method]);
      // Headers (tokens, exec plugins) are worked out for every request; the connection pool is kept.
      await kc.applySecurityAuthentication(ctx);
      const headers: Record<string, string> = { ...ctx.getHeaders(), accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
      const dispatcher = dispatcherFor(ctx.getDispatcher());
      const res = await fetch(server + path, {
        method,
        headers,
        ...(dispatcher === undefined ? {} : { dispatcher }),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await res.json().catch(() => ({}))) as Json;
      if (!res.ok) {
        const reason = typeof json.reason === 'string' ? json.reason : res.statusText;
        const message = typeof json.message === 'string' ? json.message : `${method} ${path}: ${res.status}`;
        throw new KubeApiError(res.status, reason, message);
      }
      return json;
    },

    watch(path, query, onEvent, signal) {
      return new Promise<void>((resolve, reject) => {
        const done = (err: unknown): void => {
          if (err === null || err === undefined || signal.aborted) resolve();
          else reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
        };
        watcher
          .watch(path, { ...query, allowWatchBookmarks: true }, (type: string, object: Json) => {
            onEvent({ type, object });
          }, done)
          .then((controller) => {
            if (signal.aborted) controller.abort();
            else signal.addEventListener('abort', () => { controller.abort(); }, { once: true });
          })
          .catch(done);
      });
    },
  };
}
