// `helm install bollard charts/bollard -n kube-system` with the image built here: the Pods become
// Ready, Ingresses in two other namespaces route through the node's NodePort to the right backend
// Pods (real Deployments), and their status carries the published address.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Cluster } from '../../harness/cluster/env.ts';
import { theCluster } from '../../harness/cluster/env.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { eventually, get } from '../../support/http.ts';
import { createNamespace, deleteNamespace, deployEcho } from '../support/backends.ts';
import { HTTP_NODE_PORT, NAMESPACE, RELEASE, bollardPods, installBollard, uninstallBollard } from '../support/bollard.ts';
import { printSummary, summaryLine } from '../support/summary.ts';

let cluster: Cluster;
const namespaces: string[] = [];

beforeAll(async () => {
  cluster = await theCluster();
  await uninstallBollard(cluster);
}, 120_000);

afterAll(async () => {
  await uninstallBollard(cluster);
  for (const ns of namespaces) await deleteNamespace(cluster, ns);
}, 120_000);

describe('as pods: helm install', () => {
  it('serves Ingresses of two namespaces through the NodePort to their own backend Pods', async () => {
    const t0 = Date.now();
    await installBollard(cluster);
    const installSeconds = (Date.now() - t0) / 1000;
    const controllers = (await bollardPods(cluster)).filter((p) => !p.terminating);
    expect(controllers).toHaveLength(2);
    expect(controllers.every((p) => p.ready)).toBe(true);

    const teams = await Promise.all(['team-a', 'team-b'].map(async (prefix) => {
      const ns = await createNamespace(cluster, prefix);
      namespaces.push(ns);
      const host = `${ns}.example.test`;
      const backends = await deployEcho(cluster, ns, 'echo', host);
      return { ns, host, backends: backends.map((p) => p.name).sort() };
    }));

    const base = `http://${cluster.nodeIp}:${HTTP_NODE_PORT}`;
    let requests = 0;
    for (const team of teams) {
      await eventually(base, team.host, '/', (r) => r.status === 200, `${team.host} routed`, 30_000);
      // Every answer is 200 from one of the team's own backend Pods, and both Pods answer in the
      // end: each Bollard replica learns the second Pod from its EndpointSlice at its own moment.
      const answered = new Set<string>();
      const wrong: string[] = [];
      await waitFor(async () => {
        const path = `/check/${requests++}`;
        const r = await get(base, team.host, path);
        const backend = r.echo?.backend ?? '';
        if (r.status !== 200 || r.echo?.url !== path || !team.backends.includes(backend)) {
          wrong.push(`${path}: ${r.status} from ${backend || 'no echo'} (${r.echo?.url ?? ''})`);
        } else {
          answered.add(backend);
        }
        return answered.size === team.backends.length ? true : undefined;
      }, { what: `both backends of ${team.host} answering`, timeoutMs: 30_000, intervalMs: 0 });
      expect(wrong).toEqual([]);
    }
    expect((await get(base, 'nobody.example.test', '/')).status).toBe(404);

    const service = JSON.parse(await cluster.kubectl(['get', 'service', '-n', NAMESPACE, RELEASE, '-o', 'json'])) as { spec: { clusterIP: string } };
    for (const team of teams) {
      // --publish-service: a NodePort Service has no load-balancer address, so its cluster IP.
      const status = await waitFor(async () => {
        const ing = JSON.parse(await cluster.kubectl(['get', 'ingress', '-n', team.ns, 'echo', '-o', 'json'])) as {
          status: { loadBalancer?: { ingress?: { ip?: string }[] } };
        };
        return ing.status.loadBalancer?.ingress;
      }, { what: `status of ${team.ns}/echo`, timeoutMs: 30_000, intervalMs: 250 });
      expect(status).toEqual([{ ip: service.spec.clusterIP }]);
    }
    await printSummary(summaryLine('helm install', requests, [
      '0 failed', `2 controller Pods Ready in ${installSeconds.toFixed(1)}s`, `Ingresses in ${teams.map((t) => t.ns).join(' and ')} routed to their own 2 backend Pods each`, 'status set',
    ]));
  }, 300_000);
});
