// The generated part of docs/migration.md: every ingress-nginx annotation and what Bollard does with
// it, rendered from src/routing/nginx/catalog.ts so the table cannot drift from the code.
//
//   node scripts/migration-table.ts          rewrite the block between its markers in place
//   node scripts/migration-table.ts --check  exit 1 when the block is stale
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { NGINX_ANNOTATIONS, NGINX_PREFIX, type NginxAnnotationEntry, type NginxStatus } from '../src/routing/nginx/catalog.ts';

export const MIGRATION_DOC = fileURLToPath(new URL('../docs/migration.md', import.meta.url));
export const BEGIN = '<!-- nginx-annotations:begin -->';
export const END = '<!-- nginx-annotations:end -->';

export class MigrationTableError extends Error {
  readonly code = 'ERR_BOLLARD_MIGRATION_TABLE';
}

const STATUS_TEXT: Readonly<Record<NginxStatus, string>> = {
  honoured: 'honoured',
  partly: '**partly**',
  'not yet': 'not yet (Event)',
  never: 'never (Event)',
};

export function countByStatus(entries: readonly NginxAnnotationEntry[] = NGINX_ANNOTATIONS): Readonly<Record<NginxStatus, number>> {
  const counts: Record<NginxStatus, number> = { honoured: 0, partly: 0, 'not yet': 0, never: 0 };
  for (const e of entries) counts[e.status] += 1;
  return counts;
}

export function renderMigrationTable(entries: readonly NginxAnnotationEntry[] = NGINX_ANNOTATIONS): string {
  const c = countByStatus(entries);
  const summary = `Bollard acts on **${c.honoured + c.partly}** of these ${entries.length} annotation keys: ` +
    `${c.honoured} honoured, ${c.partly} partly; ${c['not yet']} not yet, ${c.never} never.`;
  const rows = entries.map((e) => `| \`${NGINX_PREFIX}${e.key}\` | ${STATUS_TEXT[e.status]} | ${e.note.replaceAll('|', '\\|')} |`);
  return [summary, '', '| Annotation | Status | Differences from ingress-nginx |', '|---|---|---|', ...rows].join('\n');
}

function bounds(doc: string): { start: number; end: number } {
  const at = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (at < 0 || end < at) throw new MigrationTableError(`docs/migration.md lacks the markers ${BEGIN} … ${END}`);
  return { start: at + BEGIN.length, end };
}

export function blockOf(doc: string): string {
  const { start, end } = bounds(doc);
  return doc.slice(start, end).replace(/^\n/, '').replace(/\n$/, '');
}

export function withTable(doc: string, table: string = renderMigrationTable()): string {
  const { start, end } = bounds(doc);
  return `${doc.slice(0, start)}\n${table}\n${doc.slice(end)}`;
}

async function main(argv: readonly string[]): Promise<number> {
  const doc = await readFile(MIGRATION_DOC, 'utf8');
  if (argv.includes('--check')) {
    const fresh = blockOf(doc) === renderMigrationTable();
    if (!fresh) process.stderr.write('docs/migration.md: the annotation table is stale (run `node scripts/migration-table.ts`)\n');
    return fresh ? 0 : 1;
  }
  const next = withTable(doc);
  if (next !== doc) await writeFile(MIGRATION_DOC, next);
  process.stdout.write(`docs/migration.md ${next === doc ? 'is up to date' : 'updated'}\n`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => { process.stderr.write(`migration-table: ${err instanceof Error ? err.message : String(err)}\n`); process.exitCode = 1; },
  );
}
