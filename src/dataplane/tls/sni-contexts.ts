// TLS contexts by server name, rebuilt from the routing table's TLS section on every table swap.
// A context is reused while its Secret's PEM is unchanged, so a swap costs nothing for
// certificates that did not change. A Gateway listener's certificate with client-certificate
// validation gets a context of its own that trusts only the listener's CAs. A certificate that fails to load is reported (onError: log
// and metric) and looked up as `failed`: its hosts get the default certificate, counted as such
// in bollard_tls_handshakes_total, or a refused handshake with sniStrict.
import { createHash } from 'node:crypto';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { lookupServerName, ownTable, type LocalEnd } from '../../routing/match.ts';
import type { ClientCertificateValidation, ClientValidationsByHost, TlsCertificate, TlsTable } from '../../routing/types.ts';
import { sameClientValidation } from '../../routing/client-validation.ts';

export interface SniOptions {
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher list for TLS ≤ 1.2; undefined keeps Node's defaults. */
  readonly ciphers: string | undefined;
}

interface Loaded {
  readonly certificate: TlsCertificate;
  readonly context: SecureContext | 'failed';
}

/** A context for a handshake, with the table's entry it was made from (for ACME's certificates, only with the host's auth-tls). */
export interface ServerContext {
  readonly context: SecureContext;
  /** Its Gateway listener and client-certificate validation: tls-accept.ts asks for a certificate, misdirected.ts compares. */
  readonly entry?: TlsCertificate;
  /** From the extra source (ACME), which answers before the table's host-less listener. */
  readonly extra?: true;
}

/**
 * What a server name gets on a connection (whose local address picks a Gateway's own
 * certificates): a context, `failed` (its certificate could not be loaded), or nothing.
 */
export type SniLookup = (servername: string, connection?: LocalEnd) => ServerContext | 'failed' | undefined;

type Context = ServerContext | 'failed';

/** One TLS table's contexts: the shared one, or a Gateway's own address's. */
interface ContextSet {
  readonly byHost: Map<string, Context>;
  readonly byWildcard: Map<string, Context>;
  readonly anyHost: Context | undefined;
}

const NO_CONTEXTS: ContextSet = { byHost: new Map(), byWildcard: new Map(), anyHost: undefined };

/**
 * A certificate's own cipher settings (nginx ssl-ciphers, ssl-prefer-server-ciphers) win over the
 * listener's. With client-certificate validation, only the listener's CAs are trusted, and the
 * session ID context (which OpenSSL requires to resume sessions of a context that verifies peers)
 * names the validation, so no session crosses to a context that validates differently.
 */
export function secureContextOptions(
  options: SniOptions, pair: Pick<TlsCertificate, 'certPem' | 'keyPem' | 'ciphers' | 'preferServerCiphers' | 'clientValidation'>,
): SecureContextOptions {
  const ciphers = pair.ciphers ?? options.ciphers;
  const validation = pair.clientValidation;
  return {
    cert: pair.certPem, key: pair.keyPem, minVersion: options.minVersion,
    ...(ciphers === undefined ? {} : { ciphers }),
    ...(pair.preferServerCiphers === true ? { honorCipherOrder: true } : {}),
    ...(validation === undefined ? {} : { ca: validation.caPem, sessionIdContext: validationKey(validation) }),
    ...(validation?.crlPem === undefined ? {} : { crl: validation.crlPem }),
  };
}

/** validationKey's answers: a lookup of an ACME certificate's context computes it per handshake. */
const validationKeys = new WeakMap<ClientCertificateValidation, string>();

/** 32 hex characters (OpenSSL's session ID context limit) naming a validation's mode, CAs, CRL and depth. */
function validationKey(v: ClientCertificateValidation): string {
  let key = validationKeys.get(v);
  if (key === undefined) {
    key = createHash('sha256').update(`${v.mode}\n${v.verifyDepth ?? ''}\n${v.caPem}\n${v.crlPem ?? ''}`).digest('hex').slice(0, 32);
    validationKeys.set(v, key);
  }
  return key;
}

function sameSettings(a: TlsCertificate, b: TlsCertificate): boolean {
  return a.certPem === b.certPem && a.keyPem === b.keyPem && a.ciphers === b.ciphers && a.preferServerCiphers === b.preferServerCiphers &&
    sameClientValidation(a.clientValidation, b.clientValidation);
}

/** Extra certificates beside the table's (ACME-issued ones): looked up after the table. */
export type CertificateSource = (servername: string) => TlsCertificate | undefined;

export class SniContexts {
  private shared: ContextSet = NO_CONTEXTS;
  /** auth-tls of the shared table's hosts without a certificate there (TlsTable.clientValidations): applied to ACME's. */
  private sharedValidations: ClientValidationsByHost | undefined;
  /** Gateways' own addresses (RoutingTable.byAddress): only their certificates answer there. */
  private byAddress = new Map<string, ContextSet>();
  private portListeners: readonly unknown[] | undefined;
  private loaded = new Map<string, Loaded>();
  private readonly options: SniOptions;
  private readonly onError: (secret: string, err: unknown) => void;
  private readonly extra: CertificateSource | undefined;
  /** An ACME certificate with a host's auth-tls, made once per certificate and validation (not per handshake). */
  private readonly extraWithValidation = new WeakMap<TlsCertificate, { readonly validation: ClientCertificateValidation; readonly served: TlsCertificate }>();

  constructor(options: SniOptions, onError: (secret: string, err: unknown) => void, extra?: CertificateSource) {
    this.options = options;
    this.onError = onError;
    this.extra = extra;
  }

  update(tls: TlsTable, byAddress?: ReadonlyMap<string, { readonly tls: TlsTable }>, portListeners?: readonly unknown[]): void {
    const nextLoaded = new Map<string, Loaded>();
    const resolve = (cert: TlsCertificate): Context => {
      const context = this.load(cert, nextLoaded);
      return context === 'failed' ? context : { context, entry: cert };
    };
    const contexts = (t: TlsTable): ContextSet => ({
      byHost: mapValues(t.hosts, resolve), byWildcard: mapValues(t.wildcards, resolve), anyHost: t.anyHost === undefined ? undefined : resolve(t.anyHost),
    });
    this.shared = withOwnAuthTls(contexts(tls), tls, resolve);
    this.sharedValidations = tls.clientValidations;
    this.byAddress = new Map([...byAddress ?? []].map(([address, table]) => [address, contexts(table.tls)]));
    this.portListeners = portListeners;
    this.loaded = nextLoaded;
  }

  /**
   * The context for a (lower-case) server name: exact, then wildcard, then the extra source, then
   * any host's. On a Gateway's own address only that Gateway's certificates count.
   */
  lookup(servername: string, connection?: LocalEnd): Context | undefined {
    const own = this.byAddress.size === 0 ? undefined : ownTable(this.byAddress, this.portListeners, connection);
    if (own !== undefined) return lookupServerName(own.byHost, own.byWildcard, servername) ?? own.anyHost;
    const set = this.shared;
    const fromTable = lookupServerName(set.byHost, set.byWildcard, servername);
    if (fromTable !== undefined && fromTable !== 'failed') return fromTable;
    const extra = this.extra?.(servername);
    if (extra) return this.extraContext(extra, servername);
    return fromTable ?? set.anyHost;
  }

  /** An ACME certificate, asking for the host's client certificate when the host has auth-tls. */
  private extraContext(extra: TlsCertificate, servername: string): Context {
    const validations = this.sharedValidations;
    const clientValidation = validations === undefined ? undefined : lookupServerName(validations.hosts, validations.wildcards, servername);
    const served = clientValidation === undefined ? extra : this.withValidation(extra, clientValidation);
    const context = this.load(served, this.loaded);
    if (context === 'failed') return context;
    return clientValidation === undefined ? { context, extra: true } : { context, extra: true, entry: served };
  }

  private withValidation(extra: TlsCertificate, validation: ClientCertificateValidation): TlsCertificate {
    const made = this.extraWithValidation.get(extra);
    if (made?.validation === validation) return made.served;
    const served = { ...extra, clientValidation: validation };
    this.extraWithValidation.set(extra, { validation, served });
    return served;
  }

  private load(cert: TlsCertificate, into: Map<string, Loaded>): SecureContext | 'failed' {
    // Hosts may serve one Secret with different ciphers or client validation: each set of settings has its own context.
    const key = contextKey(cert);
    const previous = into.get(key) ?? this.loaded.get(key);
    if (previous && sameSettings(previous.certificate, cert)) {
      into.set(key, previous);
      return previous.context;
    }
    let context: SecureContext | 'failed';
    try {
      context = createSecureContext(secureContextOptions(this.options, cert));
    } catch (err: unknown) {
      this.onError(`${cert.secret.namespace}/${cert.secret.name}`, err);
      context = 'failed';
    }
    into.set(key, { certificate: cert, context });
    return context;
  }
}

/**
 * A table wildcard's certificate that answers a host whose own spec.tls entry (naming no Secret)
 * sets auth-tls asks for the host's client certificate, as that entry's routes expect: the host
 * gets the certificate with its validation among the exact names, made at the swap.
 */
function withOwnAuthTls(set: ContextSet, tls: TlsTable, resolve: (cert: TlsCertificate) => Context): ContextSet {
  const validations = tls.clientValidations?.hosts;
  if (validations === undefined) return set;
  let byHost: Map<string, Context> | undefined;
  for (const [host, clientValidation] of validations) {
    const wildcard = lookupServerName(tls.hosts, tls.wildcards, host);
    if (wildcard === undefined || wildcard.clientValidation !== undefined) continue;
    byHost ??= new Map(set.byHost);
    byHost.set(host, resolve({ ...wildcard, clientValidation }));
  }
  return byHost === undefined ? set : { ...set, byHost };
}

function mapValues<V>(source: ReadonlyMap<string, TlsCertificate>, f: (c: TlsCertificate) => V): Map<string, V> {
  const out = new Map<string, V>();
  for (const [host, cert] of source) out.set(host, f(cert));
  return out;
}

function contextKey(cert: TlsCertificate): string {
  const secret = `${cert.secret.namespace}/${cert.secret.name}`;
  const ciphers = cert.ciphers === undefined && cert.preferServerCiphers === undefined ? '' : ` ${cert.ciphers ?? ''} ${String(cert.preferServerCiphers ?? '')}`;
  return `${secret}${ciphers}${cert.clientValidation === undefined ? '' : ` client:${validationKey(cert.clientValidation)}`}`;
}
