// A host's certificate with its Ingress's cipher settings (nginx ssl-ciphers,
// ssl-prefer-server-ciphers) and its client-certificate validation (nginx auth-tls). The settings
// travel with the certificate because the data plane builds one secure context per certificate;
// one object per certificate and settings, so an unchanged host keeps the same certificate object
// from build to build.
import type { Engine } from './engine.ts';
import type { ClientCertificateValidation, TlsCertificate } from './types.ts';
import type { HostCiphers } from './nginx/ssl-ciphers.ts';

export function withHostSettings(
  engine: Engine, certificate: TlsCertificate, settings: HostCiphers | undefined, validation: ClientCertificateValidation | undefined,
): TlsCertificate {
  if (settings === undefined && validation === undefined) return certificate;
  const key = `${settings?.ciphers ?? ''} ${settings?.preferServerCiphers ?? ''} ${validation === undefined ? '' : JSON.stringify(validation)}`;
  let variants = engine.cipheredCertificates.get(certificate);
  if (variants === undefined) {
    variants = new Map();
    engine.cipheredCertificates.set(certificate, variants);
  }
  let variant = variants.get(key);
  if (variant === undefined) {
    variant = variantOf(certificate, settings, validation);
    variants.set(key, variant);
  }
  return variant;
}

function variantOf(certificate: TlsCertificate, settings: HostCiphers | undefined, validation: ClientCertificateValidation | undefined): TlsCertificate {
  const { ciphers, preferServerCiphers } = settings ?? {};
  return {
    ...certificate,
    ...(ciphers === undefined ? {} : { ciphers }),
    ...(preferServerCiphers === undefined ? {} : { preferServerCiphers }),
    ...(validation === undefined ? {} : { clientValidation: validation }),
  };
}
