// custom-headers: the ConfigMap whose data are response headers for the Ingress's routes (nginx's
// more_set_headers, as ingress-nginx writes them). The annotation is read here; the ConfigMap when
// the chain is built (../custom-header-maps.ts), so a change of the ConfigMap alone reaches the routes.
import type { IngressObject } from '../../snapshot/model.ts';
import type { ConfigMapObject } from '../../snapshot/model.ts';
import type { AnnotationReader } from './reader.ts';

/** A ConfigMap of the Ingress's namespace, by "namespace/name". */
export interface CustomHeadersNeed {
  readonly namespace: string;
  readonly name: string;
  readonly slotKey: string;
}

export type CustomHeadersReading =
  | { readonly headers: readonly (readonly [string, string])[]; readonly refused: readonly string[] }
  | { readonly problem: string };

const NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Headers about the connection or the framing, which Bollard writes itself. */
const RESERVED = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'content-length', 'te', 'trailer', 'upgrade']);
const MAX_HEADERS = 100;

export function readCustomHeaders(read: AnnotationReader, ingress: IngressObject): CustomHeadersNeed | undefined {
  const { namespace } = ingress;
  const written = read('custom-headers', 'namespace/name of a ConfigMap of the Ingress\'s namespace (or its name)', (w) => parseName(w, namespace))?.value;
  return written === undefined ? undefined : { namespace, name: written, slotKey: `${namespace}/${written}` };
}

/** The headers of the ConfigMap, sorted by name (lower-case); entries that cannot be headers are refused by name. */
export function readHeaderMap(configMap: ConfigMapObject | undefined, name: string): CustomHeadersReading {
  if (configMap === undefined) return { problem: `configmap "${name}" was not found` };
  const entries = Object.entries(configMap.data);
  if (entries.length > MAX_HEADERS) return { problem: `configmap "${name}" holds more than ${MAX_HEADERS} headers` };
  const headers: [string, string][] = [];
  const refused: string[] = [];
  for (const [header, value] of entries) {
    const lower = header.toLowerCase();
    if (TOKEN.test(header) && VALUE.test(value) && !RESERVED.has(lower)) headers.push([lower, value.trim()]);
    else refused.push(header);
  }
  headers.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { headers, refused: refused.sort() };
}

function parseName(written: string, namespace: string): { value: string } | undefined {
  if (!NAME.test(written)) return undefined;
  const at = written.indexOf('/');
  if (at < 0) return { value: written };
  return written.slice(0, at) === namespace ? { value: written.slice(at + 1) } : undefined;
}
