// Caddy (Debian) as the proxy benchmark configures it, as JSON (pure): no admin endpoint, no
// automatic HTTPS, the benchmark's certificate loaded from files, the same upstream keep-alive,
// forwarding headers and JSON access log (to a file) as the nginx contestant. Caddy adds
// X-Forwarded-For/-Proto/-Host itself. Every path is inside the instance's own directory.

export interface CaddyConfigOptions {
  readonly dir: string;
  readonly httpListen: string;
  readonly httpsListen: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** "ip:port" of the backend. */
  readonly upstream: string;
  readonly accessLog: string;
}

const LOGGER = 'bench';

function routes(upstream: string): unknown[] {
  return [{
    handle: [{
      handler: 'reverse_proxy',
      upstreams: [{ dial: upstream }],
      transport: { protocol: 'http', keep_alive: { enabled: true, max_idle_conns_per_host: 256 } },
      headers: {
        request: {
          set: {
            'X-Forwarded-Port': ['{http.request.port}'],
            Forwarded: ['for={http.request.remote.host};host="{http.request.hostport}";proto={http.request.scheme}'],
            'X-Request-Id': ['{http.request.uuid}'],
          },
        },
      },
    }],
  }];
}

export function buildCaddyConfig(o: CaddyConfigOptions): string {
  const server = (listen: string, tls: boolean): Record<string, unknown> => ({
    listen: [listen],
    automatic_https: { disable: true },
    protocols: tls ? ['h1', 'h2'] : ['h1'],
    ...(tls ? { tls_connection_policies: [{}] } : {}),
    logs: { default_logger_name: LOGGER },
    routes: routes(o.upstream),
  });
  return `${JSON.stringify({
    admin: { disabled: true, config: { persist: false } },
    storage: { module: 'file_system', root: `${o.dir}/data` },
    logging: {
      logs: {
        default: { level: 'WARN', writer: { output: 'stderr' }, exclude: [`http.log.access.${LOGGER}`] },
        [LOGGER]: {
          writer: { output: 'file', filename: o.accessLog, roll: false },
          encoder: { format: 'json' },
          include: [`http.log.access.${LOGGER}`],
        },
      },
    },
    apps: {
      http: { servers: { http: server(o.httpListen, false), https: server(o.httpsListen, true) } },
      tls: { certificates: { load_files: [{ certificate: o.certFile, key: o.keyFile }] } },
    },
  }, null, 2)}\n`;
}
