// The seeds' first complaint about Traefik: dropped traffic during updates. A `helm upgrade` that
// changes the pod template rolls every Bollard Pod while keep-alive clients loop GETs through the
// NodePort; not one request may fail, until the last old Pod is gone.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Cluster } from '../../harness/cluster/env.ts';
import { NAMESPACE, bollardPods, installBollard, waitForGone } from '../support/bollard.ts';
import { count, printSummary, summaryLine } from '../support/summary.ts';
import { routedBollard, type RoutedBollard } from '../support/routed-bollard.ts';
import { underLoad } from '../support/under-load.ts';

let routed: RoutedBollard;
let cluster: Cluster;
let host = '';

beforeAll(async () => {
  routed = await routedBollard('rolling');
  ({ cluster, host } = routed);
}, 240_000);

afterAll(async () => {
  await routed.stop();
}, 60_000);

describe('as pods: rolling update', () => {
  it('rolls every Bollard Pod under load with 0 failed requests', async () => {
    const before = (await bollardPods(cluster)).filter((p) => !p.terminating);
    let rolloutSeconds = 0;
    const result = await underLoad(cluster, { host }, async () => {
      const t0 = Date.now();
      // A changed pod template: a new ReplicaSet, surge one, retire one, until all are new.
      await installBollard(cluster, { 'controller.podAnnotations': { 'bollard.test/rollout': String(t0) } });
      await waitForGone(cluster, NAMESPACE, before.map((p) => p.name));
      rolloutSeconds = (Date.now() - t0) / 1000;
    });
    const after = (await bollardPods(cluster)).filter((p) => !p.terminating);
    expect(after.map((p) => p.name).filter((n) => before.some((b) => b.name === n))).toEqual([]);
    await printSummary(summaryLine('rolling update', result.report.requests, [
      `${count(result.failures.length)} failed`,
      `${before.length} Pods replaced and gone in ${rolloutSeconds.toFixed(1)}s`,
      `${count(result.report.connections.length)} connections, ${Math.round(result.report.requests / result.report.seconds)} req/s`,
    ]));
    expect(result.describe(result.failures)).toBe('');
  }, 300_000);
});
