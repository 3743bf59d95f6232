import { describe, it, expect } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { refKey } from '../snapshot/model.ts';
import type { BuildOptions, Route, RoutingTable } from './types.ts';
import type { Fixture, SnapshotObjects } from '../../test/support/routing/fixture-snapshot.ts';
import { fixtureObjects, fixtureOptions, loadFixture, memorySnapshot } from '../../test/support/routing/fixture-snapshot.ts';
import { describeDiagnostic, describeRoute, describeTls, describeTlsCiphers, describeTlsClientValidation, project } from '../../test/support/routing/fixture-describe.ts';
import { buildRoutingTable } from './build.ts';
import { matchRoute, normalizeHost } from './match.ts';

const FIXTURES = new URL('../../test/fixtures/routing/', import.meta.url);
const files = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.yaml'))
  .sort();

function build(objects: SnapshotObjects, options: BuildOptions) {
  return buildRoutingTable(memorySnapshot(objects), options);
}

function allRoutes(table: RoutingTable): Route[] {
  const levels = [...table.hosts.values(), ...table.wildcards.values(), ...(table.anyHost ? [table.anyHost] : [])];
  const routes = levels.flatMap((level) => [...level.exact.values(), ...level.prefix.values()]);
  return table.defaultBackend ? [...routes, table.defaultBackend] : routes;
}

/**
 * Invariants every table keeps: one Upstream object per key, all of them (and only those) listed;
 * maps keyed by what they hold; TLS maps sorted, each certificate the PEM of its Secret.
 */
function expectTableInvariants(table: RoutingTable, objects: SnapshotObjects): void {
  const routes = allRoutes(table);
  for (const route of routes) expect(table.upstreams.get(route.upstream.key)).toBe(route.upstream);
  const canaries = routes.flatMap((r) => [...(r.canary ? [r.canary.upstream] : []), ...(r.errorBackend ? [r.errorBackend.upstream] : [])]);
  for (const upstream of canaries) expect(table.upstreams.get(upstream.key)).toBe(upstream);
  const used = [...routes.map((r) => r.upstream.key), ...canaries.map((u) => u.key)];
  expect([...table.upstreams.keys()]).toEqual([...new Set(used)].sort());
  for (const level of [...table.hosts.values(), ...table.wildcards.values()]) {
    for (const [path, route] of [...level.exact, ...level.prefix]) expect(route.path).toBe(path);
  }
  for (const certificates of [table.tls.hosts, table.tls.wildcards]) {
    expect([...certificates.keys()]).toEqual([...certificates.keys()].sort());
    for (const { secret, certPem, keyPem } of certificates.values()) {
      const data = objects.secrets.find((s) => refKey(s) === refKey(secret))?.data;
      expect({ certPem, keyPem }).toEqual({ certPem: data?.['tls.crt']?.toString(), keyPem: data?.['tls.key']?.toString() });
    }
  }
}

/** A fixture request without a host stands for a request without a usable Host header. */
function requestHost(host: string | undefined): string {
  if (host === undefined) return '';
  const normalized = normalizeHost(host);
  if (normalized === undefined) throw new Error(`fixture request host "${host}" is not a valid Host header`);
  return normalized;
}

function runFixture(fixture: Fixture): void {
  const objects = fixtureObjects(fixture);
  const { table, diagnostics, served, unsupportedAnnotations } = build(objects, fixtureOptions(fixture));
  expect(served.map(refKey)).toEqual(fixture.served);
  if (fixture.wwwRedirects !== undefined) expect(Object.fromEntries(table.wwwRedirects ?? [])).toEqual(fixture.wwwRedirects);
  if (fixture.hostAliases !== undefined) expect(Object.fromEntries(table.hostAliases ?? [])).toEqual(fixture.hostAliases);
  if (fixture.tlsCiphers !== undefined) expect(describeTlsCiphers(table.tls)).toEqual(fixture.tlsCiphers);
  if (fixture.tlsClientValidation !== undefined) expect(describeTlsClientValidation(table.tls)).toEqual(fixture.tlsClientValidation);
  if (fixture.unsupportedAnnotations !== undefined) expect(Object.fromEntries(unsupportedAnnotations)).toEqual(fixture.unsupportedAnnotations);
  expect(diagnostics.map((d, i) => project(describeDiagnostic(d), fixture.diagnostics[i]))).toEqual(fixture.diagnostics);
  const answers = fixture.requests.map(({ host, path, expect: expected }) => {
    const route = matchRoute(table, requestHost(host), path);
    return { host, path, expect: project(describeRoute(route), expected) };
  });
  expect(answers).toEqual(fixture.requests);
  expect(describeTls(table.tls)).toEqual(fixture.tls);
  expectTableInvariants(table, objects);
}

describe('buildRoutingTable fixtures (test/fixtures/routing)', () => {
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });
  for (const file of files) {
    it(file.replace(/\.yaml$/, ''), () => {
      runFixture(loadFixture(new URL(file, FIXTURES)));
    });
  }
});

/** Maps become entry lists, so two serialisations are equal only when iteration order is too. */
function serialise(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? [...(v as Map<unknown, unknown>)] : v));
}

function reversed(objects: SnapshotObjects): SnapshotObjects {
  return {
    ingresses: [...objects.ingresses].reverse(),
    ingressClasses: [...objects.ingressClasses].reverse(),
    services: [...objects.services].reverse(),
    configMaps: [...objects.configMaps ?? []].reverse(),
    endpointSlices: [...objects.endpointSlices].reverse().map((slice) => ({
      ...slice,
      ports: [...slice.ports].reverse(),
      endpoints: [...slice.endpoints].reverse().map((e) => ({ ...e, addresses: [...e.addresses].reverse() })),
    })),
    secrets: [...objects.secrets].reverse(),
  };
}

/** Buffers (Secret data) cannot be frozen; everything else is, at every depth. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

describe('buildRoutingTable determinism and purity', () => {
  const all = files.map((file) => {
    const fixture = loadFixture(new URL(file, FIXTURES));
    return { file, objects: deepFreeze(fixtureObjects(fixture)), options: deepFreeze(fixtureOptions(fixture)) };
  });

  it('gives deep-equal results, in the same order, when built twice from frozen input', () => {
    for (const { file, objects, options } of all) {
      const first = build(objects, options);
      const second = build(objects, options);
      expect({ file, result: serialise(second) }).toEqual({ file, result: serialise(first) });
      expect(second).toEqual(first);
    }
  });

  it('gives the same result when the snapshot lists come in another order', () => {
    for (const { file, objects, options } of all) {
      expect({ file, result: serialise(build(reversed(objects), options)) }).toEqual({ file, result: serialise(build(objects, options)) });
    }
  });

  it('sorts hosts, paths and upstreams in the table', () => {
    const fixture = loadFixture(new URL('host-precedence.yaml', FIXTURES));
    const { table } = build(reversed(fixtureObjects(fixture)), fixtureOptions(fixture));
    const hostKeys = [...table.hosts.keys()];
    expect(hostKeys).toEqual([...hostKeys].sort());
    expect(hostKeys.length).toBeGreaterThan(1);
    const upstreamKeys = [...table.upstreams.keys()];
    expect(upstreamKeys).toEqual([...upstreamKeys].sort());
  });
});
