// TLS contexts by server name, rebuilt from the routing table's TLS section on every table swap.
// A context is reused while its Secret's PEM is unchanged, so a swap costs nothing for
// certificates that did not change; a certificate that fails to load is logged and its hosts
// fall back to the default certificate (or, with sniStrict, to a failed handshake).
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { lookupServerName } from '../../routing/match.ts';
import type { TlsCertificate, TlsTable } from '../../routing/types.ts';

export interface SniOptions {
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher list for TLS ≤ 1.2; undefined keeps Node's defaults. */
  readonly ciphers: string | undefined;
}

interface Loaded {
  readonly certPem: string;
  readonly keyPem: string;
  readonly context: SecureContext | undefined;
}

/** Extra certificates beside the table's (ACME-issued ones): looked up after the table. */
export type CertificateSource = (servername: string) => TlsCertificate | undefined;

export class SniContexts {
  private byHost = new Map<string, SecureContext>();
  private byWildcard = new Map<string, SecureContext>();
  private loaded = new Map<string, Loaded>();
  private readonly options: SniOptions;
  private readonly onError: (secret: string, err: unknown) => void;
  private readonly extra: CertificateSource | undefined;

  constructor(options: SniOptions, onError: (secret: string, err: unknown) => void, extra?: CertificateSource) {
    this.options = options;
    this.onError = onError;
    this.extra = extra;
  }

  contextOptions(pair: { certPem: string; keyPem: string }): SecureContextOptions {
    return {
      cert: pair.certPem, key: pair.keyPem, minVersion: this.options.minVersion,
      ...(this.options.ciphers === undefined ? {} : { ciphers: this.options.ciphers }),
    };
  }

  update(tls: TlsTable): void {
    const nextLoaded = new Map<string, Loaded>();
    const resolve = (cert: TlsCertificate): SecureContext | undefined => this.load(cert, nextLoaded);
    this.byHost = mapDefined(tls.hosts, resolve);
    this.byWildcard = mapDefined(tls.wildcards, resolve);
    this.loaded = nextLoaded;
  }

  /** The context for a (lower-case) server name: exact, then wildcard, then the extra source. */
  lookup(servername: string): SecureContext | undefined {
    const fromTable = lookupServerName(this.byHost, this.byWildcard, servername);
    if (fromTable) return fromTable;
    const extra = this.extra?.(servername);
    return extra ? this.load(extra, this.loaded) : undefined;
  }

  private load(cert: TlsCertificate, into: Map<string, Loaded>): SecureContext | undefined {
    const key = `${cert.secret.namespace}/${cert.secret.name}`;
    const previous = into.get(key) ?? this.loaded.get(key);
    if (previous && previous.certPem === cert.certPem && previous.keyPem === cert.keyPem) {
      into.set(key, previous);
      return previous.context;
    }
    let context: SecureContext | undefined;
    try {
      context = createSecureContext(this.contextOptions(cert));
    } catch (err: unknown) {
      this.onError(key, err);
    }
    into.set(key, { certPem: cert.certPem, keyPem: cert.keyPem, context });
    return context;
  }
}

function mapDefined<V>(source: ReadonlyMap<string, TlsCertificate>, f: (c: TlsCertificate) => V | undefined): Map<string, V> {
  const out = new Map<string, V>();
  for (const [host, cert] of source) {
    const v = f(cert);
    if (v !== undefined) out.set(host, v);
  }
  return out;
}
