// `bollard migrate report`: read the Ingresses, print the report. Exit 0 whatever the verdicts.
import type { MigrateConfig } from '../config/migrate.ts';
import { createKubeClient, loadKubeConfig } from '../kube/client.ts';
import { IngressSourceError, listClusterIngresses, readIngressFiles } from './ingress-sources.ts';
import { renderJson, renderText } from './render.ts';
import { buildMigrationReport } from './report.ts';

export async function runMigrateReport(config: MigrateConfig, out: NodeJS.WritableStream): Promise<number> {
  const ingresses = config.kubeconfig === undefined ? await readIngressFiles(config.files) : await fromCluster(config.kubeconfig, config.namespace);
  const report = buildMigrationReport(ingresses);
  out.write(config.output === 'json' ? renderJson(report) : renderText(report));
  return 0;
}

async function fromCluster(kubeconfig: string, namespace: string): ReturnType<typeof listClusterIngresses> {
  try {
    return await listClusterIngresses(createKubeClient(loadKubeConfig(kubeconfig)), namespace);
  } catch (err: unknown) {
    throw new IngressSourceError(`reading the cluster's Ingresses: ${err instanceof Error ? err.message : String(err)}`);
  }
}
