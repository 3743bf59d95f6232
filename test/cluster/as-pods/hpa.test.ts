// The chart's HPA on CPU (metrics-server in the cluster harness, HPA decisions every 5 s): heavy
// load scales Bollard out to at least 3 replicas; once it stops, a short scale-down stabilisation
// window brings it back to 2. A light load runs the whole time, and not one of its requests, nor
// of the heavy load's, may fail while Pods are added and drained away.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Cluster } from '../../harness/cluster/env.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { NAMESPACE, RELEASE, bollardPods, nodeUrl, waitForGone } from '../support/bollard.ts';
import { Load, failures } from '../support/load.ts';
import type { LoadReport } from '../support/load.ts';
import { count, printSummary, summaryLine } from '../support/summary.ts';
import { routedBollard, type RoutedBollard } from '../support/routed-bollard.ts';
import { underLoad } from '../support/under-load.ts';

let routed: RoutedBollard;
let cluster: Cluster;
let host = '';

const AUTOSCALING = {
  'controller.autoscaling.enabled': true,
  'controller.autoscaling.minReplicas': 2,
  'controller.autoscaling.maxReplicas': 4,
  'controller.autoscaling.targetCPUUtilizationPercentage': 50,
  // Scale out and in within seconds (the defaults wait 5 minutes before scaling in).
  'controller.autoscaling.behavior': {
    scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 100, periodSeconds: 5 }] },
    scaleDown: { stabilizationWindowSeconds: 10, policies: [{ type: 'Percent', value: 100, periodSeconds: 5 }] },
  },
};

beforeAll(async () => {
  routed = await routedBollard('hpa', { values: AUTOSCALING });
  ({ cluster, host } = routed);
}, 240_000);

afterAll(async () => {
  await routed.stop();
}, 60_000);

interface Hpa {
  readonly status: { currentReplicas?: number; desiredReplicas?: number; currentMetrics?: readonly { resource?: { current?: { averageUtilization?: number } } }[] };
}

async function hpa(): Promise<{ replicas: number; desired: number; cpu: number | undefined }> {
  const h = JSON.parse(await cluster.kubectl(['get', 'hpa', '-n', NAMESPACE, RELEASE, '-o', 'json'])) as Hpa;
  return { replicas: h.status.currentReplicas ?? 0, desired: h.status.desiredReplicas ?? 0, cpu: h.status.currentMetrics?.[0]?.resource?.current?.averageUtilization };
}

/** Ready, not terminating Bollard Pods. */
const readyControllers = async (): Promise<number> => (await bollardPods(cluster)).filter((p) => p.ready && !p.terminating).length;

describe('as pods: HPA', () => {
  it('scales out to ≥ 3 replicas under load and back in, with no failed request', async () => {
    let heavy: LoadReport | undefined;
    let peak = 0;
    let peakCpu = 0;
    const timings = { out: 0, in: 0 };
    const light = await underLoad(cluster, { host, clients: 2, pauseMs: 20 }, async () => {
      const t0 = Date.now();
      const load = new Load({ url: nodeUrl(cluster), host, clients: 12, pauseMs: 0 });
      try {
        await waitFor(async () => {
          const h = await hpa();
          peakCpu = Math.max(peakCpu, h.cpu ?? 0);
          const ready = await readyControllers();
          peak = Math.max(peak, ready);
          return ready >= 3 ? true : undefined;
        }, { what: 'the HPA to scale Bollard out to 3 Ready replicas', timeoutMs: 180_000, intervalMs: 1_000 });
        timings.out = (Date.now() - t0) / 1000;
        // A few seconds of heavy load on the new replicas too.
        await load.flowing(2_000);
      } finally {
        heavy = await load.stop();
      }
      const t1 = Date.now();
      const outPods = await bollardPods(cluster);
      await waitFor(async () => ((await hpa()).desired === 2 ? true : undefined), { what: 'the HPA to want 2 replicas', timeoutMs: 180_000, intervalMs: 1_000 });
      const kept = new Set((await bollardPods(cluster)).filter((p) => !p.terminating).map((p) => p.name));
      await waitForGone(cluster, NAMESPACE, outPods.filter((p) => !kept.has(p.name)).map((p) => p.name));
      timings.in = (Date.now() - t1) / 1000;
    });
    const heavyFailures = heavy === undefined ? [] : failures(heavy);
    const requests = light.report.requests + (heavy?.requests ?? 0);
    const remaining = (await bollardPods(cluster)).filter((p) => !p.terminating);
    await printSummary(summaryLine('HPA scale out and in', requests, [
      `${count(light.failures.length + heavyFailures.length)} failed`,
      `2 → ${peak} replicas in ${timings.out.toFixed(0)}s (CPU ${peakCpu}% of request, target 50%)`,
      `back to ${remaining.length} in ${timings.in.toFixed(0)}s`,
    ]));
    expect(peak).toBeGreaterThanOrEqual(3);
    expect(remaining).toHaveLength(2);
    expect(light.describe(light.failures)).toBe('');
    expect(heavyFailures).toEqual([]);
  }, 480_000);
});
