// ClientCertificateAuth (nginx auth-tls-*): judges, per request, the client certificate the
// connection's handshake asked for and verified (tls/client-certificate.ts), as nginx does after
// its handshake: 400 (or a 302 to the error page) for a missing or failed certificate where the
// mode requires one, 403 for a subject the match-cn pattern does not find, then the ssl-client-*
// headers upstream, replacing any the client sent.
import type { X509Certificate } from 'node:crypto';
import type { ClientCertificateAuth } from '../../routing/middleware.ts';
import type { ClientCertificateVerdict } from '../tls/client-certificate.ts';
import type { ForwardPlan, LocalAnswer, Step } from './step.ts';

/** nginx's texts for its 496 and 495, both answered 400. */
const NO_CERTIFICATE = 'No required SSL certificate was sent';
const BAD_CERTIFICATE = 'The SSL certificate error';
const FORBIDDEN: LocalAnswer = { status: 403, text: 'client certificate unauthorized', headers: {} };
const NONE: ClientCertificateVerdict = { verify: 'NONE', certificate: undefined };
/** What this step sets for the upstream (and forward-auth.ts for its service). */
export const CERTIFICATE_HEADERS: readonly string[] = ['ssl-client-verify', 'ssl-client-subject-dn', 'ssl-client-issuer-dn', 'ssl-client-cert'];

export function compileClientCertificateAuth(filter: ClientCertificateAuth): Step {
  const pattern = filter.matchSubject === undefined ? undefined : new RegExp(filter.matchSubject);
  return (req, plan) => {
    // The route's https redirect answers plain HTTP (but for what it exempts, as ACME challenges,
    // and upgrades, whose chain runs first): nothing to judge, and as nginx's empty $ssl_client_*
    // nothing of the client's under these names goes on, to the upstream or an auth service.
    // Without the redirect, plain HTTP has sent no certificate.
    if (req.proto === 'http' && filter.plainHttpRedirected) {
      plan.removeHeaders.push(...CERTIFICATE_HEADERS);
      return undefined;
    }
    const verdict = (req.proto === 'https' ? req.clientCertificate() : undefined) ?? NONE;
    const refused = refusal(filter, verdict.verify);
    if (refused !== undefined) return refused;
    const facts = verdict.certificate === undefined ? undefined : factsOf(verdict.certificate);
    if (pattern !== undefined && !pattern.test(facts?.subject ?? '')) return FORBIDDEN;
    setHeaders(plan, filter, verdict.verify, facts);
    return undefined;
  };
}

function refusal(filter: ClientCertificateAuth, verify: string): LocalAnswer | undefined {
  const none = verify === 'NONE';
  const failed = verify.startsWith('FAILED:');
  if (filter.verify === 'on' && (none || failed)) return failure(filter, none ? NO_CERTIFICATE : BAD_CERTIFICATE);
  if (filter.verify === 'optional' && failed) return failure(filter, BAD_CERTIFICATE);
  return undefined;
}

function failure(filter: ClientCertificateAuth, text: string): LocalAnswer {
  if (filter.errorPage !== undefined) return { status: 302, text: 'redirecting', headers: { location: filter.errorPage } };
  return { status: 400, text, headers: {} };
}

/** nginx's proxy_set_header: an empty value sends no header (and drops the client's). */
function setHeaders(plan: ForwardPlan, filter: ClientCertificateAuth, verify: string, facts: CertificateFacts | undefined): void {
  plan.setHeaders.push(['ssl-client-verify', verify]);
  const values: [string, string | undefined][] = [
    ['ssl-client-subject-dn', facts?.subject], ['ssl-client-issuer-dn', facts?.issuer], ['ssl-client-cert', filter.passCertificate ? facts?.escapedPem : undefined],
  ];
  for (const [name, value] of values) {
    if (value === undefined || value === '') plan.removeHeaders.push(name);
    else plan.setHeaders.push([name, value]);
  }
}

interface CertificateFacts {
  readonly subject: string;
  readonly issuer: string;
  readonly escapedPem: string;
}

/** Worked out once per certificate (a connection's requests share its certificate object). */
const factsCache = new WeakMap<X509Certificate, CertificateFacts>();

function factsOf(certificate: X509Certificate): CertificateFacts {
  let facts = factsCache.get(certificate);
  if (facts === undefined) {
    facts = { subject: rfc2253(certificate.subject), issuer: rfc2253(certificate.issuer), escapedPem: escapeComponent(certificate.toString()) };
    factsCache.set(certificate, facts);
  }
  return facts;
}

/**
 * OpenSSL's RFC 2253 form, as nginx's $ssl_client_s_dn: node:crypto prints the name one RDN a line
 * in certificate order (special characters already escaped RFC 2253's way); RFC 2253 lists them
 * last first, comma-separated, multi-valued ones joined by "+", bytes beyond ASCII as \XX.
 */
export function rfc2253(multiline: string | undefined): string {
  if (multiline === undefined || multiline === '') return '';
  const rdns = multiline.split('\n').reverse().map((rdn) => rdn.replaceAll(' + ', '+'));
  return escapeNonAscii(rdns.join(','));
}

function escapeNonAscii(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x20 && code <= 0x7e) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `\\${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** nginx's $ssl_client_escaped_cert: every byte but letters, digits and -._~ as %XX. */
export function escapeComponent(text: string): string {
  return text.replace(/[^A-Za-z0-9._~-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
