// Validation of the data-plane flags (options-dataplane.ts).
import { z } from 'zod';
import { usableCpus } from './cpu-limit.ts';
import { commaList } from './comma-list.ts';

const bool = z.enum(['true', 'false']).transform((s) => s === 'true');
const seconds = (max: number) => z.coerce.number().int().min(0).max(max);
const cidr = z.string().refine((s) => z.union([z.cidrv4(), z.cidrv6(), z.ipv4(), z.ipv6()]).safeParse(s).success, 'expected a CIDR such as 10.0.0.0/8');
/** Comma-separated CIDRs (or addresses); empty: none. */
const cidrList = commaList.pipe(z.array(cidr));

const SIZE = /^(\d+)([kmg]?)$/i;
const UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** nginx-style sizes: "0" (unlimited → undefined), N, Nk, Nm, Ng (binary multiples). */
export function parseSize(text: string): number | undefined | null {
  const m = SIZE.exec(text.trim());
  if (!m) return null;
  const bytes = Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? 1);
  return bytes === 0 ? undefined : bytes;
}

/** A list of MIME types such as `text/plain application/json`, spaces or commas between. */
const mimeTypes = z.string().transform((s) => s.split(/[\s,]+/).map((t) => t.trim().toLowerCase()).filter((t) => t !== ''))
  .pipe(z.array(z.string().regex(/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/, 'expected MIME types such as text/plain')));

export const dataPlaneShape = {
  workers: z.string().transform((s, ctx) => {
    if (s === 'auto') return usableCpus();
    const n = Number(s);
    if (Number.isInteger(n) && n >= 0 && n <= 64) return n;
    ctx.addIssue({ code: 'custom', message: 'expected "auto" or a whole number from 0 to 64' });
    return z.NEVER;
  }),
  workerIpcTimeoutMs: z.coerce.number().int().min(1).max(600_000),
  defaultTlsCertFile: z.string(),
  defaultTlsKeyFile: z.string(),
  tlsMinVersion: z.enum(['TLSv1.2', 'TLSv1.3']),
  tlsCiphers: z.string(),
  sniStrict: bool,
  enableSslPassthrough: bool,
  proxyProtocol: bool,
  proxyProtocolTrustedCidrs: cidrList,
  h2c: bool,
  sslRedirect: bool,
  forceSslRedirect: bool,
  hsts: bool,
  hstsMaxAgeSeconds: z.coerce.number().int().min(0).max(2 ** 31 - 1),
  hstsIncludeSubdomains: bool,
  hstsPreload: bool,
  httpsRedirectPort: z.coerce.number().int().min(1).max(65535),
  httpPublicPort: z.coerce.number().int().min(1).max(65535),
  trustedProxies: cidrList,
  via: bool,
  useGzip: bool,
  gzipLevel: z.coerce.number().int().min(1).max(9),
  gzipMinLength: z.coerce.number().int().min(0).max(2 ** 31 - 1),
  gzipTypes: mimeTypes,
  enableBrotli: bool,
  brotliLevel: z.coerce.number().int().min(0).max(11),
  brotliMinLength: z.coerce.number().int().min(0).max(2 ** 31 - 1),
  brotliTypes: mimeTypes,
  accessLog: bool,
  loadBalance: z.enum(['round-robin', 'least-request', 'ewma']),
  proxyReadTimeoutSeconds: z.coerce.number().int().min(1).max(3600),
  tunnelIdleTimeoutSeconds: z.coerce.number().int().min(1).max(86_400),
  proxyBodySize: z.string().transform((s, ctx) => {
    const size = parseSize(s);
    if (size !== null) return size;
    ctx.addIssue({ code: 'custom', message: 'expected 0, N, Nk, Nm or Ng' });
    return z.NEVER;
  }),
  upstreamConnectTimeoutMs: z.coerce.number().int().min(1).max(600_000),
  upstreamRetries: z.coerce.number().int().min(0).max(10),
  ejectAfterFailures: z.coerce.number().int().min(1).max(1000),
  ejectSeconds: seconds(3600),
  limitRejectionStatus: z.coerce.number().int().min(400).max(599),
  globalRateLimitStatus: z.coerce.number().int().min(400).max(599),
  globalRateLimitSyncMs: z.coerce.number().int().min(10).max(10_000),
  globalRateLimitEtcdPrefix: z.string().regex(/^\/[A-Za-z0-9._/-]*\/$/, 'expected a path ending in /, such as /bollard/ratelimit/'),
  enableUnderscoresInHeaders: bool,
  maxHeaderBytes: z.coerce.number().int().min(1024).max(1024 * 1024),
  clientHeaderTimeoutSeconds: z.coerce.number().int().min(1).max(3600),
  clientRequestTimeoutSeconds: seconds(86_400),
  keepaliveTimeoutSeconds: seconds(3600),
  h2MaxConcurrentStreams: z.coerce.number().int().min(1).max(10_000),
};
