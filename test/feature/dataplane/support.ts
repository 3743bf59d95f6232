// In-process data plane on 127.0.0.1 with a hand-made routing table, real upstream servers,
// and real clients: the feature tests' common ground.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { request } from 'undici';
import { startDataPlane, type DataPlane, type DataPlaneConfig, type DataPlaneDeps } from '../../../src/dataplane/data-plane.ts';
import { defaultDataPlaneOptions } from '../../../src/dataplane/options.ts';
import { defaultListenerLimits } from '../../../src/dataplane/servers.ts';
import { generateSelfSigned, type PemPair } from '../../../src/dataplane/tls/default-certificate.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { createMetrics } from '../../../src/metrics/registry.ts';
import type { Endpoint, HostRoutes, Route, RouteOptions, RoutingTable, TlsCertificate, Upstream } from '../../../src/routing/types.ts';

export const defaultRouteOptions: RouteOptions = {
  sslRedirect: false, loadBalancing: 'round-robin', backendProtocol: 'HTTP', readTimeoutMs: 10_000, maxBodyBytes: undefined, tunnelIdleTimeoutMs: 60_000,
  connectTimeoutMs: undefined, retries: undefined, retryTimeoutMs: undefined,
};

export function upstream(name: string, endpoints: readonly Endpoint[], appProtocol?: string): Upstream {
  return { key: `test/${name}:80`, service: { namespace: 'test', name }, endpoints, ...(appProtocol ? { appProtocol } : {}) };
}

export function route(path: string, u: Upstream, options: Partial<RouteOptions> = {}, pathType: 'Exact' | 'Prefix' = 'Prefix'): Route {
  return { ingress: { namespace: 'test', name: `ing-${u.service.name}` }, pathType, path, upstream: u, options: { ...defaultRouteOptions, ...options } };
}

export function hostRoutes(...routes: Route[]): HostRoutes {
  return {
    exact: new Map(routes.filter((r) => r.pathType === 'Exact').map((r) => [r.path, r])),
    prefix: new Map(routes.filter((r) => r.pathType === 'Prefix').map((r) => [r.path, r])),
  };
}

export function table(hosts: Record<string, HostRoutes>, tls: Record<string, TlsCertificate> = {}): RoutingTable {
  const all = Object.values(hosts).flatMap((h) => [...h.exact.values(), ...h.prefix.values()]);
  return {
    hosts: new Map(Object.entries(hosts)),
    wildcards: new Map(),
    anyHost: undefined,
    defaultBackend: undefined,
    upstreams: new Map(all.map((r) => [r.upstream.key, r.upstream])),
    tls: { hosts: new Map(Object.entries(tls)), wildcards: new Map() },
  };
}

export function certificate(name: string, pair: PemPair): TlsCertificate {
  return { secret: { namespace: 'test', name }, certPem: pair.certPem, keyPem: pair.keyPem };
}

let defaultPair: Promise<PemPair> | undefined;

export async function startPlane(overrides: Partial<DataPlaneConfig> = {}, deps: Partial<DataPlaneDeps> = {}): Promise<DataPlane & { metrics: ReturnType<typeof createMetrics> }> {
  defaultPair ??= generateSelfSigned('default.invalid');
  const pair = await defaultPair;
  const metrics = createMetrics({ processMetrics: false });
  const plane = await startDataPlane({
    bindAddress: '127.0.0.1', httpPort: 0, httpsPort: 0, httpsRedirectPort: 443, httpPublicPort: 80, accessLog: false,
    limits: defaultListenerLimits, options: defaultDataPlaneOptions,
    tls: { defaultCertPem: pair.certPem, defaultKeyPem: pair.keyPem, minVersion: 'TLSv1.2', ciphers: undefined, sniStrict: false },
    ...overrides,
  }, { metrics, log: silentLogger, ...deps });
  return Object.assign(plane, { metrics });
}

export interface TestUpstream {
  readonly endpoint: Endpoint;
  readonly server: Server;
  readonly requests: IncomingMessage[];
  close(): Promise<void>;
}

/** A node:http upstream on 127.0.0.1:0; the default handler echoes method, url, headers and body as JSON. */
export async function startUpstream(name: string, handler?: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestUpstream> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    if (handler) {
      handler(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': name });
      res.end(JSON.stringify({ upstream: name, method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: { host: '127.0.0.1', port }, server, requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => { resolve(); }); }),
  };
}

/** A port on 127.0.0.1 where nothing listens (connection refused). */
export async function deadEndpoint(): Promise<Endpoint> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => { resolve(); }));
  return { host: '127.0.0.1', port };
}

/** A PEM file of test/fixtures/tls/ (RSA-2048 pairs and CAs, see its README). */
export const tlsFixture = (name: string): Promise<string> => readFile(new URL(`../../fixtures/tls/${name}`, import.meta.url), 'utf8');

/** A port free on `address` right now (the kernel picks it; the test binds it again at once). */
export async function freePort(address: string): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, address, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => { resolve(); }));
  return port;
}

/** The name of the echo upstream (startUpstream) that answered a GET of `url` with this Host, or the status when not 200. */
export async function upstreamAt(url: string, host: string): Promise<string | number> {
  const res = await request(url, { headers: { host } });
  const text = await res.body.text();
  return res.statusCode === 200 ? (JSON.parse(text) as { upstream: string }).upstream : res.statusCode;
}

/**
 * The X-Upstream of the answer to a WebSocket upgrade of `path` on `host` (with `extraHead` lines,
 * each ending in CRLF), read from the raw head; the whole head when it has none.
 */
export function upgradeAnswerUpstream(port: number, host: string, path: string, extraHead = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let head = '';
    socket.setEncoding('latin1').on('error', reject).on('data', (c: string) => {
      head += c;
      if (!head.includes('\r\n\r\n')) return;
      socket.destroy();
      resolve(/^x-upstream: (.*)\r$/im.exec(head)?.[1] ?? head);
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extraHead}\r\n`);
  });
}
