// Printing the migration report: a text listing for people, JSON for scripts.
import { NGINX_PREFIX } from '../routing/nginx/catalog.ts';
import { REPORT_STATUSES, type AnnotationVerdict, type MigrationReport } from './report.ts';

export function summaryLine(report: MigrationReport): string {
  const total = REPORT_STATUSES.reduce((sum, s) => sum + report.counts[s], 0);
  const parts = REPORT_STATUSES.map((s) => `${report.counts[s]} ${s}`);
  return `${report.ingresses.length} Ingresses, ${total} nginx annotations: ${parts.join(', ')}`;
}

function line(a: AnnotationVerdict): string {
  // Honoured needs no reason; the others say why (or what differs).
  const why = a.status === 'honoured' || a.note === '' ? '' : ` (${a.note})`;
  return `  ${a.status.padEnd(8)} ${NGINX_PREFIX}${a.key}${why}`;
}

export function renderText(report: MigrationReport): string {
  const blocks = report.ingresses.map((r) => {
    const head = `Ingress ${r.namespace}/${r.name}`;
    if (r.annotations.length === 0) return `${head}\n  (no nginx annotations)`;
    return [head, ...r.annotations.map(line)].join('\n');
  });
  return `${[...blocks, '', summaryLine(report)].join('\n')}\n`;
}

export function renderJson(report: MigrationReport): string {
  return `${JSON.stringify({ ingresses: report.ingresses, summary: report.counts }, null, 2)}\n`;
}
