// Reading one nginx.ingress.kubernetes.io/* annotation, with the InvalidAnnotation report when its
// value is not accepted.
import type { IngressObject } from '../../snapshot/model.ts';
import type { Diagnostic } from '../types.ts';
import type { Parsed } from '../option-values.ts';
import { diagnostic } from '../diagnostics.ts';
import { NGINX_PREFIX } from './catalog.ts';

const IGNORED = 'It is ignored';

/**
 * Reads one annotation (key without the prefix): undefined when unset; reported and undefined when
 * invalid, the message ending with `onInvalid` (what happens instead). `has` says whether it is written.
 */
export interface AnnotationReader {
  <T>(key: string, accepted: string, parse: (written: string) => Parsed<T> | undefined, onInvalid?: string): Parsed<T> | undefined;
  readonly has: (key: string) => boolean;
}

export function annotationReader(ingress: IngressObject, diagnostics: Diagnostic[]): AnnotationReader {
  const read = <T>(key: string, accepted: string, parse: (written: string) => Parsed<T> | undefined, onInvalid = IGNORED): Parsed<T> | undefined => {
    const name = NGINX_PREFIX + key;
    const written = ingress.annotations[name];
    if (written === undefined) return undefined;
    const parsed = parse(written);
    if (parsed === undefined) {
      diagnostics.push(diagnostic(ingress, 'InvalidAnnotation', `annotation ${name}: ${quote(written)} is not valid; use ${accepted}. ${onInvalid}`));
    }
    return parsed;
  };
  return Object.assign(read, { has: (key: string) => ingress.annotations[NGINX_PREFIX + key] !== undefined });
}

function quote(written: string): string {
  const MAX_SHOWN = 64;
  return JSON.stringify(written.length > MAX_SHOWN ? `${written.slice(0, MAX_SHOWN)}…` : written);
}
