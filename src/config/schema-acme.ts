// Validation of the ACME and etcd flags (options-acme.ts).
import { z } from 'zod';
import { commaList as list } from './comma-list.ts';

const endpoint = z.string().regex(/^https?:\/\/[^/\s]+$/, 'expected http(s)://host:port');

export const acmeShape = {
  etcdEndpoints: list.pipe(z.array(endpoint)),
  etcdPrefix: z.string().regex(/^\/[A-Za-z0-9._/-]*$/, 'expected a path such as /bollard/acme/'),
  etcdCaFile: z.string(),
  etcdCertFile: z.string(),
  etcdKeyFile: z.string(),
  acmeEnabled: z.enum(['true', 'false']).transform((s) => s === 'true'),
  acmeDirectory: z.url({ protocol: /^https?$/ }),
  acmeEmail: z.union([z.literal(''), z.email()]),
  acmeCaFile: z.string(),
  acmeLeaseTtlSeconds: z.coerce.number().int().min(2).max(300),
  acmeReadyTimeoutSeconds: z.coerce.number().int().min(0).max(3600),
  acmeIssuer: z.union([z.literal(''), z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'expected the name of an AcmeIssuer (a DNS subdomain)')]),
  acmeWriteTlsSecrets: z.enum(['true', 'false']).transform((s) => s === 'true'),
};

/** Cross-field rules, for the controller schema's superRefine. */
export function checkAcme(c: { acmeEnabled: boolean; etcdEndpoints: readonly string[]; etcdCertFile: string; etcdKeyFile: string }, ctx: z.RefinementCtx): void {
  if (c.acmeEnabled && c.etcdEndpoints.length === 0) ctx.addIssue({ code: 'custom', message: 'acme-enabled needs etcd-endpoints', path: ['etcdEndpoints'] });
  if ((c.etcdCertFile === '') !== (c.etcdKeyFile === '')) ctx.addIssue({ code: 'custom', message: 'etcd-cert-file and etcd-key-file go together', path: ['etcdCertFile'] });
}
