// The generated parts of docs/configuration.md, rendered from the code so they cannot drift:
//   flags        every controller flag, its environment variable and default (src/config/options*.ts)
//   annotations  every annotation Bollard reads: the route annotations exported by
//                src/routing/processors/options.ts (their accepted values come from the code) plus the
//                class and ACME annotations; defaults and descriptions are written here, by name
//   metrics      every bollard_* metric (src/metrics/registry.ts, src/acme/metrics.ts)
//
//   node scripts/config-reference.ts          rewrite the blocks between their markers in place
//   node scripts/config-reference.ts --check  exit 1 with the lines that differ when a block is stale
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { createAcmeMetrics } from '../src/acme/metrics.ts';
import { ACME_ANNOTATION } from '../src/acme/names.ts';
import { acmeOptions } from '../src/config/options-acme.ts';
import { dataPlaneOptions } from '../src/config/options-dataplane.ts';
import { controllerOptions, type OptionSpec } from '../src/config/options.ts';
import { createMetrics } from '../src/metrics/registry.ts';
import { LEGACY_CLASS_ANNOTATION } from '../src/routing/processors/ingress-class.ts';
import * as routeOptionsModule from '../src/routing/processors/options.ts';

export const CONFIG_DOC = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
export const BLOCKS = ['flags', 'annotations', 'metrics'] as const;
export type BlockName = (typeof BLOCKS)[number];

export const beginMarker = (block: BlockName): string => `<!-- ${block}:begin -->`;
export const endMarker = (block: BlockName): string => `<!-- ${block}:end -->`;

export class ConfigReferenceError extends Error {
  readonly code = 'ERR_BOLLARD_CONFIG_REFERENCE';
}

/** A table cell: pipes escaped always; `*` escaped in text taken from the code (not in hand-written Markdown). */
const cell = (s: string): string => s.replaceAll('|', '\\|');
const plain = (s: string): string => cell(s).replaceAll('*', '\\*');
const codeSpan = (s: string): string => `\`${cell(s)}\``;

// ---- flags ------------------------------------------------------------------------------------

export interface FlagGroup {
  readonly title: string;
  readonly options: readonly OptionSpec[];
}

/** The flags in three groups, each in definition order; a flag of no known group is a controller flag. */
export function flagGroups(all: readonly OptionSpec[] = controllerOptions): readonly FlagGroup[] {
  const dataPlane = new Set(dataPlaneOptions.map((o) => o.flag));
  const acme = new Set(acmeOptions.map((o) => o.flag));
  return [
    { title: 'Controller', options: all.filter((o) => !dataPlane.has(o.flag) && !acme.has(o.flag)) },
    { title: 'Data plane', options: all.filter((o) => dataPlane.has(o.flag)) },
    { title: 'ACME and etcd', options: all.filter((o) => acme.has(o.flag)) },
  ];
}

export function renderFlags(groups: readonly FlagGroup[] = flagGroups()): string {
  return groups
    .filter((g) => g.options.length > 0)
    .map((g) => {
      const rows = g.options.map((o) => {
        const def = o.default === undefined || o.default === '' ? '*empty*' : codeSpan(o.default);
        return `| ${codeSpan(`--${o.flag}`)} | ${codeSpan(o.env)} | ${def} | ${plain(o.help)} |`;
      });
      return [`**${g.title}**`, '', '| Flag | Environment | Default | Description |', '|---|---|---|---|', ...rows].join('\n');
    })
    .join('\n\n');
}

// ---- annotations --------------------------------------------------------------------------------

/** What the code says about an annotation: its name and the values it accepts. */
export interface AnnotationSpec {
  readonly name: string;
  readonly accepted: string;
}

/** The hand-written half of an annotation's row. */
export interface AnnotationDoc {
  readonly default: string;
  readonly description: string;
}

function isAnnotationSpec(value: unknown): value is AnnotationSpec & { parse: unknown } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<'name' | 'accepted' | 'parse', unknown>>;
  return typeof v.name === 'string' && v.name.startsWith('bollard.io/') && typeof v.accepted === 'string' && typeof v.parse === 'function';
}

/** Every route annotation object exported by src/routing/processors/options.ts, sorted by export name. */
export function routeAnnotations(): readonly AnnotationSpec[] {
  const exported: readonly unknown[] = Object.values(routeOptionsModule);
  return exported.filter(isAnnotationSpec).map(({ name, accepted }) => ({ name, accepted }));
}

/** Annotations read outside the options processor. */
export const otherAnnotations: readonly AnnotationSpec[] = [
  { name: ACME_ANNOTATION, accepted: '"true"' },
  { name: LEGACY_CLASS_ANNOTATION, accepted: 'the name of an IngressClass' },
];

export const ANNOTATION_DOCS: Readonly<Record<string, AnnotationDoc>> = {
  'bollard.io/ssl-redirect': {
    default: '`--ssl-redirect` (`true`) and the route\'s host has a certificate from a served Ingress\'s `spec.tls` Secret (exact or parent wildcard; not necessarily this Ingress\'s), or `--force-ssl-redirect` is set; rules without a host and the default backend: `--force-ssl-redirect` only. See [Redirects to HTTPS](#tls)',
    description: 'Answer plain-HTTP requests with **308** to `https://<host>[:--https-redirect-port]<path>?<query>`. Never for `/.well-known/acme-challenge/`. A WebSocket upgrade over plain HTTP on such a route gets the same 308.',
  },
  'bollard.io/load-balance': {
    default: '`--load-balance` (`round-robin`)',
    description: '`round-robin` rotates over the endpoints; `least-request` takes two random endpoints and picks the one with fewer requests in flight; `ewma` picks the lower latency-EWMA × (in flight + 1) of two. Ejected endpoints are skipped. Lower case only.',
  },
  'bollard.io/backend-protocol': {
    default: 'from the Service port\'s `appProtocol`: `kubernetes.io/h2c` → H2C, `grpc` → GRPC, `grpcs` → GRPCS, `https`/`kubernetes.io/wss` → HTTPS, else HTTP',
    description: 'How Bollard talks to the endpoints: HTTP/1.1 (`HTTP`), HTTP/1.1 over TLS (`HTTPS`), HTTP/2 cleartext with prior knowledge (`H2C`, `GRPC`), HTTP/2 over TLS (`GRPCS`). Upstream certificates are not verified. Any case.',
  },
  'bollard.io/proxy-read-timeout': {
    default: '`--proxy-read-timeout-seconds` (`60`)',
    description: 'Time to wait for the upstream\'s response headers, and the longest pause between two body chunks. Expiry before the response started: **504**; after: the client connection is cut.',
  },
  'bollard.io/proxy-body-size': {
    default: '`--proxy-body-size` (`100m`)',
    description: 'Largest request body: a larger `Content-Length` gets **413** before anything is sent upstream; a chunked or HTTP/2 body is cut off when it passes the limit (**413** if the response has not started). Units are multiples of 1024; `0` is unlimited.',
  },
  'bollard.io/tunnel-idle-timeout': {
    default: '`--tunnel-idle-timeout-seconds` (`3600`)',
    description: 'An upgraded connection (WebSocket over HTTP/1.1, or extended CONNECT over HTTP/2) with no byte in either direction for this long is closed, and its access-log line says `"closedBy":"idle"`. Applications that ping more often than this are never cut.',
  },
  'bollard.io/acme': {
    default: 'unset: ACME only for `spec.tls` hosts whose Secret does not exist ([ACME](#acme))',
    description: 'With `--acme-enabled`: obtain ACME certificates for every `spec.tls` host of this Ingress, even when its Secret exists. SNI still prefers a usable certificate in the Ingress\'s Secret.',
  },
  'kubernetes.io/ingress.class': {
    default: 'unset',
    description: 'Legacy class selection, read only when `spec.ingressClassName` is unset or empty. The value must be the **name** of an IngressClass whose `spec.controller` is `--controller-name`.',
  },
};

export interface AnnotationRow extends AnnotationSpec, AnnotationDoc {}

/** Joins the code's annotations with their hand-written docs; every annotation needs one, and no doc may be left over. */
export function documentAnnotations(
  specs: readonly AnnotationSpec[] = [...routeAnnotations(), ...otherAnnotations],
  docs: Readonly<Record<string, AnnotationDoc>> = ANNOTATION_DOCS,
): readonly AnnotationRow[] {
  const missing = specs.filter((s) => !Object.hasOwn(docs, s.name)).map((s) => s.name);
  if (missing.length > 0) throw new ConfigReferenceError(`annotations without a description in ANNOTATION_DOCS (scripts/config-reference.ts): ${missing.join(', ')}`);
  const known = new Set(specs.map((s) => s.name));
  const stale = Object.keys(docs).filter((name) => !known.has(name));
  if (stale.length > 0) throw new ConfigReferenceError(`ANNOTATION_DOCS describes annotations the code does not read: ${stale.join(', ')}`);
  return specs.map((s) => {
    const doc = docs[s.name] ?? { default: '', description: '' };
    return { ...s, ...doc };
  });
}

export function renderAnnotations(rows: readonly AnnotationRow[] = documentAnnotations()): string {
  const lines = rows.map((r) => `| ${codeSpan(r.name)} | ${plain(r.accepted)} | ${cell(r.default)} | ${cell(r.description)} |`);
  return ['| Annotation | Values | Default | Description |', '|---|---|---|---|', ...lines].join('\n');
}

// ---- metrics ------------------------------------------------------------------------------------

export interface MetricRow {
  readonly name: string;
  readonly type: string;
  readonly labels: readonly string[];
  readonly where: string;
  readonly help: string;
}

function rowsOf(registry: Registry, where: string): MetricRow[] {
  return registry.getMetricsAsArray().map((m) => {
    const labels = 'labelNames' in m && Array.isArray(m.labelNames) ? m.labelNames.filter((l): l is string => typeof l === 'string') : [];
    return { name: m.name, type: String(m.type), labels, where, help: m.help };
  });
}

/** Every bollard_* metric, in definition order: the controller's, the data plane's, then ACME's. */
export function metricRows(): readonly MetricRow[] {
  const metrics = createMetrics({ processMetrics: false });
  const acme = new Registry();
  createAcmeMetrics(acme);
  return [
    ...rowsOf(metrics.controllerRegistry, 'controller'),
    ...rowsOf(metrics.dataPlaneRegistry, 'data plane'),
    ...rowsOf(acme, 'controller (ACME)'),
  ];
}

export function renderMetrics(rows: readonly MetricRow[] = metricRows()): string {
  const lines = rows.map((r) => {
    const labels = r.labels.length === 0 ? '' : r.labels.map(codeSpan).join(', ');
    return `| ${codeSpan(r.name)} | ${r.type} | ${labels} | ${r.where} | ${plain(r.help)} |`;
  });
  return ['| Metric | Type | Labels | Process | Help |', '|---|---|---|---|---|', ...lines].join('\n');
}

// ---- the document -------------------------------------------------------------------------------

export function renderBlocks(): Readonly<Record<BlockName, string>> {
  return { flags: renderFlags(), annotations: renderAnnotations(), metrics: renderMetrics() };
}

function blockBounds(doc: string, block: BlockName): { start: number; end: number } {
  const begin = beginMarker(block);
  const at = doc.indexOf(begin);
  const end = doc.indexOf(endMarker(block));
  if (at < 0 || end < at) throw new ConfigReferenceError(`docs/configuration.md lacks the markers ${begin} … ${endMarker(block)}`);
  return { start: at + begin.length, end };
}

/** The text between a block's markers, without the newlines next to them. */
export function blockContent(doc: string, block: BlockName): string {
  const { start, end } = blockBounds(doc, block);
  return doc.slice(start, end).replace(/^\n/, '').replace(/\n$/, '');
}

export function withBlocks(doc: string, blocks: Readonly<Record<BlockName, string>>): string {
  let out = doc;
  for (const block of BLOCKS) {
    const { start, end } = blockBounds(out, block);
    out = `${out.slice(0, start)}\n${blocks[block]}\n${out.slice(end)}`;
  }
  return out;
}

/** Lines of `current` missing from `fresh` (-) and lines of `fresh` missing from `current` (+). */
export function lineDrift(current: string, fresh: string): string[] {
  const was = current.split('\n');
  const now = fresh.split('\n');
  const removed = was.filter((l) => !now.includes(l)).map((l) => `- ${l}`);
  const added = now.filter((l) => !was.includes(l)).map((l) => `+ ${l}`);
  const changed = [...removed, ...added];
  return changed.length > 0 ? changed : ['  (same lines, different order)'];
}

/** One message per stale block, naming the lines that differ; empty when the document is fresh. */
export function staleBlocks(doc: string, blocks: Readonly<Record<BlockName, string>> = renderBlocks()): string[] {
  return BLOCKS.flatMap((block) => {
    const current = blockContent(doc, block);
    if (current === blocks[block]) return [];
    const drift = lineDrift(current, blocks[block]);
    return [`docs/configuration.md: the ${block} block is stale (run \`node scripts/config-reference.ts\`):\n${drift.join('\n')}`];
  });
}

/** Reads docs/configuration.md and reports its stale blocks (see staleBlocks). */
export async function checkConfigReference(file: string = CONFIG_DOC): Promise<string[]> {
  return staleBlocks(await readFile(file, 'utf8'));
}

async function main(argv: readonly string[]): Promise<number> {
  const doc = await readFile(CONFIG_DOC, 'utf8');
  if (argv.includes('--check')) {
    const problems = staleBlocks(doc);
    for (const p of problems) process.stderr.write(`${p}\n`);
    return problems.length === 0 ? 0 : 1;
  }
  const fresh = withBlocks(doc, renderBlocks());
  if (fresh !== doc) await writeFile(CONFIG_DOC, fresh);
  process.stdout.write(`docs/configuration.md ${fresh === doc ? 'is up to date' : 'updated'}\n`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => { process.stderr.write(`config-reference: ${err instanceof Error ? err.message : String(err)}\n`); process.exitCode = 1; },
  );
}
