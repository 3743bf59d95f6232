// Every replica's view of the ACME certificates in storage: a watch on certificates/ keeps
// each name's chain and key in memory, and a pair is served (a TLS SecureContext for SNI) only
// once the key matches the certificate, so a half-written renewal never reaches a client. The
// cache outlives etcd outages: what was loaded keeps being served.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from '../log/logger.ts';
import { CERTIFICATES, certificateNameOf } from './keys.ts';
import type { PrefixWatch, WatchChange, WatchableStorage } from './storage.ts';

export interface ServedCertificate {
  readonly name: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** Unix milliseconds. */
  readonly notAfter: number;
  readonly context: SecureContext;
}

export interface CertificateSource {
  /** The certificate for a TLS server name: the exact name, else the wildcard of its parent. */
  lookup(servername: string): ServedCertificate | undefined;
  /** Names with a servable certificate, sorted. */
  names(): string[];
  /** Called with a name whenever its served certificate appears, changes or goes. */
  onChange(fn: (name: string) => void): () => void;
  start(): Promise<void>;
  close(): Promise<void>;
}

interface Parts { cert?: string; key?: string }

function build(name: string, parts: Parts): ServedCertificate | undefined {
  if (parts.cert === undefined || parts.key === undefined) return undefined;
  try {
    const leaf = new X509Certificate(parts.cert);
    if (!leaf.checkPrivateKey(createPrivateKey(parts.key))) return undefined;
    const context = createSecureContext({ cert: parts.cert, key: parts.key });
    return { name, certPem: parts.cert, keyPem: parts.key, notAfter: Date.parse(leaf.validTo), context };
  } catch {
    return undefined;
  }
}

export function createCertificateSource(storage: WatchableStorage, log: Logger, onServed?: (c: ServedCertificate | undefined, name: string) => void): CertificateSource {
  const parts = new Map<string, Parts>();
  const served = new Map<string, ServedCertificate>();
  const listeners = new Set<(name: string) => void>();
  let watch: PrefixWatch | undefined;

  const refresh = (name: string): void => {
    const next = build(name, parts.get(name) ?? {});
    const prev = served.get(name);
    if (next) served.set(name, next);
    else if (parts.get(name)?.cert === undefined) served.delete(name);
    else return; // keep serving the previous pair until the new one is complete
    if (prev?.certPem === next?.certPem) return;
    onServed?.(next, name);
    for (const fn of listeners) fn(name);
  };

  const apply = (key: string, value: Buffer | undefined): string | undefined => {
    const at = certificateNameOf(key);
    if (!at || (at.file !== 'cert.pem' && at.file !== 'key.pem')) return undefined;
    const p = parts.get(at.name) ?? {};
    const text = value?.toString('utf8');
    if (at.file === 'cert.pem') p.cert = text; else p.key = text;
    parts.set(at.name, p);
    return at.name;
  };

  const change = (c: WatchChange): void => {
    const name = apply(c.key, c.type === 'put' ? c.value : undefined);
    if (name !== undefined) refresh(name);
  };

  return {
    lookup(servername) {
      const name = servername.toLowerCase().replace(/\.$/, '');
      const exact = served.get(name);
      if (exact) return exact;
      const dot = name.indexOf('.');
      return dot > 0 ? served.get(`*${name.slice(dot)}`) : undefined;
    },
    names: () => [...served.keys()].sort(),
    onChange(fn) { listeners.add(fn); return () => { listeners.delete(fn); }; },
    async start() {
      watch = await storage.watchPrefix(`${CERTIFICATES}/`, {
        initial: (entries) => {
          const names = new Set<string>();
          for (const [k, v] of entries) { const n = apply(k, v); if (n !== undefined) names.add(n); }
          for (const n of names) refresh(n);
          log.info('ACME certificates loaded', { count: served.size });
        },
        change,
        connection: (up) => { log.info(up ? 'certificate watch connected' : 'certificate watch disconnected; serving from cache'); },
      });
    },
    async close() {
      await watch?.close();
    },
  };
}
