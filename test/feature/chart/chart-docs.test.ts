// The chart's documentation and generated files cannot drift: README.md's table of values is
// what scripts/chart-readme.ts renders from values.yaml, every value has a description and a
// schema entry (and every schema entry a value), the CRD copy in the chart equals crds/, and
// manifests/bollard.yaml is a fresh render of the chart.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { CHART_DIR, REPO_ROOT, helmBinary } from '../../../scripts/chart-helm.ts';
import { MANIFEST, renderStaticManifests, staleChartCrds } from '../../../scripts/chart-manifests.ts';
import { documentedValues, freshReadme, UndocumentedValueError } from '../../../scripts/chart-readme.ts';

// The first use fetches helm (scripts/helm.sh, once per machine).
beforeAll(async () => { await helmBinary(); }, 120_000);

interface SchemaNode { readonly properties?: Readonly<Record<string, SchemaNode>> }

/** Every property path the schema declares, e.g. controller.image.tag. */
function schemaPaths(node: SchemaNode, prefix = ''): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => [`${prefix}${key}`, ...schemaPaths(child, `${prefix}${key}.`)]);
}

describe('chart README', () => {
  it('has the table of values a fresh render of values.yaml gives (run `node scripts/chart-readme.ts`)', async () => {
    const { current, fresh } = await freshReadme();
    expect(current).toBe(fresh);
  });

  it('fails the render for a value without a description', () => {
    expect(() => documentedValues('# -- Documented.\na: 1\nb: 2\n')).toThrow(UndocumentedValueError);
    expect(() => documentedValues('# -- Documented.\na: 1\nb: 2\n')).toThrow(/values without a "# --" description: b/);
    expect(documentedValues('s:\n  # -- One.\n  x: 1\n  # -- Two.\n  y: [a]\n').map((r) => [r.path, r.type])).toEqual([['s.x', 'int'], ['s.y', 'list']]);
  });

  it('documents exactly the values the schema knows', async () => {
    const [values, schema] = await Promise.all([
      readFile(`${CHART_DIR}/values.yaml`, 'utf8'),
      readFile(`${CHART_DIR}/values.schema.json`, 'utf8').then((t) => JSON.parse(t) as SchemaNode),
    ]);
    const documented = documentedValues(values).map((r) => r.path);
    const declared = new Set(schemaPaths(schema));
    expect(documented.filter((p) => !declared.has(p))).toEqual([]);
    // A schema path is covered when it is documented, lies inside a documented object, or
    // is a section above documented values.
    const covered = (p: string): boolean => documented.some((d) => d === p || p.startsWith(`${d}.`) || d.startsWith(`${p}.`));
    expect([...declared].filter((p) => p !== 'global' && !covered(p))).toEqual([]);
  });
});

describe('generated files', () => {
  it('charts/bollard/crds/ equals crds/ (run `make manifests`)', async () => {
    expect(await staleChartCrds()).toEqual([]);
  });

  it('manifests/bollard.yaml is a fresh render of the chart (run `make manifests`)', async () => {
    const [fresh, current] = await Promise.all([renderStaticManifests(), readFile(MANIFEST, 'utf8')]);
    expect(current).toBe(fresh);
  });

  it('the static manifests install into kube-system and carry no Helm release ownership', async () => {
    const text = await readFile(`${REPO_ROOT}/manifests/bollard.yaml`, 'utf8');
    expect(text).not.toMatch(/managed-by: Helm/);
    const namespaces = [...text.matchAll(/^ {2}namespace: (\S+)$/gm)].map((m) => m[1]);
    expect(new Set(namespaces)).toEqual(new Set(['kube-system']));
  });
});
