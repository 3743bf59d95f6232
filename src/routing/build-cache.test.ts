import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import type { BuildOptions, BuildResult } from './types.ts';
import type { ClusterSnapshot } from '../snapshot/model.ts';
import { ClusterState } from '../snapshot/cluster-state.ts';
import { buildRoutingTable } from './build.ts';
import { createBuildCache } from './cache.ts';
import { tablesEqual } from './table-equal.ts';
import { fixtureObjects, fixtureOptions, loadFixture, memorySnapshot } from '../../test/support/routing/fixture-snapshot.ts';
import { CONTROLLER, Draw, cluster, deepCopy, edit, ingress, options } from '../../test/support/routing/build-cache.ts';

/** Maps become entry lists, so two serialisations are equal only when iteration order is too. */
function serialise(result: BuildResult): string {
  return JSON.stringify(result, (_key, v: unknown) => (v instanceof Map ? [...(v as Map<unknown, unknown>)] : v));
}

function expectSameAsFresh(warm: BuildResult, snapshot: ClusterSnapshot, buildOptions: BuildOptions, where: string): void {
  const fresh = buildRoutingTable(snapshot, buildOptions);
  expect({ where, result: serialise(warm) }).toEqual({ where, result: serialise(fresh) });
  expect(tablesEqual(warm.table, fresh.table)).toBe(true);
}

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);
const STEPS = 60;

describe('buildRoutingTable with a BuildCache', () => {
  it.each(SEEDS)('gives what a fresh build gives after every random edit (seed %i)', (seed) => {
    const d = new Draw(seed);
    const state = cluster(d, 12);
    const cache = createBuildCache();
    let buildOptions = options(d);
    for (let step = 0; step < STEPS; step++) {
      const edits = 1 + d.int(3);
      for (let i = 0; i < edits; i++) edit(d, state);
      if (d.chance(0.05)) buildOptions = options(d);
      expectSameAsFresh(buildRoutingTable(state, buildOptions, cache), state, buildOptions, `seed ${seed} step ${step}`);
    }
  });

  it('gives the same table object, and equal parts as the same objects, when nothing changed', () => {
    for (const seed of SEEDS.slice(0, 10)) {
      const d = new Draw(seed);
      const state = cluster(d, 15);
      const cache = createBuildCache();
      const first = buildRoutingTable(state, { controllerName: CONTROLLER }, cache);
      const again = buildRoutingTable(state, { controllerName: CONTROLLER }, cache);
      expect(again.table).toBe(first.table);
      expect(again.diagnostics).toBe(first.diagnostics);
      expect(again.served).toBe(first.served);
    }
  });

  it('keeps the HostRoutes of hosts an edit did not touch', () => {
    const state = new ClusterState();
    state.upsertIngressClass({ name: 'bollard', controller: CONTROLLER, isDefault: false });
    const route = (name: string, host: string, service: string) => ({
      namespace: 'a', name, uid: name, generation: 1, creationTimestamp: '2024-01-01T00:00:00Z', annotations: {},
      ingressClassName: 'bollard', rules: [{ host, paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } }] }],
      tls: [], statusLoadBalancer: [],
    });
    state.upsertIngress(route('one', 'one.test', 'web'));
    state.upsertIngress(route('two', 'two.test', 'web'));
    const cache = createBuildCache();
    const before = buildRoutingTable(state, { controllerName: CONTROLLER }, cache).table;
    state.upsertIngress(route('two', 'two.test', 'api'));
    const after = buildRoutingTable(state, { controllerName: CONTROLLER }, cache).table;
    expect(after).not.toBe(before);
    expect(after.hosts.get('one.test')).toBe(before.hosts.get('one.test'));
    expect(after.hosts.get('two.test')).not.toBe(before.hosts.get('two.test'));
    expect(after.upstreams.get('a/web:80')).toBe(before.upstreams.get('a/web:80'));
    expect(tablesEqual(before, after)).toBe(false);
  });

  it('settles a re-upserted, deep-equal Ingress by identity: ClusterState keeps the object it has', () => {
    const d = new Draw(7);
    const state = new ClusterState();
    state.upsertIngressClass({ name: 'bollard', controller: CONTROLLER, isDefault: false });
    const original = ingress(d, 'a', 'one');
    state.upsertIngress(original);
    expect(state.upsertIngress(deepCopy(original))).toBe(false);
    expect(state.lookupIngress('a', 'one')).toBe(original);
    const cache = createBuildCache();
    const first = buildRoutingTable(state, { controllerName: CONTROLLER }, cache);
    expect(buildRoutingTable(state, { controllerName: CONTROLLER }, cache).table).toBe(first.table);
  });

  it('gives what a fresh build gives when one cache sees every fixture in turn, twice', () => {
    const fixtures = new URL('../../test/fixtures/routing/', import.meta.url);
    const files = readdirSync(fixtures).filter((file) => file.endsWith('.yaml')).sort();
    const cache = createBuildCache();
    for (const file of [...files, ...[...files].reverse()]) {
      const fixture = loadFixture(new URL(file, fixtures));
      const snapshot = memorySnapshot(fixtureObjects(fixture));
      const buildOptions = fixtureOptions(fixture);
      expectSameAsFresh(buildRoutingTable(snapshot, buildOptions, cache), snapshot, buildOptions, file);
    }
  });
});
