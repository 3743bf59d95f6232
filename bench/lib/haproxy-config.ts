// HAProxy (Debian) as the proxy benchmark configures it, built as text (pure): one thread, the
// same upstream keep-alive, forwarding headers and JSON access-log line as the nginx contestant
// (nginx-config.ts). The log goes to stdout, which the benchmark sends to a file, since HAProxy
// writes no log files itself. Every path is inside the instance's own directory.

export interface HaproxyConfigOptions {
  readonly dir: string;
  readonly httpListen: string;
  readonly httpsListen: string;
  /** Certificate and key in one PEM file, as HAProxy wants them. */
  readonly pemBundle: string;
  /** "ip:port" of the backend. */
  readonly upstream: string;
}

// Bollard's access-log fields. The Host header is captured at request time (slot 0): log
// formats run after the request buffer is gone.
const LOG_FORMAT = 'log-format "{\\"time\\":\\"%tr\\",\\"level\\":\\"info\\",\\"msg\\":\\"request\\",\\"log\\":\\"access\\",'
  + '\\"client\\":\\"%ci\\",\\"method\\":\\"%HM\\",\\"host\\":\\"%[capture.req.hdr(0)]\\",\\"path\\":\\"%HPO\\",\\"status\\":%ST,\\"bytes\\":%B,'
  + '\\"durationMs\\":%Ta,\\"ingress\\":\\"bench/proxy\\",\\"service\\":\\"bench/backend:80\\",\\"upstream\\":\\"%si:%sp\\",\\"requestId\\":\\"%ID\\"}"';

export function buildHaproxyConfig(o: HaproxyConfigOptions): string {
  return [
    'global',
    '  nbthread 1',
    '  maxconn 8000',
    `  pidfile ${o.dir}/haproxy.pid`,
    '  log stdout format raw local0',
    '  ssl-default-bind-options ssl-min-ver TLSv1.2',
    'defaults',
    '  mode http',
    '  log global',
    '  option http-keep-alive',
    '  timeout connect 5s',
    '  timeout client 75s',
    '  timeout server 75s',
    '  timeout http-keep-alive 75s',
    'frontend bench',
    `  bind ${o.httpListen} backlog 4096`,
    `  bind ${o.httpsListen} ssl crt ${o.pemBundle} alpn http/1.1 backlog 4096`,
    '  http-request capture req.hdr(host) len 128',
    '  unique-id-format %[uuid()]',
    '  unique-id-header X-Request-Id',
    `  ${LOG_FORMAT}`,
    '  option forwardfor',
    '  http-request set-var(txn.proto) str(https) if { ssl_fc }',
    '  http-request set-var(txn.proto) str(http) unless { ssl_fc }',
    '  http-request set-header X-Forwarded-Proto %[var(txn.proto)]',
    '  http-request set-header X-Forwarded-Host %[req.hdr(host)]',
    '  http-request set-header X-Forwarded-Port %[dst_port]',
    '  http-request set-header Forwarded "for=%[src];host=\\"%[req.hdr(host)]\\";proto=%[var(txn.proto)]"',
    '  default_backend upstream',
    'backend upstream',
    '  http-reuse always',
    `  server backend ${o.upstream} maxconn 256`,
    '',
  ].join('\n');
}
