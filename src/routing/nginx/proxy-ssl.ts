// proxy-ssl-secret, -verify, -verify-depth, -name, -server-name, -ciphers, -protocols: how an
// Ingress's HTTPS and GRPCS backends are reached (nginx's proxy_ssl_* directives). The Secret is
// read when the routes' options are built (../proxy-ssl-secrets.ts), so a change of the Secret
// alone reaches the routes.
import type { IngressObject } from '../../snapshot/model.ts';
import type { Parsed } from '../option-values.ts';
import type { AnnotationReader } from './reader.ts';
import { parseCipherList } from './ssl-ciphers.ts';
import { parseWhole } from './values.ts';

/** What an Ingress asks of the TLS towards its upstreams, before its Secret is read. */
export interface ProxySslNeed {
  readonly verify: boolean;
  readonly verifyDepth: number;
  /** proxy-ssl-name; undefined: the Service's DNS name. */
  readonly name: string | undefined;
  readonly sendServerName: boolean;
  readonly ciphers: string | undefined;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly secret: ProxySslSecretRef | undefined;
}

export interface ProxySslSecretRef {
  readonly namespace: string;
  readonly name: string;
  /** "namespace/name": one reading per Secret. */
  readonly slotKey: string;
}

const KEYS = ['proxy-ssl-secret', 'proxy-ssl-verify', 'proxy-ssl-verify-depth', 'proxy-ssl-name', 'proxy-ssl-server-name', 'proxy-ssl-ciphers', 'proxy-ssl-protocols'];
const SECRET_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;
const HOST_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i;
const OLD_PROTOCOLS = new Set(['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1']);

/** undefined when the Ingress sets none of the proxy-ssl-* annotations. */
export function readProxySsl(read: AnnotationReader, ingress: IngressObject): ProxySslNeed | undefined {
  if (!KEYS.some((key) => read.has(key))) return undefined;
  const onOff = (key: string): boolean => read(key, '"on" or "off"', parseOnOff)?.value === true;
  const [minVersion, maxVersion] = read('proxy-ssl-protocols', 'TLSv1.2 and/or TLSv1.3, space-separated', parseProtocols)?.value ?? ['TLSv1.2', 'TLSv1.3'];
  return {
    verify: onOff('proxy-ssl-verify'),
    verifyDepth: read('proxy-ssl-verify-depth', 'a whole number from 0 to 100', (w) => parseWhole(w, 0, 100))?.value ?? 1,
    name: read('proxy-ssl-name', 'a host name', (w) => (HOST_NAME.test(w) && w.length <= 253 ? { value: w.toLowerCase() } : undefined))?.value,
    sendServerName: onOff('proxy-ssl-server-name'),
    ciphers: read('proxy-ssl-ciphers', 'an OpenSSL cipher list that selects at least one cipher', parseCipherList)?.value,
    minVersion, maxVersion,
    secret: readSecretRef(read, ingress.namespace),
  };
}

function readSecretRef(read: AnnotationReader, namespace: string): ProxySslSecretRef | undefined {
  const accepted = 'the name of a Secret of the Ingress\'s namespace (or namespace/name with its own namespace)';
  const name = read('proxy-ssl-secret', accepted, (w) => parseSecretName(w, namespace))?.value;
  return name === undefined ? undefined : { namespace, name, slotKey: `${namespace}/${name}` };
}

function parseOnOff(written: string): Parsed<boolean> | undefined {
  return written === 'on' ? { value: true } : written === 'off' ? { value: false } : undefined;
}

/**
 * nginx's list of protocols as the lowest and highest Bollard can speak: Node's OpenSSL refuses
 * TLS 1.0 and 1.1 at its default security level, so they are dropped (a list of only those is invalid).
 */
function parseProtocols(written: string): Parsed<readonly ['TLSv1.2' | 'TLSv1.3', 'TLSv1.2' | 'TLSv1.3']> | undefined {
  const items = written.split(/\s+/).filter((s) => s !== '');
  if (items.length === 0 || !items.every((i) => i === 'TLSv1.2' || i === 'TLSv1.3' || OLD_PROTOCOLS.has(i))) return undefined;
  const has12 = items.includes('TLSv1.2');
  const has13 = items.includes('TLSv1.3');
  if (!has12 && !has13) return undefined;
  return { value: [has12 ? 'TLSv1.2' : 'TLSv1.3', has13 ? 'TLSv1.3' : 'TLSv1.2'] };
}

/** "name" or "namespace/name" where namespace is the Ingress's own: a Secret elsewhere is not read. */
function parseSecretName(written: string, namespace: string): Parsed<string> | undefined {
  if (!SECRET_NAME.test(written)) return undefined;
  const at = written.indexOf('/');
  if (at < 0) return { value: written };
  return written.slice(0, at) === namespace ? { value: written.slice(at + 1) } : undefined;
}
