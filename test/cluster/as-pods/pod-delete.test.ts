// One Bollard Pod deleted under load. Requests on connections to the other Pod must never fail;
// those on connections to the deleted Pod are counted apart (the promise is about the
// others). Which Pod a connection went to comes from the kernel's connection tracking: kube-proxy
// DNATs each NodePort connection to one Pod address, and conntrack records it (support/conntrack.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Cluster } from '../../harness/cluster/env.ts';
import { NAMESPACE, SELECTOR, bollardPods, waitForGone, waitForPods } from '../support/bollard.ts';
import { count, printSummary, summaryLine } from '../support/summary.ts';
import { routedBollard, type RoutedBollard } from '../support/routed-bollard.ts';
import { underLoad } from '../support/under-load.ts';

let routed: RoutedBollard;
let cluster: Cluster;
let host = '';

beforeAll(async () => {
  routed = await routedBollard('delete');
  ({ cluster, host } = routed);
}, 240_000);

afterAll(async () => {
  await routed.stop();
}, 60_000);

describe('as pods: a Bollard Pod deleted', () => {
  it('loses no request on the other Pods, and reports those in flight on the deleted one', async () => {
    const [victim] = (await bollardPods(cluster)).filter((p) => p.ready && !p.terminating);
    if (victim === undefined) throw new Error('no Ready Bollard Pod');
    let goneSeconds = 0;
    const result = await underLoad(cluster, { host }, async (load) => {
      // Both Pods have clients first: each keep-alive connection stays on the Pod it reached.
      await load.flowing(500);
      const t0 = Date.now();
      await cluster.kubectl(['delete', 'pod', '-n', NAMESPACE, victim.name, '--wait=false']);
      await waitForGone(cluster, NAMESPACE, [victim.name]);
      goneSeconds = (Date.now() - t0) / 1000;
      await waitForPods(cluster, NAMESPACE, SELECTOR, 2);
    });
    const onVictim = result.failures.filter((o) => result.podOf(o) === victim.ip);
    const elsewhere = result.failures.filter((o) => result.podOf(o) !== victim.ip);
    const victimConnections = result.report.connections.filter((c) => result.podOfConnection(c.id) === victim.ip).length;
    await printSummary(summaryLine('Bollard Pod deleted', result.report.requests, [
      `${count(elsewhere.length)} failed on the other Pods`,
      `${count(onVictim.length)} failed in flight on the deleted Pod`,
      `${victimConnections} of ${result.report.connections.length} connections had gone to it; gone in ${goneSeconds.toFixed(1)}s`,
    ]));
    expect(result.describe(elsewhere)).toBe('');
    expect(victimConnections).toBeGreaterThan(0);
    // The attribution is only as good as its coverage: every connection was found in the table.
    expect(result.report.connections.filter((c) => result.podOfConnection(c.id) === '?')).toEqual([]);
  }, 300_000);
});
