// Cost of each route middleware: an in-process data plane and upstream on 127.0.0.1, a table built
// by the real builder from annotated Ingresses, and an undici client driving one host at a time with
// 32 requests in flight. Each round measures every row right after its baseline (the same route
// without middlewares), and a row's ratio is the median over rounds of those adjacent pairs: drift
// on a shared machine, and the order the rows run in, hit both sides of a pair alike (with the
// baseline run once per round, first, rows came out up to 1.2x faster than no middleware at all).
// Prints req/s per host and the ratio to the same route without middlewares; writes
// bench/results/middlewares.json. The last line is the plain route's req/s (the no-middleware path).
// Client certificates need HTTPS: those rows go over a TLS pool of their own (one per server name,
// keep-alive, so handshakes are not counted) and their ratio is to a plain HTTPS route's row, named
// in the row's `baseline`.
// The plane has tracing configured (a local sink stands for the collector, the controller default
// off), so the baseline pays what an untraced route pays for it; the tracing row's Ingress turns it
// on, and every span is sampled and exported (--otel-* defaults: batches of 512, a queue of 2048;
// spans that find the queue full are dropped and counted, and the last lines say how many).
// Flags: --seconds N (per host and round, default 2), --rounds N (default 3).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { buildAnnotated, type IngressSpec, type SecretSpec } from '../test/feature/dataplane/annotated-table.ts';
import { startPlane, startUpstream } from '../test/feature/dataplane/support.ts';
import { tracingConfig } from '../test/feature/dataplane/tracing-support.ts';
import { writeResults } from './lib/results.ts';
import { digestClient } from './lib/digest-client.ts';
import { endpointHash } from '../src/dataplane/upstream/endpoint-hash.ts';
import type { DigestAuth } from '../src/routing/middleware.ts';
import type { Endpoint, RoutingTable } from '../src/routing/types.ts';

const N = 'nginx.ingress.kubernetes.io/';
/** Stands for the port of the mirror server (started with the upstream) in annotation values. */
const MIRROR_PORT = '{mirror-port}';
/** The plain route every other row is measured against (unless it names its own baseline). */
const BASELINE = 'none';
const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** What a case's requests carry: fixed headers, or headers made once per request. */
type HeadersFor = () => Record<string, string>;

/** The tables and client material a case's headers may depend on. */
interface Setting { readonly endpoint: Endpoint; readonly table: RoutingTable }

/**
 * headers: fixed, or made from the setting (a session cookie naming the endpoint, a Digest client
 * over the route's users). tls: over HTTPS with this SNI, presenting the client certificate if asked;
 * the ratio is then to the `baseline` row.
 */
interface Case {
  readonly name: string;
  readonly ingress: IngressSpec;
  readonly headers?: Record<string, string> | ((s: Setting) => Record<string, string> | HeadersFor);
  readonly tls?: { readonly clientCertificate: boolean };
  readonly baseline?: string;
  /** The status every request must get (default 200). */
  readonly status?: number;
}

const STATIC_CASES: readonly Case[] = [
  { name: 'none', ingress: { name: 'plain', host: 'plain.test', annotations: {} } },
  { name: 'IPAccess (allowlist)', ingress: { name: 'allow', host: 'allow.test', annotations: { [`${N}whitelist-source-range`]: '10.0.0.0/8, 127.0.0.0/8' } } },
  { name: 'CORS (matching Origin)', ingress: { name: 'cors', host: 'cors.test', annotations: { [`${N}enable-cors`]: 'true', [`${N}cors-allow-origin`]: 'https://app.example.com' } }, headers: { origin: 'https://app.example.com' } },
  { name: 'URLRewrite (regex capture)', ingress: { name: 'rewrite', host: 'rewrite.test', annotations: { [`${N}rewrite-target`]: '/$2' }, paths: [{ path: '/api(/|$)(.*)', pathType: 'ImplementationSpecific' }] } },
  { name: 'RequestHeaderModifier + Host', ingress: { name: 'headers', host: 'headers.test', annotations: { [`${N}x-forwarded-prefix`]: '/api', [`${N}upstream-vhost`]: 'internal.svc' } } },
  { name: 'RequestRedirect (local 301)', ingress: { name: 'moved', host: 'moved.test', annotations: { [`${N}permanent-redirect`]: 'https://new.test$request_uri' } }, status: 301 },
  // Balanced (the default): any ring position leads to the one endpoint. Persistent: its hash.
  { name: 'SessionPersistence (balanced, hit)', ingress: { name: 'sticky', host: 'sticky.test', annotations: { [`${N}affinity`]: 'cookie' } }, headers: { cookie: 'INGRESSCOOKIE=80000000' } },
  {
    name: 'SessionPersistence (persistent, hit)', ingress: { name: 'persistent', host: 'persistent.test', annotations: { [`${N}affinity`]: 'cookie', [`${N}affinity-mode`]: 'persistent' } },
    headers: ({ endpoint }) => ({ cookie: `INGRESSCOOKIE=${endpointHash(endpoint)}` }),
  },
  { name: 'RateLimit (under the limit)', ingress: { name: 'limited', host: 'limited.test', annotations: { [`${N}limit-rps`]: '1000000' } } },
  // Counted in the data plane; the exchange with the primary and etcd runs apart, every 200 ms.
  {
    name: 'GlobalRateLimit (under the limit)',
    ingress: { name: 'global', host: 'global.test', annotations: { [`${N}global-rate-limit`]: '100000000', [`${N}global-rate-limit-window`]: '1m' } },
  },
  {
    name: 'BasicAuth (SHA-1, remembered)', ingress: { name: 'basic', host: 'basic.test', annotations: { [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'htpasswd' } },
    headers: { authorization: `Basic ${Buffer.from('ann:s3cret').toString('base64')}` },
  },
  {
    // A correct response computed per request (bench/lib/digest-client.ts), a new nonce every 20 requests.
    name: 'DigestAuth (MD5, per-request response)', ingress: { name: 'digest', host: 'digest.test', annotations: { [`${N}auth-type`]: 'digest', [`${N}auth-secret`]: 'htdigest', [`${N}auth-realm`]: 'Staff only' } },
    headers: ({ table }) => digestClient(digestOf(table, 'digest.test'), 'ann', 's3cret', PATH),
  },
  { name: 'ResponseHeaderModifier (custom-headers)', ingress: { name: 'custom', host: 'custom.test', annotations: { [`${N}custom-headers`]: 'security-headers' } } },
  { name: 'ResponseRateLimit (never reached)', ingress: { name: 'rate', host: 'rate.test', annotations: { [`${N}limit-rate`]: '1048576' } } },
  { name: 'ConsistentHash ($request_uri)', ingress: { name: 'hash', host: 'hash.test', annotations: { [`${N}upstream-hash-by`]: '$request_uri' } } },
  {
    name: 'ConsistentHash (subsets, $http_x_user)', ingress: { name: 'subset', host: 'subset.test', annotations: { [`${N}upstream-hash-by`]: '$http_x_user', [`${N}upstream-hash-by-subset`]: 'true' } },
    headers: { 'x-user': 'ann' },
  },
  {
    name: 'LocationRewrite + SetCookieRewrite', ingress: {
      name: 'rewrites', host: 'rewrites.test',
      annotations: { [`${N}proxy-redirect-from`]: 'http://internal/', [`${N}proxy-redirect-to`]: '/', [`${N}proxy-cookie-path`]: '/ /app/' },
    },
  },
  { name: 'Tracing (sampled, exported over OTLP)', ingress: { name: 'traced', host: 'traced.test', annotations: { [`${N}enable-opentelemetry`]: 'true' } } },
  // A copy of every request to a second server on 127.0.0.1: the client's exchange does not wait for it, but the process sends it.
  { name: 'RequestMirror (mirror-target, every request)', ingress: { name: 'mirror', host: 'mirror.test', annotations: { [`${N}mirror-target`]: `http://127.0.0.1:${MIRROR_PORT}$request_uri` } } },
  // HTTPS rows: keep-alive connections, so the handshake (and its certificate check) is paid once per connection.
  { name: 'none (HTTPS)', ingress: { name: 'tls-plain', host: 'tls.example.com', annotations: {}, tlsSecret: 'server' }, tls: { clientCertificate: false } },
  {
    name: 'ClientCertificateAuth (auth-tls, verified)', ingress: { name: 'mtls', host: 'mtls.example.com', annotations: { [`${N}auth-tls-secret`]: 'client-ca' }, tlsSecret: 'server' },
    tls: { clientCertificate: true }, baseline: 'none (HTTPS)',
  },
];

const PATH = '/api/x';

/** The DigestAuth of the host's "/" route, as the data plane holds it. */
function digestOf(table: RoutingTable, host: string): DigestAuth {
  const found = table.hosts.get(host)?.prefix.get('/')?.middlewares?.filters.find((f): f is DigestAuth => f.kind === 'DigestAuth');
  if (found === undefined) throw new Error(`bench table: no DigestAuth on ${host}`);
  return found;
}

/** Forward auth to a local service that always says yes: asked on every request, and answered from the cache. */
function authCases(url: string): Case[] {
  const ask = { [`${N}auth-url`]: url };
  return [
    { name: 'ForwardAuth (service asked)', ingress: { name: 'forward', host: 'forward.test', annotations: ask }, headers: { authorization: 'Bearer t' } },
    {
      name: 'ForwardAuth (cached answer)', ingress: { name: 'cached', host: 'cached.test', annotations: { ...ask, [`${N}auth-cache-key`]: '$http_authorization', [`${N}auth-cache-duration`]: '200 1h' } },
      headers: { authorization: 'Bearer t' },
    },
  ];
}

// SHA-1 of "s3cret", as `htpasswd -s` writes it; MD5 of "ann:Staff only:s3cret", as `htdigest` writes it.
const AUTH_SECRETS: SecretSpec[] = [
  { name: 'htpasswd', stringData: { auth: 'ann:{SHA}/vNB+F2HQ559kaLUZbmHHvZrXpg=' } },
  { name: 'htdigest', stringData: { auth: 'ann:Staff only:51c8611ed105cf6a34389006830773ff\n' } },
];

const tlsFixture = (name: string): Promise<string> => readFile(new URL(`../test/fixtures/tls/${name}`, import.meta.url), 'utf8');

/** The server certificate (RSA-2048, *.example.com) and the CA of the client certificate (test/fixtures/tls). */
async function tlsSecrets(): Promise<SecretSpec[]> {
  return [
    { name: 'server', type: 'kubernetes.io/tls', stringData: { 'tls.crt': await tlsFixture('rsa-2048-a.crt'), 'tls.key': await tlsFixture('rsa-2048-a.key') } },
    { name: 'client-ca', stringData: { 'ca.crt': await tlsFixture('client-ca-a.crt') } },
  ];
}
const CONFIG_MAPS = [{ name: 'security-headers', data: { 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff' } }];

/** Requests per second over `seconds`; a request answered otherwise than `status` stops the bench (it would measure the wrong thing). */
async function drive(pool: Pool, host: string, path: string, headers: HeadersFor, seconds: number, status: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const res = await pool.request({ path, method: 'GET', headers: { host, ...headers() } });
      if (res.statusCode !== status) throw new Error(`bench: ${host} answered ${res.statusCode}, not ${status}`);
      await res.body.dump();
      done += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: 32 }, worker));
  return done / ((performance.now() - started) / 1000);
}

/** The pool each case is driven through: plain HTTP, or a TLS pool of its own for its server name. */
async function poolsFor(cases: readonly Case[], httpPort: number, httpsPort: number): Promise<Map<string, Pool>> {
  const plain = new Pool(`http://127.0.0.1:${httpPort}`, { connections: 32, pipelining: 1 });
  const client = { cert: await tlsFixture('client-a.crt'), key: await tlsFixture('client-a.key') };
  return new Map(cases.map((c) => {
    if (c.tls === undefined) return [c.name, plain];
    const connect = { servername: c.ingress.host, rejectUnauthorized: false, ...(c.tls.clientCertificate ? client : {}) };
    return [c.name, new Pool(`https://127.0.0.1:${httpsPort}`, { connections: 32, pipelining: 1, connect })];
  }));
}

interface Row { readonly middleware: string; readonly reqPerSecond: number; readonly ratioToNone: number; readonly baseline?: string }

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** @param ratios each row's rate over its baseline's, measured just before it, per round. */
function rowsOf(cases: readonly Case[], rates: ReadonlyMap<string, readonly number[]>, ratios: ReadonlyMap<string, readonly number[]>): Row[] {
  return cases.map((c) => {
    const rate = median(rates.get(c.name) ?? []);
    const ratio = c.name === BASELINE ? 1 : median(ratios.get(c.name) ?? []);
    return { middleware: c.name, reqPerSecond: Math.round(rate), ratioToNone: Number(ratio.toFixed(3)), ...(c.baseline === undefined ? {} : { baseline: c.baseline }) };
  });
}

/** Every row right after its baseline, `rounds` times: each row's rates, and its rate over the baseline's just before it. */
async function measurePairs(cases: readonly Case[], rounds: number, run: (c: Case) => Promise<number>) {
  const rates = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const ratios = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const byName = new Map(cases.map((c) => [c.name, c]));
  const measure = async (c: Case): Promise<number> => {
    const rate = await run(c);
    rates.get(c.name)?.push(rate);
    return rate;
  };
  for (let round = 0; round < rounds; round++) {
    say(`middlewares: round ${String(round + 1)}/${String(rounds)}`);
    for (const c of cases) {
      if (c.name === BASELINE) continue;
      const baseRate = await measure(byName.get(c.baseline ?? BASELINE) as Case);
      ratios.get(c.name)?.push((await measure(c)) / baseRate);
    }
  }
  return { rates, ratios };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' }, rounds: { type: 'string', default: '3' } } });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const upstream = await startUpstream('web', (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('x'.repeat(100)); });
  const mirror = await startUpstream('mirror', (_req, res) => { res.writeHead(204).end(); });
  const auth = await startUpstream('auth', (_req, res) => { res.writeHead(200).end(); });
  const collector = await startUpstream('collector', (req, res) => { req.resume().on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }).end('{}'); }); });
  const CASES = [...STATIC_CASES, ...authCases(`http://127.0.0.1:${auth.endpoint.port}/verify`)];
  const otlp = `http://127.0.0.1:${collector.endpoint.port}/v1/traces`;
  const plane = await startPlane({ tracing: tracingConfig(otlp, { maxQueueSize: 2048, maxBatchSize: 512, scheduleDelayMs: 5000 }) });
  const port = String(mirror.endpoint.port);
  const ingresses = CASES.map((c) => ({ ...c.ingress, annotations: Object.fromEntries(Object.entries(c.ingress.annotations).map(([k, v]) => [k, v.replace(MIRROR_PORT, port)])) }));
  const built = buildAnnotated(ingresses, [upstream.endpoint], [...AUTH_SECRETS, ...await tlsSecrets()], {}, CONFIG_MAPS);
  if (built.diagnostics.length > 0) throw new Error(`bench table: ${built.diagnostics.map((d) => d.message).join('; ')}`);
  plane.tables.publish(built.table);
  const pools = await poolsFor(CASES, plane.httpPort, plane.httpsPort);
  const poolOf = (c: Case): Pool => pools.get(c.name) as Pool;
  const setting: Setting = { endpoint: upstream.endpoint, table: built.table };
  const headersOf = (c: Case): HeadersFor => {
    const made = typeof c.headers === 'function' ? c.headers(setting) : c.headers ?? {};
    return typeof made === 'function' ? made : () => made;
  };
  try {
    for (const c of CASES) await drive(poolOf(c), c.ingress.host, PATH, headersOf(c), 0.3, c.status ?? 200);
    const { rates, ratios } = await measurePairs(CASES, rounds, (c) => drive(poolOf(c), c.ingress.host, PATH, headersOf(c), seconds, c.status ?? 200));
    const rows = rowsOf(CASES, rates, ratios);
    for (const r of rows) say(`middlewares: ${r.middleware.padEnd(44)} ${String(r.reqPerSecond).padStart(7)} req/s  ratio ${r.ratioToNone.toFixed(3)}${r.baseline === undefined ? '' : ` to ${r.baseline}`}`);
    const file = await writeResults('middlewares', { seconds, rounds, concurrency: 32, rows });
    say(`middlewares: results in ${file}`);
    const exported = (await plane.metrics.traceSpansExported.get()).values[0]?.value ?? 0;
    const dropped = (await plane.metrics.traceSpansDropped.get()).values.map((v) => `${String(v.value)} ${String(v.labels.reason)}`).join(', ');
    say(`middlewares: tracing row: ${String(exported)} spans exported, dropped: ${dropped === '' ? 'none' : dropped}`);
    say(`middlewares: route without middlewares ${rows[0]?.reqPerSecond ?? 0} req/s`);
  } finally {
    await Promise.all([...new Set(pools.values())].map((p) => p.close()));
    await plane.close();
    await upstream.close();
    await mirror.close();
    await auth.close();
    await collector.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`middlewares bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
