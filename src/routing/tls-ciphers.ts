// A host's certificate with its Ingress's cipher settings (nginx ssl-ciphers,
// ssl-prefer-server-ciphers). The settings travel with the certificate because the data plane
// builds one secure context per certificate; one object per certificate and settings, so an
// unchanged host keeps the same certificate object from build to build.
import type { Engine } from './engine.ts';
import type { TlsCertificate } from './types.ts';
import type { HostCiphers } from './nginx/ssl-ciphers.ts';

export function withHostCiphers(engine: Engine, certificate: TlsCertificate, settings: HostCiphers | undefined): TlsCertificate {
  if (settings === undefined) return certificate;
  const key = `${settings.ciphers ?? ''} ${settings.preferServerCiphers ?? ''}`;
  let variants = engine.cipheredCertificates.get(certificate);
  if (variants === undefined) {
    variants = new Map();
    engine.cipheredCertificates.set(certificate, variants);
  }
  let variant = variants.get(key);
  if (variant === undefined) {
    variant = {
      ...certificate,
      ...(settings.ciphers === undefined ? {} : { ciphers: settings.ciphers }),
      ...(settings.preferServerCiphers === undefined ? {} : { preferServerCiphers: settings.preferServerCiphers }),
    };
    variants.set(key, variant);
  }
  return variant;
}
