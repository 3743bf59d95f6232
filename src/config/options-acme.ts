// ACME and etcd flags (docs/acme.md). ACME state lives in etcd so any number of replicas share it.
import { option, type OptionSpec } from './option.ts';

export const acmeOptions: readonly OptionSpec[] = [
  option('etcd-endpoints', 'Comma-separated etcd client URLs (http:// or https://) holding ACME state and the global rate limit counts shared by the replicas.', ''),
  option('etcd-prefix', 'Prefix of every etcd key Bollard writes.', '/bollard/acme/'),
  option('etcd-ca-file', 'PEM CA bundle that signed the etcd servers\' certificates (enables TLS).', ''),
  option('etcd-cert-file', 'PEM client certificate for etcd (with --etcd-key-file).', ''),
  option('etcd-key-file', 'PEM private key of --etcd-cert-file.', ''),
  option('acme-enabled', 'Obtain certificates with ACME for spec.tls hosts without a Secret or with bollard.io/acme: "true"; an entry naming no Secret is then not reported as TLSSecretNotFound (true/false).', 'false'),
  option('acme-directory', 'ACME directory URL.', 'https://acme-v02.api.letsencrypt.org/directory'),
  option('acme-email', 'Contact email of the ACME account; empty registers none.', ''),
  option('acme-ca-file', 'PEM CA trusted for the ACME directory\'s TLS (a private ACME server); empty uses the system CAs.', ''),
  option('acme-lease-ttl-seconds', 'TTL of the ACME leader election and per-name locks: how long a crashed replica blocks.', '15'),
  option('acme-ready-timeout-seconds', 'How long /readyz waits at start for the ACME certificates in etcd to be loaded and served (a host whose certificate lives only there would get the default one); after it the replica is ready without them. 0 does not wait.', '30'),
  option('acme-issuer', 'Name of the cluster-scoped AcmeIssuer to order through (directory, email, EAB, key type, challenge); empty uses --acme-directory and --acme-email.', ''),
  option('acme-write-tls-secrets', 'Write issued certificates into the Ingresses\' spec.tls Secrets (kubernetes.io/tls, labelled as Bollard\'s); Secrets Bollard does not manage are never overwritten (true/false).', 'true'),
];
