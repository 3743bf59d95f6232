// Data-plane flags: TLS, redirects, forwarding headers, upstream behaviour, listener limits.
import { option, type OptionSpec } from './option.ts';

export const dataPlaneOptions: readonly OptionSpec[] = [
  option('workers', 'Data-plane worker processes sharing the ports: a number or "auto" (one per CPU). 1 serves in-process.', 'auto'),
  option('default-tls-cert-file', 'PEM certificate served when no Ingress certificate matches; empty generates a self-signed one.', ''),
  option('default-tls-key-file', 'PEM key for --default-tls-cert-file.', ''),
  option('tls-min-version', 'Lowest TLS version accepted: TLSv1.2 or TLSv1.3.', 'TLSv1.2'),
  option('tls-ciphers', 'OpenSSL cipher list for TLS 1.2; empty keeps Node\'s defaults.', ''),
  option('sni-strict', 'Fail the TLS handshake when no certificate matches the SNI name (true/false).', 'false'),
  option('force-ssl-redirect', 'Redirect plain HTTP to HTTPS for every host, not only hosts with TLS (true/false).', 'false'),
  option('https-redirect-port', 'The public HTTPS port: written in HTTPS redirects and in X-Forwarded-Port for HTTPS.', '443'),
  option('http-public-port', 'The public HTTP port, written in X-Forwarded-Port for plain HTTP.', '80'),
  option('trusted-proxies', 'Comma-separated CIDRs whose X-Forwarded-*/Forwarded headers are trusted.', ''),
  option('via', 'Add a Via header (true/false).', 'false'),
  option('access-log', 'Write one JSON access-log line per request (true/false).', 'true'),
  option('load-balance', 'Default load balancing: round-robin, least-request or ewma.', 'round-robin'),
  option('proxy-read-timeout-seconds', 'Default upstream response header/body inactivity timeout.', '60'),
  option('proxy-body-size', 'Default request body limit: 0 (unlimited), N, Nk, Nm or Ng.', '100m'),
  option('upstream-connect-timeout-ms', 'Upstream connect timeout.', '5000'),
  option('upstream-retries', 'Other endpoints tried when connecting fails (idempotent requests without a body).', '2'),
  option('eject-after-failures', 'Consecutive upstream failures that eject an endpoint.', '5'),
  option('eject-seconds', 'How long an ejected endpoint rests (doubling on repeats, up to 8x).', '10'),
  option('max-header-bytes', 'Largest request head accepted (431 above).', '32768'),
  option('client-header-timeout-seconds', 'Time allowed to send the request head (slowloris guard).', '20'),
  option('client-request-timeout-seconds', 'Time allowed for a whole request including its body; 0 disables.', '300'),
  option('keepalive-timeout-seconds', 'Idle keep-alive time of client connections.', '75'),
  option('h2-max-concurrent-streams', 'HTTP/2 streams per client connection.', '128'),
];
