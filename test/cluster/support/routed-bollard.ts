// The common ground of the as-Pods scenarios: Bollard installed by the chart, a fresh namespace
// with an echo Deployment behind an Ingress for `<namespace>.example.test`, routed through the
// node before the scenario starts; and the teardown that undoes both.
import type { Cluster } from '../../harness/cluster/env.ts';
import { theCluster } from '../../harness/cluster/env.ts';
import { eventually } from '../../support/http.ts';
import { createNamespace, deleteNamespace, deployEcho } from './backends.ts';
import { installBollard, nodeUrl, uninstallBollard } from './bollard.ts';

export interface RoutedBollard {
  readonly cluster: Cluster;
  readonly ns: string;
  readonly host: string;
  /** Uninstalls Bollard and deletes the namespace. */
  stop(): Promise<void>;
}

export async function routedBollard(
  prefix: string, opts: { values?: Readonly<Record<string, unknown>>; echo?: Parameters<typeof deployEcho>[4]; name?: string } = {},
): Promise<RoutedBollard> {
  const cluster = await theCluster();
  await installBollard(cluster, opts.values);
  const ns = await createNamespace(cluster, prefix);
  const host = `${ns}.example.test`;
  await deployEcho(cluster, ns, opts.name ?? 'echo', host, opts.echo);
  await eventually(nodeUrl(cluster), host, '/', (r) => r.status === 200, `${host} routed`, 30_000);
  return {
    cluster, ns, host,
    async stop() {
      await uninstallBollard(cluster);
      await deleteNamespace(cluster, ns);
    },
  };
}
