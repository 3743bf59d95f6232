// nginx configurations for the proxy benchmark, built as text (pure). Every path (pid, logs,
// temp files) is inside the instance's own directory, so nothing touches /etc/nginx or /var.

export interface ResponseBody {
  /** "100B", "16KiB": the label used in output and results. */
  readonly name: string;
  readonly path: string;
  readonly bytes: number;
}

export const BODIES: readonly ResponseBody[] = [
  { name: '100B', path: '/100b', bytes: 100 },
  { name: '16KiB', path: '/16k', bytes: 16 * 1024 },
];

// A config token must fit nginx's 4 KiB parse buffer, so larger bodies are `return`ed as a
// concatenation of 2 KiB variables.
const CHUNK = 2048;

function bodyLocation(body: ResponseBody, index: number): string {
  if (body.bytes <= CHUNK) return `    location = ${body.path} { return 200 "${'x'.repeat(body.bytes)}"; }`;
  const full = Math.floor(body.bytes / CHUNK);
  const rest = body.bytes - full * CHUNK;
  const sets = [`set $b${index}c "${'x'.repeat(CHUNK)}";`, ...(rest > 0 ? [`set $b${index}r "${'x'.repeat(rest)}";`] : [])];
  const value = `${`$b${index}c`.repeat(full)}${rest > 0 ? `$b${index}r` : ''}`;
  return `    location = ${body.path} { ${sets.join(' ')} return 200 "${value}"; }`;
}

function common(dir: string, workers: number): string[] {
  return [
    `worker_processes ${workers};`,
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'events { worker_connections 8192; }',
  ];
}

function temps(dir: string): string[] {
  return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t}_temp;`);
}

/**
 * The drip reference (bench/parser.ts): one worker answering 200 to any request whose head fits
 * large_client_header_buffers (4 × 64 KiB, room for the 32 KB head), no log.
 */
export function buildHeadSinkConfig(opts: { dir: string; listen: string }): string {
  return oneWorkerServer(opts.dir, ['  client_header_buffer_size 1k;', '  large_client_header_buffers 4 64k;'], [
    `    listen ${opts.listen};`,
    '    location / { return 200; }',
  ]);
}

/** The backend: static bodies from `return 200`, keep-alive on, no access log. */
export function buildBackendConfig(opts: { dir: string; listen: string; bodies: readonly ResponseBody[] }): string {
  return oneWorkerServer(opts.dir, ['  keepalive_timeout 75s;', '  keepalive_requests 1000000;'], [
    `    listen ${opts.listen} backlog=4096;`,
    ...opts.bodies.map(bodyLocation),
  ]);
}

/** One worker, no access log, temp files in `dir`: the http block's own lines, then one server's. */
function oneWorkerServer(dir: string, http: readonly string[], server: readonly string[]): string {
  return [...common(dir, 1), 'http {', '  access_log off;', ...temps(dir), ...http, '  server {', ...server, '  }', '}', ''].join('\n');
}

export interface ProxyConfigOptions {
  readonly dir: string;
  readonly workers: number;
  readonly httpListen: string;
  readonly httpsListen: string;
  readonly cert: string;
  readonly key: string;
  /** "ip:port" of the backend. */
  readonly upstream: string;
  readonly accessLog: string;
}

// The fields of Bollard's default access-log line, as JSON: both proxies write the same line
// (~330 bytes) to a file. With nginx's "combined" (~100 bytes) Bollard wrote three times the
// bytes, and on the benchmark machine growing a file costs 1-2 µs per 300 bytes (page cache).
const JSON_ACCESS_LOG = "log_format bollard_json escape=json '{\"time\":\"$time_iso8601\",\"level\":\"info\",\"msg\":\"request\",\"log\":\"access\"," +
  '"client":"$remote_addr","method":"$request_method","host":"$host","path":"$uri","status":$status,"bytes":$body_bytes_sent,"durationMs":$request_time,' +
  "\"ingress\":\"bench/proxy\",\"service\":\"bench/backend:80\",\"upstream\":\"$upstream_addr\",\"requestId\":\"$request_id\"}';";

/**
 * nginx as a reverse proxy the way an ingress controller configures it: upstream keep-alive, the
 * forwarding headers Bollard sends (X-Forwarded-For/Proto/Host/Port, Forwarded, a generated
 * X-Request-Id), and an access log line per request with the fields of Bollard's.
 */
export function buildProxyConfig(o: ProxyConfigOptions): string {
  return [
    ...common(o.dir, o.workers),
    'http {',
    `  ${JSON_ACCESS_LOG}`,
    `  access_log ${o.accessLog} bollard_json;`,
    ...temps(o.dir),
    '  keepalive_timeout 75s;',
    '  keepalive_requests 10000;',
    '  upstream backend {',
    `    server ${o.upstream};`,
    '    keepalive 256;',
    '    keepalive_requests 10000;',
    '  }',
    '  server {',
    `    listen ${o.httpListen} backlog=4096;`,
    `    listen ${o.httpsListen} ssl backlog=4096;`,
    `    ssl_certificate ${o.cert};`,
    `    ssl_certificate_key ${o.key};`,
    '    ssl_protocols TLSv1.2 TLSv1.3;',
    '    location / {',
    '      proxy_pass http://backend;',
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    '      proxy_set_header Host $http_host;',
    '      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '      proxy_set_header X-Forwarded-Proto $scheme;',
    '      proxy_set_header X-Forwarded-Host $http_host;',
    '      proxy_set_header X-Forwarded-Port $server_port;',
    '      proxy_set_header Forwarded "for=$remote_addr;host=\\"$http_host\\";proto=$scheme";',
    '      proxy_set_header X-Request-Id $request_id;',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}
