// The migration report: every nginx.ingress.kubernetes.io/* annotation of each Ingress, with what
// Bollard does with it according to the catalog. Pure: the command reads the Ingresses and prints.
import { lookupNginxAnnotation, NGINX_PREFIX, type NginxStatus } from '../routing/nginx/catalog.ts';

/** The catalog's statuses, plus `unknown` for a key under the prefix that ingress-nginx never had (a typo, usually). */
export type ReportStatus = NginxStatus | 'unknown';

export const REPORT_STATUSES: readonly ReportStatus[] = ['honoured', 'partly', 'not yet', 'never', 'unknown'];

export interface AnnotatedIngress {
  readonly namespace: string;
  readonly name: string;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface AnnotationVerdict {
  /** Without the prefix. */
  readonly key: string;
  readonly value: string;
  readonly status: ReportStatus;
  readonly note: string;
}

export interface IngressReport {
  readonly namespace: string;
  readonly name: string;
  readonly annotations: readonly AnnotationVerdict[];
}

export interface MigrationReport {
  readonly ingresses: readonly IngressReport[];
  readonly counts: Readonly<Record<ReportStatus, number>>;
}

const UNKNOWN_NOTE = 'not an ingress-nginx annotation Bollard knows of (check the spelling); ignored';

function verdict(key: string, value: string): AnnotationVerdict {
  const entry = lookupNginxAnnotation(key);
  if (entry === undefined) return { key, value, status: 'unknown', note: UNKNOWN_NOTE };
  return { key, value, status: entry.status, note: entry.note };
}

export function reportIngress(ingress: AnnotatedIngress): IngressReport {
  const annotations = Object.entries(ingress.annotations)
    .filter(([name]) => name.startsWith(NGINX_PREFIX))
    .map(([name, value]) => verdict(name.slice(NGINX_PREFIX.length), value))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { namespace: ingress.namespace, name: ingress.name, annotations };
}

/** Ingresses in namespace/name order; counts are of annotation occurrences over all of them. */
export function buildMigrationReport(ingresses: readonly AnnotatedIngress[]): MigrationReport {
  const reports = ingresses.map(reportIngress).sort((a, b) => {
    const ka = `${a.namespace}/${a.name}`;
    const kb = `${b.namespace}/${b.name}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const counts: Record<ReportStatus, number> = { honoured: 0, partly: 0, 'not yet': 0, never: 0, unknown: 0 };
  for (const r of reports) for (const a of r.annotations) counts[a.status] += 1;
  return { ingresses: reports, counts };
}
