// How many served Ingresses carry each nginx annotation Bollard does not act on, for the
// bollard_ingress_unsupported_annotations gauge (BuildResult.unsupportedAnnotations). Names that
// ingress-nginx never had are counted together as "other", so users cannot grow the label set.
import type { Engine } from './engine.ts';
import { compareStrings } from './compare.ts';
import { lookupNginxAnnotation, NGINX_PREFIX } from './nginx/catalog.ts';

export const OTHER_ANNOTATIONS = 'other';

/** Adds (+1) or takes away (-1) one Ingress's unsupported annotations from the counts. */
export function countUnsupported(engine: Engine, names: readonly string[] | undefined, delta: 1 | -1): void {
  if (names === undefined || names.length === 0) return;
  const counts = engine.unsupportedCounts;
  for (const annotation of names) {
    const name = lookupNginxAnnotation(annotation.slice(NGINX_PREFIX.length)) === undefined ? OTHER_ANNOTATIONS : annotation;
    const count = (counts.get(name) ?? 0) + delta;
    if (count > 0) counts.set(name, count);
    else counts.delete(name);
  }
  engine.unsupportedAnnotations = new Map([...counts].sort(([a], [b]) => compareStrings(a, b)));
}
