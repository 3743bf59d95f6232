// Cost of each route middleware: an in-process data plane and upstream on 127.0.0.1, a table built
// by the real builder from annotated Ingresses, and an undici client driving one host at a time with
// 32 requests in flight. Hosts alternate within each round, so drift on a shared machine hits them
// alike. Prints req/s per host and the ratio to the same route without middlewares; writes
// bench/results/middlewares.json. The last line is the plain route's req/s (the no-middleware path).
// Flags: --seconds N (per host and round, default 2), --rounds N (default 3).
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { buildAnnotated, type IngressSpec } from '../test/feature/dataplane/annotated-table.ts';
import { startPlane, startUpstream } from '../test/feature/dataplane/support.ts';
import { writeResults } from './lib/results.ts';
import { endpointHash } from '../src/dataplane/upstream/endpoint-hash.ts';
import type { Endpoint } from '../src/routing/types.ts';

const N = 'nginx.ingress.kubernetes.io/';
/** Stands for the port of the mirror server (started with the upstream) in annotation values. */
const MIRROR_PORT = '{mirror-port}';
const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** headers: fixed, or made from the upstream's endpoint (a session cookie naming it). */
interface Case { readonly name: string; readonly ingress: IngressSpec; readonly headers?: Record<string, string> | ((e: Endpoint) => Record<string, string>) }

const STATIC_CASES: readonly Case[] = [
  { name: 'none', ingress: { name: 'plain', host: 'plain.test', annotations: {} } },
  { name: 'IPAccess (allowlist)', ingress: { name: 'allow', host: 'allow.test', annotations: { [`${N}whitelist-source-range`]: '10.0.0.0/8, 127.0.0.0/8' } } },
  { name: 'CORS (matching Origin)', ingress: { name: 'cors', host: 'cors.test', annotations: { [`${N}enable-cors`]: 'true', [`${N}cors-allow-origin`]: 'https://app.example.com' } }, headers: { origin: 'https://app.example.com' } },
  { name: 'URLRewrite (regex capture)', ingress: { name: 'rewrite', host: 'rewrite.test', annotations: { [`${N}rewrite-target`]: '/$2' }, paths: [{ path: '/api(/|$)(.*)', pathType: 'ImplementationSpecific' }] } },
  { name: 'RequestHeaderModifier + Host', ingress: { name: 'headers', host: 'headers.test', annotations: { [`${N}x-forwarded-prefix`]: '/api', [`${N}upstream-vhost`]: 'internal.svc' } } },
  { name: 'RequestRedirect (local 301)', ingress: { name: 'moved', host: 'moved.test', annotations: { [`${N}permanent-redirect`]: 'https://new.test$request_uri' } } },
  // Balanced (the default): any ring position leads to the one endpoint. Persistent: its hash.
  { name: 'SessionPersistence (balanced, hit)', ingress: { name: 'sticky', host: 'sticky.test', annotations: { [`${N}affinity`]: 'cookie' } }, headers: { cookie: 'INGRESSCOOKIE=80000000' } },
  {
    name: 'SessionPersistence (persistent, hit)', ingress: { name: 'persistent', host: 'persistent.test', annotations: { [`${N}affinity`]: 'cookie', [`${N}affinity-mode`]: 'persistent' } },
    headers: (e) => ({ cookie: `INGRESSCOOKIE=${endpointHash(e)}` }),
  },
  { name: 'RateLimit (under the limit)', ingress: { name: 'limited', host: 'limited.test', annotations: { [`${N}limit-rps`]: '1000000' } } },
  {
    name: 'BasicAuth (SHA-1, remembered)', ingress: { name: 'basic', host: 'basic.test', annotations: { [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'htpasswd' } },
    headers: { authorization: `Basic ${Buffer.from('ann:s3cret').toString('base64')}` },
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
  // A copy of every request to a second server on 127.0.0.1: the client's exchange does not wait for it, but the process sends it.
  { name: 'RequestMirror (mirror-target, every request)', ingress: { name: 'mirror', host: 'mirror.test', annotations: { [`${N}mirror-target`]: `http://127.0.0.1:${MIRROR_PORT}$request_uri` } } },
];

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

// SHA-1 of "s3cret", as `htpasswd -s` writes it.
const SECRETS = [{ name: 'htpasswd', stringData: { auth: 'ann:{SHA}/vNB+F2HQ559kaLUZbmHHvZrXpg=' } }];
const CONFIG_MAPS = [{ name: 'security-headers', data: { 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff' } }];

async function drive(pool: Pool, host: string, path: string, headers: Record<string, string>, seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const res = await pool.request({ path, method: 'GET', headers: { host, ...headers } });
      await res.body.dump();
      done += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: 32 }, worker));
  return done / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' }, rounds: { type: 'string', default: '3' } } });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const upstream = await startUpstream('web', (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('x'.repeat(100)); });
  const mirror = await startUpstream('mirror', (_req, res) => { res.writeHead(204).end(); });
  const auth = await startUpstream('auth', (_req, res) => { res.writeHead(200).end(); });
  const CASES = [...STATIC_CASES, ...authCases(`http://127.0.0.1:${auth.endpoint.port}/verify`)];
  const plane = await startPlane();
  const port = String(mirror.endpoint.port);
  const ingresses = CASES.map((c) => ({ ...c.ingress, annotations: Object.fromEntries(Object.entries(c.ingress.annotations).map(([k, v]) => [k, v.replace(MIRROR_PORT, port)])) }));
  const built = buildAnnotated(ingresses, [upstream.endpoint], SECRETS, {}, CONFIG_MAPS);
  if (built.diagnostics.length > 0) throw new Error(`bench table: ${built.diagnostics.map((d) => d.message).join('; ')}`);
  plane.tables.publish(built.table);
  const pool = new Pool(`http://127.0.0.1:${plane.httpPort}`, { connections: 32, pipelining: 1 });
  try {
    const rates = new Map<string, number[]>(CASES.map((c) => [c.name, []]));
    const headersOf = (c: Case): Record<string, string> => (typeof c.headers === 'function' ? c.headers(upstream.endpoint) : c.headers ?? {});
    for (const c of CASES) await drive(pool, c.ingress.host, '/api/x', headersOf(c), 0.3);
    for (let round = 0; round < rounds; round++) {
      for (const c of CASES) rates.get(c.name)?.push(await drive(pool, c.ingress.host, '/api/x', headersOf(c), seconds));
    }
    const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const plain = median(rates.get('none') ?? []);
    const rows = CASES.map((c) => {
      const rate = median(rates.get(c.name) ?? []);
      return { middleware: c.name, reqPerSecond: Math.round(rate), ratioToNone: Number((rate / plain).toFixed(3)) };
    });
    for (const r of rows) say(`middlewares: ${r.middleware.padEnd(40)} ${String(r.reqPerSecond).padStart(7)} req/s  ratio ${r.ratioToNone.toFixed(3)}`);
    const file = await writeResults('middlewares', { seconds, rounds, concurrency: 32, rows });
    say(`middlewares: results in ${file}`);
    say(`middlewares: route without middlewares ${Math.round(plain)} req/s`);
  } finally {
    await pool.close();
    await plane.close();
    await upstream.close();
    await mirror.close();
    await auth.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`middlewares bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
