// Runs one informer per watched resource (per namespace when limited; plus the selected
// Namespaces with a selector) into ClusterState and calls onChange when something relevant
// changed. `synced` resolves after every first list.
import type { Logger } from '../log/logger.ts';
import type { ClusterState } from '../snapshot/cluster-state.ts';
import type { KubeClient } from './client.ts';
import { runInformer } from './informer.ts';
import { collectionPaths, watchedResourcesFor, type WatchedResource, type WatchScope } from './resources.ts';

export interface ClusterWatch {
  readonly synced: Promise<void>;
  readonly done: Promise<void>;
}

export function watchCluster(
  deps: { client: KubeClient; state: ClusterState; log: Logger; onChange: () => void },
  /** What to watch; a plain list is short for { namespaces: list }. */
  scopeOrNamespaces: WatchScope | readonly string[],
  signal: AbortSignal,
): ClusterWatch {
  const scope: WatchScope = 'namespaces' in scopeOrNamespaces ? scopeOrNamespaces : { namespaces: scopeOrNamespaces };
  const runs: Promise<void>[] = [];
  const syncs: Promise<void>[] = [];
  for (const r of watchedResourcesFor(scope)) {
    for (const path of collectionPaths(r, scope.namespaces)) {
      const { promise, resolve } = Promise.withResolvers<undefined>();
      syncs.push(promise);
      runs.push(runInformer({
        client: deps.client, path, log: deps.log, onSynced: () => { resolve(undefined); },
        ...(r.query ? { query: r.query } : {}),
        sink: sinkFor(r, path, deps),
      }, signal));
    }
  }
  return { synced: Promise.all(syncs).then(() => undefined), done: Promise.all(runs).then(() => undefined) };
}

function sinkFor(r: WatchedResource, path: string, deps: { state: ClusterState; onChange: () => void }) {
  const { state, onChange } = deps;
  const notify = (changed: boolean): void => { if (changed) onChange(); };
  // With per-namespace paths, a relist must only remove keys of its own namespace.
  const nsPrefix = /\/namespaces\/([^/]+)\//.exec(path)?.[1];
  const ownKeys = (): readonly string[] =>
    state.keys(r.kind).filter((k) => nsPrefix === undefined || k.startsWith(`${nsPrefix}/`));
  return {
    replace: (items: readonly Record<string, unknown>[]) => {
      notify(state.replaceAll(items, ownKeys, r.keyOf, (raw) => r.upsert(state, raw), (key) => r.remove(state, key)));
    },
    upsert: (raw: Record<string, unknown>) => { notify(r.upsert(state, raw)); },
    remove: (raw: Record<string, unknown>) => { notify(r.remove(state, r.keyOf(raw))); },
  };
}
