import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '../log/logger.ts';
import { KubeApiError, type Json, type KubeClient, type WatchEvent } from './client.ts';
import { runInformer } from './informer.ts';

const obj = (name: string, rv: string): Json => ({ metadata: { namespace: 'ns', name, resourceVersion: rv } });

/** A scripted API: each list answers the next page set, each watch plays the next script. */
function scriptedClient(lists: Json[][], watches: ((emit: (e: WatchEvent) => void) => Promise<void>)[]) {
  const calls: string[] = [];
  const client: KubeClient = {
    request: (_m, path) => {
      calls.push(`list ${path}`);
      const items = lists.shift();
      if (!items) return Promise.reject(new KubeApiError(500, 'InternalError', 'no more lists'));
      return Promise.resolve({ items, metadata: { resourceVersion: String(100 + lists.length) } });
    },
    watch: async (_path, query, onEvent) => {
      calls.push(`watch rv=${query.resourceVersion ?? ''}`);
      const script = watches.shift();
      if (!script) throw new KubeApiError(500, 'InternalError', 'no more watches');
      await script(onEvent);
    },
  };
  return { client, calls };
}

describe('runInformer', () => {
  it('lists, applies watch events, relists after an ERROR (410) event, and syncs once', async () => {
    const ctrl = new AbortController();
    const seen: string[] = [];
    let syncs = 0;
    const { client, calls } = scriptedClient(
      [[obj('a', '1')], [obj('b', '5')]],
      [
        (emit) => { emit({ type: 'ADDED', object: obj('c', '2') }); emit({ type: 'DELETED', object: obj('a', '3') }); return Promise.resolve(); },
        (emit) => { emit({ type: 'ERROR', object: { code: 410 } }); return Promise.resolve(); },
        () => { ctrl.abort(); return Promise.resolve(); },
      ],
    );
    await runInformer({
      client, path: '/apis/x/v1/things', log: silentLogger, onSynced: () => { syncs += 1; },
      sink: {
        replace: (items) => { seen.push(`replace ${items.map((i) => (i.metadata as { name: string }).name).join(',')}`); },
        upsert: (i) => { seen.push(`upsert ${(i.metadata as { name: string }).name}`); },
        remove: (i) => { seen.push(`remove ${(i.metadata as { name: string }).name}`); },
      },
    }, ctrl.signal);
    expect(seen).toEqual(['replace a', 'upsert c', 'remove a', 'replace b']);
    expect(syncs).toBe(1);
    expect(calls.filter((c) => c.startsWith('watch'))).toEqual(['watch rv=101', 'watch rv=3', 'watch rv=100']);
  });

  it('backs off exponentially after failures and resumes from the last resourceVersion', async () => {
    const ctrl = new AbortController();
    const waits: number[] = [];
    const { client, calls } = scriptedClient([[obj('a', '1')]], [
      () => Promise.reject(new Error('connection reset')),
      () => Promise.reject(new Error('connection reset')),
      () => { ctrl.abort(); return Promise.resolve(); },
    ]);
    await runInformer({
      client, path: '/p', log: silentLogger, onSynced: () => undefined, backoff: { initialMs: 100, maxMs: 1000 },
      wait: (ms) => { waits.push(ms); return Promise.resolve(); },
      sink: { replace: () => undefined, upsert: () => undefined, remove: () => undefined },
    }, ctrl.signal);
    expect(waits).toEqual([100, 200]);
    expect(calls).toEqual(['list /p?limit=500', 'watch rv=100', 'watch rv=100', 'watch rv=100']);
  });
});
