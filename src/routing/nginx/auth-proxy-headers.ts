// auth-proxy-set-headers: the ConfigMap whose data are request headers sent to auth-url's service
// (ingress-nginx's proxy_set_header lines in its auth location; values may use the variables of
// permanent-redirect). Read here is the annotation; the ConfigMap is read when the chain is built
// (../auth-proxy-header-maps.ts). As in ingress-nginx, an unusable name, a missing ConfigMap or an
// entry that cannot be sent refuses the routes (503): the service may depend on the headers.
import type { ConfigMapObject, IngressObject } from '../../snapshot/model.ts';
import type { TemplatePart } from '../middleware.ts';
import type { AnnotationReader } from './reader.ts';
import { parseValueTemplate } from './values.ts';

/** A ConfigMap of the Ingress's namespace, by "namespace/name". */
export interface AuthProxyHeadersNeed {
  readonly namespace: string;
  readonly name: string;
  readonly slotKey: string;
}

export type AuthProxyHeadersReading =
  | { readonly headers: readonly (readonly [string, readonly TemplatePart[]])[] }
  | { readonly problem: string };

const NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;
/** ingress-nginx's check of these header names. */
const HEADER = /^[A-Za-z0-9_-]+$/;
/** Headers Bollard sets on the service's request itself, or that frame it. */
const RESERVED = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'te', 'upgrade', 'keep-alive', 'trailer']);
const MAX_HEADERS = 100;
const REFUSED = 'Requests to its routes are refused (503) until it is fixed';

/** The need, or `refuse` when the annotation is written but unusable; undefined without auth-url (it then does nothing). */
export function readAuthProxyHeaders(read: AnnotationReader, ingress: IngressObject): AuthProxyHeadersNeed | 'refuse' | undefined {
  if (!read.has('auth-url') || !read.has('auth-proxy-set-headers')) return undefined;
  const { namespace } = ingress;
  const written = read('auth-proxy-set-headers', 'namespace/name of a ConfigMap of the Ingress\'s namespace (or its name)', (w) => parseName(w, namespace), REFUSED)?.value;
  return written === undefined ? 'refuse' : { namespace, name: written, slotKey: `${namespace}/${written}` };
}

/** The headers of the ConfigMap, sorted by name (lower-case), or the problem with it. */
export function readHeaderTemplates(configMap: ConfigMapObject | undefined, name: string): AuthProxyHeadersReading {
  if (configMap === undefined) return { problem: `configmap "${name}" was not found` };
  const entries = Object.entries(configMap.data);
  if (entries.length > MAX_HEADERS) return { problem: `configmap "${name}" holds more than ${MAX_HEADERS} headers` };
  const headers: [string, readonly TemplatePart[]][] = [];
  const refused: string[] = [];
  for (const [header, value] of entries) {
    const template = parseValueTemplate(value.trim())?.value;
    if (HEADER.test(header) && !RESERVED.has(header.toLowerCase()) && template !== undefined) headers.push([header.toLowerCase(), template]);
    else refused.push(header);
  }
  if (refused.length > 0) {
    return { problem: `configmap "${name}": keys that cannot be sent (not a header name of letters, digits, - and _, a header Bollard sets itself, or a value with a variable other than $scheme, $host, $request_uri, $uri, $args and their kin): ${refused.sort().join(', ')}` };
  }
  headers.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { headers };
}

function parseName(written: string, namespace: string): { value: string } | undefined {
  if (!NAME.test(written)) return undefined;
  const at = written.indexOf('/');
  if (at < 0) return { value: written };
  return written.slice(0, at) === namespace ? { value: written.slice(at + 1) } : undefined;
}
