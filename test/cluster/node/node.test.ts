// The one-node cluster works as a cluster: the node is Ready, a Pod from an imported image runs and
// becomes Ready, and the cluster DNS answers for Services from the host.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Resolver } from 'node:dns/promises';
import { theCluster } from '../../harness/cluster/env.ts';
import type { Cluster } from '../../harness/cluster/env.ts';
import { PAUSE_IMAGE } from '../../harness/cluster/layout.ts';

interface Condition {
  readonly type: string;
  readonly status: string;
}

let cluster: Cluster;
const namespace = `smoke-${process.pid}`;

beforeAll(async () => {
  cluster = await theCluster();
  await cluster.kubectl(['create', 'namespace', namespace]);
});

afterAll(async () => {
  await cluster.kubectl(['delete', 'namespace', namespace, '--wait=false']);
});

describe('one-node cluster', () => {
  it('has a Ready node on the bridge address', async () => {
    const node = JSON.parse(await cluster.kubectl(['get', 'node', cluster.nodeName, '-o', 'json'])) as {
      status: { conditions: Condition[]; addresses: { type: string; address: string }[] };
    };
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status.addresses).toContainEqual({ type: 'InternalIP', address: cluster.nodeIp });
  });

  it('runs a Pod from an imported image until it is Ready', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pause', namespace },
      spec: { containers: [{ name: 'pause', image: PAUSE_IMAGE, imagePullPolicy: 'Never' }], terminationGracePeriodSeconds: 1 },
    };
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(pod));
    await cluster.kubectl(['wait', '-n', namespace, '--for=condition=Ready', 'pod/pause', '--timeout=60s']);
    const status = JSON.parse(await cluster.kubectl(['get', '-n', namespace, 'pod/pause', '-o', 'json'])) as {
      status: { phase: string; podIP: string };
    };
    expect(status.status.phase).toBe('Running');
    expect(status.status.podIP.startsWith('10.244.0.')).toBe(true);
  }, 90_000);

  it('answers Service names from the cluster DNS', async () => {
    const resolver = new Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers([cluster.dnsIp]);
    const service = JSON.parse(await cluster.kubectl(['get', '-n', 'default', 'service/kubernetes', '-o', 'json'])) as {
      spec: { clusterIP: string };
    };
    await expect(resolver.resolve4(`kubernetes.default.svc.${cluster.clusterDomain}`)).resolves.toEqual([service.spec.clusterIP]);
    await expect(resolver.resolve4(`nothing.default.svc.${cluster.clusterDomain}`)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});
