// docs/configuration.md cannot drift from the code: its generated blocks (flags, annotations,
// metrics) must equal a fresh render of scripts/config-reference.ts, every flag, environment
// variable, annotation and metric must appear, and docs/operations.md must explain every
// diagnostic reason the routing builder can report.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  BLOCKS, CONFIG_DOC, ConfigReferenceError, blockContent, checkConfigReference, documentAnnotations, metricRows,
  otherAnnotations, renderBlocks, routeAnnotations, staleBlocks, withBlocks,
} from '../../../scripts/config-reference.ts';
import { controllerOptions } from '../../../src/config/options.ts';

const OPERATIONS_DOC = new URL('../../../docs/operations.md', import.meta.url);
const ROUTING_TYPES = new URL('../../../src/routing/types.ts', import.meta.url);

let doc = '';
beforeAll(async () => { doc = await readFile(CONFIG_DOC, 'utf8'); });

describe('docs/configuration.md', () => {
  it('has fresh generated blocks (run `node scripts/config-reference.ts`)', async () => {
    expect(await checkConfigReference()).toEqual([]);
  });

  it('lists every flag with its environment variable and default in the flags block', () => {
    const flags = blockContent(doc, 'flags');
    for (const o of controllerOptions) {
      const row = flags.split('\n').find((line) => line.startsWith(`| \`--${o.flag}\` |`));
      expect(row).toContain(`\`${o.env}\``);
      if (o.default !== undefined && o.default !== '') expect(row).toContain(`\`${o.default}\``);
    }
  });

  it('lists every annotation in the annotations block', () => {
    const annotations = blockContent(doc, 'annotations');
    const names = [...routeAnnotations(), ...otherAnnotations].map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining(['bollard.io/ssl-redirect', 'bollard.io/load-balance', 'bollard.io/backend-protocol',
      'bollard.io/proxy-read-timeout', 'bollard.io/proxy-body-size', 'bollard.io/acme', 'kubernetes.io/ingress.class']));
    for (const name of names) expect(annotations).toContain(`| \`${name}\` |`);
  });

  it('lists every metric in the metrics block', () => {
    const metrics = blockContent(doc, 'metrics');
    const names = metricRows().map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['bollard_requests_total', 'bollard_tls_handshake_errors_total', 'bollard_acme_leader']));
    for (const name of names) expect(metrics).toContain(`| \`${name}\` |`);
  });
});

describe('scripts/config-reference.ts', () => {
  const skeleton = BLOCKS.map((b) => `<!-- ${b}:begin -->\nold ${b}\n<!-- ${b}:end -->`).join('\n\n');

  it('rewrites only the text between the markers, idempotently', () => {
    const blocks = renderBlocks();
    const once = withBlocks(`intro\n${skeleton}\noutro\n`, blocks);
    expect(withBlocks(once, blocks)).toBe(once);
    expect(once.startsWith('intro\n')).toBe(true);
    expect(once.endsWith('\noutro\n')).toBe(true);
    expect(staleBlocks(once, blocks)).toEqual([]);
  });

  it('names a stale block and the lines that differ', () => {
    const problems = staleBlocks(skeleton, { flags: 'new flags', annotations: 'old annotations', metrics: 'old metrics' });
    expect(problems).toEqual(['docs/configuration.md: the flags block is stale (run `node scripts/config-reference.ts`):\n- old flags\n+ new flags']);
  });

  it('refuses a document without markers', () => {
    expect(() => staleBlocks('no markers here')).toThrow(ConfigReferenceError);
  });

  it('refuses an annotation without a description, and a description of no annotation', () => {
    const doc1 = { default: 'd', description: 'x' };
    expect(() => documentAnnotations([{ name: 'bollard.io/new', accepted: 'anything' }], {})).toThrow(/without a description.*bollard\.io\/new/);
    expect(() => documentAnnotations([], { 'bollard.io/gone': doc1 })).toThrow(/does not read: bollard\.io\/gone/);
  });
});

describe('docs/operations.md', () => {
  it('explains every diagnostic reason of src/routing/types.ts', async () => {
    const [types, operations] = await Promise.all([readFile(ROUTING_TYPES, 'utf8'), readFile(OPERATIONS_DOC, 'utf8')]);
    const union = /export type DiagnosticReason =([^;]+);/.exec(types)?.[1] ?? '';
    const reasons = [...union.matchAll(/'(\w+)'/g)].map((m) => m[1] ?? '');
    expect(reasons.length).toBeGreaterThanOrEqual(10);
    for (const reason of reasons) expect(operations).toContain(`\`${reason}\``);
  });
});
