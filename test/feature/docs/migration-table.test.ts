// docs/migration.md's annotation table cannot drift from src/routing/nginx/catalog.ts, and the
// catalog agrees with what the builder does: every annotation it calls honoured or partly is read
// without an UnsupportedAnnotation, every other one is reported.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { MIGRATION_DOC, MigrationTableError, blockOf, countByStatus, renderMigrationTable, withTable } from '../../../scripts/migration-table.ts';
import { NGINX_ANNOTATIONS, NGINX_PREFIX } from '../../../src/routing/nginx/catalog.ts';
import { readNginxAnnotations } from '../../../src/routing/nginx/read.ts';
import type { IngressObject } from '../../../src/snapshot/model.ts';

function ingressWith(annotations: Record<string, string>): IngressObject {
  return {
    namespace: 'shop', name: 'app', uid: 'u', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z', annotations,
    ingressClassName: 'bollard', defaultBackend: undefined, rules: [], tls: [], statusLoadBalancer: [],
  };
}

describe('docs/migration.md', () => {
  it('has a fresh annotation table (run `node scripts/migration-table.ts`)', async () => {
    expect(blockOf(await readFile(MIGRATION_DOC, 'utf8'))).toBe(renderMigrationTable());
  });

  it('lists every catalog entry once, with its status', () => {
    const table = renderMigrationTable();
    const keys = NGINX_ANNOTATIONS.map((e) => e.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const e of NGINX_ANNOTATIONS) expect(table).toContain(`| \`${NGINX_PREFIX}${e.key}\` |`);
    const c = countByStatus();
    expect(c.honoured + c.partly).toBeGreaterThanOrEqual(30);
  });

  it('refuses a document without markers, and rewrites only the block', () => {
    expect(() => blockOf('no markers')).toThrow(MigrationTableError);
    const doc = 'intro\n<!-- nginx-annotations:begin -->\nold\n<!-- nginx-annotations:end -->\noutro\n';
    const once = withTable(doc);
    expect(withTable(once)).toBe(once);
    expect(once.startsWith('intro\n') && once.endsWith('\noutro\n')).toBe(true);
  });
});

describe('the catalog agrees with the nginx front-end', () => {
  it('reports exactly the annotations it does not call honoured or partly', () => {
    const all = Object.fromEntries(NGINX_ANNOTATIONS.map((e) => [NGINX_PREFIX + e.key, 'x']));
    const reported = readNginxAnnotations(ingressWith({ ...all, [`${NGINX_PREFIX}no-such-thing`]: 'x' })).unsupported;
    const expected = NGINX_ANNOTATIONS.filter((e) => e.status === 'not yet' || e.status === 'never').map((e) => NGINX_PREFIX + e.key);
    expect(reported).toEqual([...expected, `${NGINX_PREFIX}no-such-thing`].sort());
  });
});
