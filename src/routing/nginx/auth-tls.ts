// auth-tls-secret, -verify-client, -verify-depth, -error-page, -pass-certificate-to-upstream,
// -match-cn: what an Ingress asks of client certificates. As in ingress-nginx the settings belong to
// a host, not a route: the TLS processor gives each spec.tls host the settings of its oldest
// Ingress that sets them (../host-client-auth.ts), and every route of the host runs them. The
// Secret (ca.crt, optionally ca.crl) is read there too, so a change of it alone reaches the host.
// Invalid values are reported; where ignoring one would open access (the Secret's name, match-cn)
// the Ingress's routes refuse requests (503) instead.
import type { IngressObject } from '../../snapshot/model.ts';
import type { ClientCertificateAuth, Refuse } from '../middleware.ts';
import type { Diagnostic } from '../types.ts';
import type { Parsed } from '../option-values.ts';
import { diagnostic } from '../diagnostics.ts';
import { annotationReader, type AnnotationReader } from './reader.ts';
import { parseSecretName } from './auth-basic.ts';
import { NGINX_PREFIX } from './catalog.ts';
import { parseGoBoolean, parseWhole } from './values.ts';

export type VerifyClient = ClientCertificateAuth['verify'];

/** An Ingress's valid auth-tls settings. */
export interface AuthTlsNeed {
  /** The Secret with ca.crt (and ca.crl), in the Ingress's namespace. */
  readonly namespace: string;
  readonly name: string;
  readonly verify: VerifyClient;
  /** Certificates allowed above the client's own in its verified chain. */
  readonly verifyDepth: number;
  readonly errorPage: string | undefined;
  readonly passCertificate: boolean;
  readonly matchSubject: string | undefined;
  /** Equal keys mean equal settings. */
  readonly key: string;
}

export type AuthTlsReading = { readonly need: AuthTlsNeed } | { readonly refuse: Refuse } | undefined;

const REFUSED = 'Requests to its routes are refused (503) until it is fixed';
const KEYS = ['auth-tls-verify-client', 'auth-tls-verify-depth', 'auth-tls-error-page', 'auth-tls-pass-certificate-to-upstream', 'auth-tls-match-cn'];
const VERIFY = /^(on|off|optional|optional_no_ca)$/;
/** An http(s) URL or an absolute path, in the characters ingress-nginx allows. */
const ERROR_PAGE = /^((https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?)?(\/[A-Za-z0-9._-]+)*\/?)$/;
const MAX_PATTERN = 1024;
const DEFAULT_DEPTH = 1;

/** The settings, reported as they are read (read.ts). */
export function readAuthTls(read: AnnotationReader, ingress: IngressObject, diagnostics: Diagnostic[]): AuthTlsReading {
  if (!read.has('auth-tls-secret')) {
    reportStray(read, ingress, diagnostics);
    return undefined;
  }
  const refuse = (key: string): AuthTlsReading => ({ refuse: { kind: 'Refuse', status: 503, reason: NGINX_PREFIX + key } });
  const { namespace } = ingress;
  const secret = read('auth-tls-secret', 'the name of a Secret of the Ingress\'s namespace (or namespace/name with its own namespace)', (w) => parseSecretName(w, namespace), REFUSED);
  if (secret === undefined) return refuse('auth-tls-secret');
  const matchSubject = read('auth-tls-match-cn', '"CN=" and a regular expression (JavaScript syntax) the subject DN must match', parseMatchCn, REFUSED);
  if (matchSubject === undefined && read.has('auth-tls-match-cn')) return refuse('auth-tls-match-cn');
  // As ingress-nginx: an invalid verify-client means "on", an invalid (or 0) depth means 1.
  const verify = read('auth-tls-verify-client', 'on, off, optional or optional_no_ca', parseVerify, 'on is used')?.value ?? 'on';
  const depth = read('auth-tls-verify-depth', 'a whole number from 0 to 100', (w) => parseWhole(w, 0, 100), `${DEFAULT_DEPTH} is used`)?.value || DEFAULT_DEPTH;
  const errorPage = read('auth-tls-error-page', 'an http(s) URL or an absolute path', parseErrorPage, 'Refused requests get 400')?.value;
  const passCertificate = read('auth-tls-pass-certificate-to-upstream', '"true" or "false"', parseGoBoolean)?.value === true;
  const settings = {
    namespace, name: secret.value, verify, verifyDepth: depth,
    errorPage, passCertificate, matchSubject: matchSubject?.value,
  };
  return { need: { ...settings, key: JSON.stringify(settings) } };
}

/** The other auth-tls annotations do nothing without auth-tls-secret, as in ingress-nginx: reported. */
function reportStray(read: AnnotationReader, ingress: IngressObject, diagnostics: Diagnostic[]): void {
  const stray = KEYS.filter((key) => read.has(key));
  if (stray.length === 0) return;
  const names = stray.map((key) => NGINX_PREFIX + key).join(', ');
  const message = stray.length === 1
    ? `annotation ${names} needs ${NGINX_PREFIX}auth-tls-secret. It is ignored`
    : `annotations ${names} need ${NGINX_PREFIX}auth-tls-secret. They are ignored`;
  diagnostics.push(diagnostic(ingress, 'InvalidAnnotation', message));
}

/** The settings alone, for the TLS processor (read.ts reports the problems). */
export function authTlsOf(ingress: IngressObject): AuthTlsNeed | undefined {
  if (ingress.annotations[`${NGINX_PREFIX}auth-tls-secret`] === undefined) return undefined;
  const reading = readAuthTls(annotationReader(ingress, []), ingress, []);
  return reading !== undefined && 'need' in reading ? reading.need : undefined;
}

/**
 * The rule hosts the settings cannot act on: those not written in the Ingress's own spec.tls (a
 * spec.tls entry without hosts stands for the rule hosts). Their routes refuse requests.
 */
export function hostsOutsideTls(ingress: IngressObject): string[] {
  const tlsHosts = new Set<string>();
  let allRules = false;
  for (const entry of ingress.tls) {
    if (entry.hosts.length === 0) allRules = true;
    for (const host of entry.hosts) tlsHosts.add(host.toLowerCase());
  }
  const outside = new Set<string>();
  for (const rule of ingress.rules) {
    const host = (rule.host ?? '').toLowerCase();
    if (host === '' || !(allRules || tlsHosts.has(host))) outside.add(host === '' ? '(no host)' : host);
  }
  return [...outside].sort();
}

function parseVerify(written: string): Parsed<VerifyClient> | undefined {
  return VERIFY.test(written) ? { value: written as VerifyClient } : undefined;
}

function parseErrorPage(written: string): Parsed<string> | undefined {
  return written !== '' && ERROR_PAGE.test(written) ? { value: written } : undefined;
}

/** As ingress-nginx: "CN=" first; the whole value is the pattern, matched anywhere in the subject DN. */
function parseMatchCn(written: string): Parsed<string> | undefined {
  if (!written.startsWith('CN=') || written.length > MAX_PATTERN) return undefined;
  try {
    new RegExp(written);
  } catch {
    return undefined;
  }
  return { value: written };
}
