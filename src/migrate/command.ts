// `bollard migrate report`: read the Ingresses, print the report. Exit 0 whatever the verdicts.
import type { MigrateConfig } from '../config/migrate.ts';
import { createKubeClient, loadKubeConfig } from '../kube/client.ts';
import { listClusterIngresses, readIngressFiles } from './ingress-sources.ts';
import { renderJson, renderText } from './render.ts';
import { buildMigrationReport } from './report.ts';

export async function runMigrateReport(config: MigrateConfig, out: NodeJS.WritableStream): Promise<number> {
  const ingresses = config.kubeconfig === undefined
    ? await readIngressFiles(config.files)
    : await listClusterIngresses(createKubeClient(loadKubeConfig(config.kubeconfig)), config.namespace);
  const report = buildMigrationReport(ingresses);
  out.write(config.output === 'json' ? renderJson(report) : renderText(report));
  return 0;
}
