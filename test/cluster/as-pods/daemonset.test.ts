// DaemonSet mode with hostPorts (charts/bollard/ci/daemonset-hostports-values.yaml's shape): one
// Bollard Pod on the node, serving on the node's own ports 80 and 443 through the CNI portmap
// plugin, with no capability and no hostNetwork.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:https';
import type { Cluster } from '../../harness/cluster/env.ts';
import { theCluster } from '../../harness/cluster/env.ts';
import { eventually, get } from '../../support/http.ts';
import { createNamespace, deleteNamespace, deployEcho } from '../support/backends.ts';
import { NAMESPACE, RELEASE, bollardPods, installBollard, uninstallBollard } from '../support/bollard.ts';
import { printSummary, summaryLine } from '../support/summary.ts';

let cluster: Cluster;
let ns = '';

beforeAll(async () => {
  cluster = await theCluster();
}, 60_000);

afterAll(async () => {
  await uninstallBollard(cluster);
  if (ns !== '') await deleteNamespace(cluster, ns);
}, 60_000);

/** The status of a GET over HTTPS to the node's port 443 with this SNI name (any certificate). */
function httpsStatus(hostIp: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: hostIp, port: 443, path: '/', servername: host, headers: { host }, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      res.on('end', () => { resolve(res.statusCode ?? 0); });
    });
    req.on('error', reject).end();
  });
}

describe('as pods: DaemonSet with hostPorts', () => {
  it('serves on the node\'s ports 80 and 443', async () => {
    const t0 = Date.now();
    await installBollard(cluster, { 'controller.kind': 'DaemonSet', 'controller.hostPorts.enabled': true });
    const seconds = (Date.now() - t0) / 1000;
    const daemonSet = JSON.parse(await cluster.kubectl(['get', 'daemonset', '-n', NAMESPACE, RELEASE, '-o', 'json'])) as {
      status: { numberReady: number; desiredNumberScheduled: number };
    };
    expect(daemonSet.status).toMatchObject({ numberReady: 1, desiredNumberScheduled: 1 });
    const controllers = (await bollardPods(cluster)).filter((p) => !p.terminating);
    expect(controllers).toHaveLength(1);

    ns = await createNamespace(cluster, 'edge');
    const host = `${ns}.example.test`;
    const backends = await deployEcho(cluster, ns, 'echo', host);
    const base = `http://${cluster.nodeIp}:80`;
    await eventually(base, host, '/', (r) => r.status === 200, `${host} on port 80`, 30_000);
    let requests = 0;
    for (let i = 0; i < 20; i++) {
      const r = await get(base, host, `/edge/${i}`);
      requests++;
      expect(r.status).toBe(200);
      expect(backends.map((p) => p.name)).toContain(r.echo?.backend);
    }
    expect(await httpsStatus(cluster.nodeIp, host)).toBe(200);
    requests++;
    await printSummary(summaryLine('DaemonSet with hostPorts', requests, [
      '0 failed', `1 Pod Ready in ${seconds.toFixed(1)}s`, `serving on ${cluster.nodeIp}:80 and :443 (hostPort)`,
    ]));
  }, 240_000);
});
