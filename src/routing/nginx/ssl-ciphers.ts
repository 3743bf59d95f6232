// ssl-ciphers and ssl-prefer-server-ciphers: the cipher list (OpenSSL syntax) and cipher order of a
// host's own certificate. An OpenSSL list is only known to be usable once OpenSSL has read it, so
// it is tried on an empty secure context (pure: no I/O; a list that selects nothing throws).
// read.ts reports invalid values; the TLS processor takes the valid ones (hostCiphersOf).
import { createSecureContext } from 'node:tls';
import type { IngressObject } from '../../snapshot/model.ts';
import type { Parsed } from '../option-values.ts';
import { NGINX_PREFIX } from './catalog.ts';
import { parseGoBoolean } from './values.ts';

/** What an Ingress asks of the TLS of its hosts. */
export interface HostCiphers {
  readonly ciphers: string | undefined;
  readonly preferServerCiphers: boolean | undefined;
}

const MAX_LENGTH = 4096;

/** A cipher list OpenSSL accepts: at least one cipher selected, visible ASCII only. */
export function parseCipherList(written: string): Parsed<string> | undefined {
  const list = written.trim();
  if (list === '' || list.length > MAX_LENGTH || !/^[\x21-\x7e]+$/.test(list)) return undefined;
  try {
    createSecureContext({ ciphers: list });
  } catch {
    return undefined;
  }
  return { value: list };
}

/** The valid settings of ssl-ciphers and ssl-prefer-server-ciphers; undefined when neither is. */
export function hostCiphersOf(ingress: IngressObject): HostCiphers | undefined {
  const written = ingress.annotations[`${NGINX_PREFIX}ssl-ciphers`];
  const prefer = ingress.annotations[`${NGINX_PREFIX}ssl-prefer-server-ciphers`];
  const ciphers = written === undefined ? undefined : parseCipherList(written)?.value;
  const preferServerCiphers = prefer === undefined ? undefined : parseGoBoolean(prefer)?.value;
  return ciphers === undefined && preferServerCiphers === undefined ? undefined : { ciphers, preferServerCiphers };
}
