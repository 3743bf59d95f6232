// manifests/bollard.yaml: the chart rendered with its default values (CRDs included) for
// `kubectl apply -f`, and the chart's copy of crds/ kept identical to the source of truth.
// The Gateway API CRDs (crds/gateway-api/, scripts/gateway-api.sh) are copied into the chart too,
// but left out of the static manifest: 1.2 MB that clusters often get from elsewhere, and too big
// for a client-side `kubectl apply` (docs/gateway-api.md: `kubectl apply --server-side`).
//   node scripts/chart-manifests.ts          copy crds/ into the chart, re-render the manifests
//   node scripts/chart-manifests.ts --check  exit 1 when either is stale (CI)
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { CHART_DIR, REPO_ROOT, render } from './chart-helm.ts';

export const MANIFEST = `${REPO_ROOT}/manifests/bollard.yaml`;
const CRDS = `${REPO_ROOT}/crds`;
/** Subfolders of crds/ copied into the chart as they are. */
const CRD_DIRS = ['', 'gateway-api/'];

const HEADER = [
  '# Bollard: a static install into kube-system, rendered from charts/bollard with its default',
  '# values by scripts/chart-manifests.ts (`make manifests`). Do not edit; change the chart instead.',
  '#   kubectl apply -f manifests/bollard.yaml',
  '# For ACME (Let\'s Encrypt) and the bundled etcd, install the chart with Helm (docs/installation.md).',
  '',
].join('\n');

/** The static manifests as they should be checked in. */
export async function renderStaticManifests(): Promise<string> {
  const yaml = withoutGatewayApiCrds(await render({ release: 'bollard', namespace: 'kube-system', includeCrds: true }));
  // Not installed by Helm: say so, so no one takes these objects for a Helm release's.
  return HEADER + yaml.replaceAll('app.kubernetes.io/managed-by: Helm', 'app.kubernetes.io/managed-by: kubectl');
}

/** The documents of a YAML stream minus the CustomResourceDefinitions of gateway.networking.k8s.io. */
function withoutGatewayApiCrds(yaml: string): string {
  return yaml.split(/^(?=---$)/m)
    .filter((doc) => !(/^kind: CustomResourceDefinition$/m.test(doc) && /^ {2}group: gateway\.networking\.k8s\.io$/m.test(doc)))
    .join('');
}

async function yamlFiles(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.yaml'));
}

/** CRD files of crds/ whose copy in charts/bollard/crds/ is missing or different. */
export async function staleChartCrds(): Promise<readonly string[]> {
  const stale: string[] = [];
  for (const sub of CRD_DIRS) {
    const files = await yamlFiles(`${CRDS}/${sub}`);
    for (const f of files) {
      const [source, copy] = await Promise.all([readFile(`${CRDS}/${sub}${f}`, 'utf8'), readFile(`${CHART_DIR}/crds/${sub}${f}`, 'utf8').catch(() => '')]);
      if (source !== copy) stale.push(`${sub}${f}`);
    }
    const extra = (await yamlFiles(`${CHART_DIR}/crds/${sub}`)).filter((f) => !files.includes(f));
    stale.push(...extra.map((f) => `${sub}${f} (not in crds/)`));
  }
  return stale;
}

async function syncChartCrds(): Promise<void> {
  for (const sub of CRD_DIRS) {
    await mkdir(`${CHART_DIR}/crds/${sub}`, { recursive: true });
    for (const f of await yamlFiles(`${CRDS}/${sub}`)) {
      await writeFile(`${CHART_DIR}/crds/${sub}${f}`, await readFile(`${CRDS}/${sub}${f}`, 'utf8'));
    }
  }
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--check')) {
    const stale = await staleChartCrds();
    const [fresh, current] = await Promise.all([renderStaticManifests(), readFile(MANIFEST, 'utf8').catch(() => '')]);
    if (stale.length > 0) process.stderr.write(`charts/bollard/crds/ differs from crds/: ${stale.join(', ')}\n`);
    if (fresh !== current) process.stderr.write('manifests/bollard.yaml is stale\n');
    if (stale.length === 0 && fresh === current) return 0;
    process.stderr.write('run `make manifests`\n');
    return 1;
  }
  await syncChartCrds();
  await writeFile(MANIFEST, await renderStaticManifests());
  process.stdout.write(`wrote ${MANIFEST}\n`);
  return 0;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => { process.stderr.write(`chart-manifests: ${err instanceof Error ? err.message : String(err)}\n`); process.exitCode = 1; },
  );
}
