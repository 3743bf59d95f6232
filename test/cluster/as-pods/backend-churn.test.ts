// Backends come and go under load, as Deployments do: scaled 3 → 0 → 3, Bollard answers 503 only
// while no backend Pod is ready and fails nothing while some are; a rolling update of the backend
// fails nothing at all. The backend keeps serving for a moment after SIGTERM (as an app behind any
// proxy should), and Bollard stops sending it new requests once its endpoint is no longer ready.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Cluster } from '../../harness/cluster/env.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { echoSelector } from '../support/backends.ts';
import { pods, waitForGone, waitForPods } from '../support/bollard.ts';
import { count, printSummary, summaryLine } from '../support/summary.ts';
import { routedBollard, type RoutedBollard } from '../support/routed-bollard.ts';
import { underLoad } from '../support/under-load.ts';

let routed: RoutedBollard;
let cluster: Cluster;
let ns = '';
let host = '';
const NAME = 'echo';
/** Time for an EndpointSlice change to reach Bollard's table and its workers. */
const PROPAGATION_MS = 2_000;

beforeAll(async () => {
  routed = await routedBollard('churn', { name: NAME, echo: { replicas: 3, shutdownDelaySeconds: 3 } });
  ({ cluster, ns, host } = routed);
}, 240_000);

afterAll(async () => {
  await routed.stop();
}, 60_000);

interface SliceList {
  readonly items: readonly { endpoints?: readonly { conditions?: { ready?: boolean } }[] }[];
}

async function readyEndpoints(): Promise<number> {
  const list = JSON.parse(await cluster.kubectl(['get', 'endpointslices', '-n', ns, '-l', `kubernetes.io/service-name=${NAME}`, '-o', 'json'])) as SliceList;
  return list.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready === true).length;
}

const scale = (replicas: number): Promise<string> => cluster.kubectl(['scale', '-n', ns, `deployment/${NAME}`, `--replicas=${replicas}`]);

describe('as pods: backend churn', () => {
  it('scales the backend 3 → 0 → 3: 503 only while none is ready, nothing else fails', async () => {
    const before = await pods(cluster, ns, echoSelector(NAME));
    const marks = { down: 0, none: 0, up: 0, firstReady: 0 };
    const result = await underLoad(cluster, { host }, async (load) => {
      marks.down = load.now();
      await scale(0);
      await waitForGone(cluster, ns, before.map((p) => p.name));
      marks.none = load.now();
      await load.answered(1_000);
      marks.up = load.now();
      await scale(3);
      await waitFor(async () => ((await readyEndpoints()) > 0 ? true : undefined), { what: 'a ready backend endpoint', timeoutMs: 60_000, intervalMs: 100 });
      marks.firstReady = load.now();
      await waitForPods(cluster, ns, echoSelector(NAME), 3);
      await load.flowing(500);
    });
    const unavailable = result.report.notOk.filter((o) => o.result === 503);
    const misplaced = unavailable.filter((o) => o.at < marks.down || o.at > marks.firstReady + PROPAGATION_MS);
    const whileNone = unavailable.filter((o) => o.at >= marks.none && o.at <= marks.up);
    await printSummary(summaryLine('backend scaled 3 → 0 → 3', result.report.requests, [
      `${count(result.failures.length)} failed`,
      `${count(unavailable.length)} answered 503 while no backend was ready`,
      `${count(misplaced.length)} 503 while one was`,
    ]));
    expect(result.describe(result.failures)).toBe('');
    expect(result.describe(misplaced)).toBe('');
    expect(whileNone.length).toBeGreaterThan(0);
  }, 300_000);

  it('rolls the backend Deployment under load with 0 failed requests', async () => {
    const before = await pods(cluster, ns, echoSelector(NAME));
    let seconds = 0;
    const result = await underLoad(cluster, { host }, async () => {
      const t0 = Date.now();
      await cluster.kubectl(['rollout', 'restart', '-n', ns, `deployment/${NAME}`]);
      await cluster.kubectl(['rollout', 'status', '-n', ns, `deployment/${NAME}`, '--timeout=120s']);
      await waitForGone(cluster, ns, before.map((p) => p.name));
      seconds = (Date.now() - t0) / 1000;
    });
    await printSummary(summaryLine('backend rolling update', result.report.requests, [
      `${count(result.report.notOk.length)} failed`, `3 backend Pods replaced and gone in ${seconds.toFixed(1)}s`,
      `${result.report.byBackend.size} backends answered`,
    ]));
    expect(result.describe(result.report.notOk)).toBe('');
  }, 300_000);
});
