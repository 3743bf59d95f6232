// List + watch of one resource, kept alive for the life of the process: the initial list
// replaces the sink's contents, watch events update it, a 410 Gone (or an ERROR event) relists,
// any other failure re-watches after a capped exponential back-off. The API client's watch
// aborts after 30 s without data, which is our watchdog for a silently dead connection.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger.ts';
import { KubeApiError, type Json, type KubeClient, type WatchEvent } from './client.ts';

export interface InformerSink {
  replace(items: readonly Json[]): void;
  upsert(item: Json): void;
  remove(item: Json): void;
}

export interface InformerOptions {
  readonly client: KubeClient;
  /** Collection path, e.g. /apis/networking.k8s.io/v1/ingresses or .../namespaces/x/ingresses. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly sink: InformerSink;
  readonly log: Logger;
  /** Called once, after the first complete list has reached the sink. */
  readonly onSynced: () => void;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

class ResourceExpired extends Error {
  readonly code = 'ERR_BOLLARD_WATCH_EXPIRED';
}

const PAGE_SIZE = '500';

export async function runInformer(opts: InformerOptions, signal: AbortSignal): Promise<void> {
  const { initialMs, maxMs } = opts.backoff ?? { initialMs: 250, maxMs: 30_000 };
  const wait = opts.wait ?? defaultWait;
  let synced = false;
  let failures = 0;
  let resourceVersion: string | undefined;
  const listOnce = async (): Promise<string> => {
    const rv = await listInto(opts);
    if (!synced) { synced = true; opts.onSynced(); }
    return rv;
  };
  while (!isAborted(signal)) {
    try {
      resourceVersion ??= await listOnce();
      resourceVersion = await watchFrom(opts, resourceVersion, signal);
      failures = 0;
    } catch (err: unknown) {
      const next = afterFailure(err, signal);
      if (next === 'stop') break;
      if (next === 'relist') {
        opts.log.info('watch expired, relisting', { path: opts.path });
        resourceVersion = undefined;
      } else if (next === 'backoff') {
        failures += 1;
        const delayMs = Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 16));
        opts.log.warn('list/watch failed, retrying', { path: opts.path, err, delayMs });
        await wait(delayMs, signal);
      }
    }
  }
}

function afterFailure(err: unknown, signal: AbortSignal): 'stop' | 'relist' | 'rewatch' | 'backoff' {
  if (isAborted(signal)) return 'stop';
  if (err instanceof ResourceExpired || (err instanceof KubeApiError && err.status === 410)) return 'relist';
  return isTimeout(err) ? 'rewatch' : 'backoff';
}

/** A function, so the compiler does not narrow a flag that an event can flip. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

async function listInto(opts: InformerOptions): Promise<string> {
  const items: Json[] = [];
  let token: string | undefined;
  let resourceVersion = '';
  do {
    const query = new URLSearchParams({ ...opts.query, limit: PAGE_SIZE, ...(token ? { continue: token } : {}) });
    const page = await opts.client.request('GET', `${opts.path}?${query.toString()}`);
    const pageItems = Array.isArray(page.items) ? (page.items as Json[]) : [];
    items.push(...pageItems);
    const meta = (page.metadata ?? {}) as { continue?: string; resourceVersion?: string };
    token = meta.continue === '' ? undefined : meta.continue;
    resourceVersion = meta.resourceVersion ?? resourceVersion;
  } while (token !== undefined);
  opts.sink.replace(items);
  return resourceVersion;
}

/** Watches until the server ends the stream; returns the last resourceVersion seen. */
async function watchFrom(opts: InformerOptions, from: string, outer: AbortSignal): Promise<string> {
  let resourceVersion = from;
  let expired = false;
  const isExpired = (): boolean => expired;
  const inner = new AbortController();
  const stop = (): void => { inner.abort(); };
  outer.addEventListener('abort', stop, { once: true });
  const onEvent = (e: WatchEvent): void => {
    if (e.type === 'ERROR') {
      expired = true;
      inner.abort();
      return;
    }
    const rv = (e.object.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
    if (rv !== undefined) resourceVersion = rv;
    if (e.type === 'ADDED' || e.type === 'MODIFIED') opts.sink.upsert(e.object);
    else if (e.type === 'DELETED') opts.sink.remove(e.object);
  };
  try {
    const timeoutSeconds = String(240 + Math.floor(Math.random() * 120));
    await opts.client.watch(opts.path, { ...opts.query, resourceVersion, timeoutSeconds }, onEvent, inner.signal);
  } finally {
    outer.removeEventListener('abort', stop);
  }
  if (isExpired()) throw new ResourceExpired('watch returned an ERROR event');
  return resourceVersion;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

async function defaultWait(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}
