// h2spec, the HTTP/2 conformance suite nobody on the team wrote, against the HTTPS listener with
// a route to a real upstream. Prints `h2spec: N/145`; fails when a case outside the allowlist
// (h2spec-allowlist.ts, each entry with its reason) fails, and when h2spec's connections are not
// all closed once the idle timeout has passed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultListenerLimits } from '../../../src/dataplane/servers.ts';
import { spawnManaged } from '../../harness/processes.ts';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from '../dataplane/support.ts';
import { h2specAllowedFailures } from './h2spec-allowlist.ts';
import { h2specBinary } from './h2spec-binary.ts';
import { parseH2specReport, type H2specCase } from './h2spec-report.ts';

// Node leaves a session it ended with GOAWAY (a connection error) unread until its idle timeout,
// so a short one here lets those close before the plane does. It stays well above h2spec's own
// 2 s per-case timeout, so no case sees the idle close even on a loaded machine.
const IDLE_TIMEOUT_MS = 6000;

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let dir: string;
let cases: H2specCase[];

async function httpsConnections(): Promise<number> {
  const { values } = await plane.metrics.activeConnections.get();
  return values.find((v) => v.labels.listener === 'https')?.value ?? 0;
}

beforeAll(async () => {
  const binary = await h2specBinary();
  // Answers at once: h2spec's cases send bodies they never finish.
  web = await startUpstream('web', (req, res) => { req.resume(); res.end('hello from the upstream\n'); });
  plane = await startPlane({ limits: { ...defaultListenerLimits, keepAliveTimeoutMs: IDLE_TIMEOUT_MS } });
  const u = upstream('web', [web.endpoint]);
  // h2spec sends :authority 127.0.0.1:<port>: a rule without a host takes it.
  plane.tables.publish({ ...table({}), anyHost: hostRoutes(route('/', u)), upstreams: new Map([[u.key, u]]) });
  dir = await mkdtemp(join(tmpdir(), 'bollard-h2spec-'));
  cases = await runH2spec(binary, 'all', []);
  // A case that timed out on a loaded machine runs once more on its own, with more time: a real
  // failure fails again, a slow answer does not.
  const allowed = new Set(h2specAllowedFailures.map((a) => a.id));
  const retried = cases.filter((c) => c.outcome === 'failed' && !allowed.has(c.id));
  for (const c of retried) {
    const [again] = await runH2spec(binary, `retry-${retried.indexOf(c)}`, ['-o', '6', c.id]);
    if (again?.outcome === 'passed') cases[cases.indexOf(c)] = again;
  }
  const passed = cases.filter((c) => c.outcome === 'passed').length;
  process.stdout.write(`h2spec: ${passed}/${cases.length}${retried.length > 0 ? ` (${retried.length} run again alone)` : ''}\n`);
}, 150_000);

/** Runs h2spec (all cases, or those named in `extra`) and returns its report's cases. */
async function runH2spec(binary: string, name: string, extra: readonly string[]): Promise<H2specCase[]> {
  const report = join(dir, `h2spec-${name}.xml`);
  const run = spawnManaged(binary, ['-h', '127.0.0.1', '-p', String(plane.httpsPort), '-t', '-k', '-j', report, ...extra]);
  run.child.stdout?.resume();
  run.child.stderr?.resume();
  await run.exited; // exits 1 when any case fails; the report says which
  return parseH2specReport(await readFile(report, 'latin1'));
}

afterAll(async () => {
  await plane.close();
  await web.close();
  await rm(dir, { recursive: true, force: true });
});

describe('h2spec against the HTTPS listener', () => {
  it('runs all 145 cases', () => {
    expect(cases).toHaveLength(145);
  });

  it('fails no case outside the allowlist', () => {
    const allowed = new Set(h2specAllowedFailures.map((a) => a.id));
    const failed = cases.filter((c) => c.outcome === 'failed');
    expect(failed.filter((c) => !allowed.has(c.id))).toEqual([]);
  });

  it('allowlists only cases that exist, under their titles', () => {
    const byId = new Map(cases.map((c) => [c.id, c.title]));
    for (const a of h2specAllowedFailures) expect([a.id, byId.get(a.id)]).toEqual([a.id, a.title]);
  });

  it('leaves no connection open once the idle timeout has passed', async () => {
    // No event marks the last close, so the gauge is read until it reaches 0 or the bound passes.
    const deadline = Date.now() + 4 * IDLE_TIMEOUT_MS;
    while ((await httpsConnections()) > 0 && Date.now() < deadline) await sleep(100);
    expect(await httpsConnections()).toBe(0);
  }, 40_000);
});
