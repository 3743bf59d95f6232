// The nginx annotations that change where a route's requests go: default-backend (a Service of the
// Ingress's namespace behind the route, used when the route's Service has no ready endpoints and,
// with custom-http-errors, for the listed upstream statuses), service-upstream (the Service's
// cluster IP instead of its endpoints) and server-alias (more host names for the Ingress's host).
// The first two are needed before the options are read (backends are resolved first), so they are
// also read on their own, without reports: the reports come from readBackendAnnotations.
import type { IngressObject } from '../../snapshot/model.ts';
import type { Diagnostic } from '../types.ts';
import type { Parsed } from '../option-values.ts';
import type { AnnotationReader } from './reader.ts';
import { diagnostic } from '../diagnostics.ts';
import { NGINX_PREFIX } from './catalog.ts';
import { parseGoBoolean, splitList } from './values.ts';

export interface BackendReading {
  /** custom-http-errors, sorted; empty without a usable default-backend. */
  readonly customHttpErrors: readonly number[];
  /** server-alias: host names, lower-case, sorted, without duplicates. */
  readonly serverAliases: readonly string[];
}

const SERVICE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HOST_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** service-upstream "true": the Ingress's backends are reached through their Service's cluster IP. */
export function usesServiceUpstream(ingress: IngressObject): boolean {
  return parseGoBoolean(ingress.annotations[`${NGINX_PREFIX}service-upstream`] ?? '')?.value === true;
}

/** default-backend: the name of a Service in the Ingress's namespace, when the value is one. */
export function defaultBackendService(ingress: IngressObject): string | undefined {
  return parseServiceName(ingress.annotations[`${NGINX_PREFIX}default-backend`] ?? '')?.value;
}

export function readBackendAnnotations(read: AnnotationReader, ingress: IngressObject, diagnostics: Diagnostic[]): BackendReading {
  read('service-upstream', '"true" or "false"', parseGoBoolean);
  const backend = read('default-backend', 'the name of a Service in the Ingress\'s namespace', parseServiceName);
  const codes = read('custom-http-errors', 'a comma-separated list of statuses from 400 to 599', parseStatusList)?.value ?? [];
  if (codes.length > 0 && backend === undefined) {
    const message = `annotation ${NGINX_PREFIX}custom-http-errors needs ${NGINX_PREFIX}default-backend: Bollard has no controller-wide default backend. It is ignored`;
    diagnostics.push(diagnostic(ingress, 'InvalidAnnotation', message));
  }
  const aliases = read('server-alias', 'a comma-separated list of host names (no wildcards)', parseHostList)?.value ?? [];
  return { customHttpErrors: backend === undefined ? [] : codes, serverAliases: aliases };
}

function parseServiceName(written: string): Parsed<string> | undefined {
  return SERVICE_NAME.test(written) ? { value: written } : undefined;
}

export function parseStatusList(written: string): Parsed<readonly number[]> | undefined {
  const items = splitList(written);
  if (items.length === 0 || !items.every((i) => /^[45][0-9][0-9]$/.test(i))) return undefined;
  return { value: [...new Set(items.map(Number))].sort((a, b) => a - b) };
}

export function parseHostList(written: string): Parsed<readonly string[]> | undefined {
  const items = splitList(written).map((h) => h.toLowerCase());
  const valid = (host: string): boolean => host.length <= 253 && host.includes('.') && host.split('.').every((label) => HOST_LABEL.test(label));
  if (items.length === 0 || !items.every(valid)) return undefined;
  return { value: [...new Set(items)].sort() };
}
