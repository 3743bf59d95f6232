// Path normalisation, side by side with Debian's nginx: the same Ingress-style routes in both
// (nginx as ingress-nginx writes them), each tricky request target sent raw to both, and the
// outcomes compared: the route that answered (or 400/404) and the path its backend received.
// nginx's choices are what users migrating from ingress-nginx expect, so a row may differ only
// where Bollard deliberately does otherwise, and says why (docs/configuration.md, "Path
// normalisation"). A deviation is asserted both ways: if nginx ever agrees, the row must go.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Route } from '../../../src/routing/types.ts';
import { startNginxReference, type NginxReference, type ReferenceRoute } from './nginx-reference.ts';
import { rawExchange, statusLine } from './raw-client.ts';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

const ROUTES = [
  { name: 'root', pathType: 'Prefix', path: '/' },
  { name: 'public', pathType: 'Prefix', path: '/public' },
  { name: 'admin', pathType: 'Prefix', path: '/admin' },
  { name: 'api', pathType: 'Prefix', path: '/api/v4' },
  { name: 'exact', pathType: 'Exact', path: '/exact' },
] as const;

/** The route that answered ("public", …) or the status of a local answer ("400"), and what the backend got. */
interface Outcome { readonly answer: string; readonly received?: string }

// Why Bollard differs, once per kind of difference.
const RESOLVED = 'Bollard forwards the path it routed on (dot segments resolved, separators merged), so a backend cannot resolve it to another route; nginx passes the request URI through as sent';
const BACKSLASH = 'Bollard treats "\\" and %5C as separators, as WHATWG URL parsers (Node, browsers) and Windows servers do, so "/public/x\\..\\..\\admin" cannot reach /public\'s backend as /admin; nginx on Linux reads them as ordinary characters';
const FRAGMENT = 'a fragment is not part of a request target (RFC 9112 §3.2) and no client sends one: Bollard answers 400; nginx drops it';

interface Row { readonly target: string; readonly bollard?: Partial<Outcome>; readonly reason?: string }

const ROWS: readonly Row[] = [
  // plain
  { target: '/public/x' },
  { target: '/publicx' },
  { target: '/admin' },
  { target: '/Admin' },
  { target: '/exact' },
  { target: '/exact/' },
  { target: '/EXACT' },
  // dot segments, raw and encoded
  { target: '/public/../admin', bollard: { received: '/admin' }, reason: RESOLVED },
  { target: '/public/%2e%2e/admin', bollard: { received: '/admin' }, reason: RESOLVED },
  { target: '/public/.%2E/admin', bollard: { received: '/admin' }, reason: RESOLVED },
  { target: '/public/./x', bollard: { received: '/public/x' }, reason: RESOLVED },
  { target: '/public/x/..', bollard: { received: '/public/' }, reason: RESOLVED },
  { target: '/public/..', bollard: { received: '/' }, reason: RESOLVED },
  { target: '/exact/.', bollard: { received: '/exact/' }, reason: RESOLVED },
  { target: '/public/...' },
  // .. above the root
  { target: '/../x' },
  { target: '/public/../../x' },
  { target: '/%2e%2e/x' },
  // encoded slashes: separators for routing, kept as sent when nothing is resolved
  { target: '/public%2F..%2Fadmin', bollard: { received: '/admin' }, reason: RESOLVED },
  { target: '/public/x%2F..%2F..%2Fadmin', bollard: { received: '/admin' }, reason: RESOLVED },
  { target: '/api%2Fv4/projects' },
  { target: '/api/v4/projects/group%2Fproject' },
  { target: '/%2fpublic', bollard: { received: '/public' }, reason: RESOLVED },
  // backslashes
  { target: '/public\\x', bollard: { answer: 'public' }, reason: BACKSLASH },
  { target: '/public%5Cx', bollard: { answer: 'public' }, reason: BACKSLASH },
  { target: '/public\\..\\admin', bollard: { answer: 'admin', received: '/admin' }, reason: BACKSLASH },
  { target: '/public/x%5C..%5C..%5Cadmin', bollard: { answer: 'admin', received: '/admin' }, reason: BACKSLASH },
  // repeated slashes
  { target: '/public//x', bollard: { received: '/public/x' }, reason: RESOLVED },
  { target: '//public', bollard: { received: '/public' }, reason: RESOLVED },
  // percent-encoded unreserved and other characters
  { target: '/%70ublic/x' },
  { target: '/public/%7Ex' },
  { target: '/%61dmin' },
  { target: '/public/caf%C3%A9' },
  { target: '/public/a%20b' },
  { target: '/a%25b' },
  { target: '/public/a%3Fb?q=1' },
  // invalid escapes and NUL
  { target: '/public/%zz' },
  { target: '/public/%4' },
  { target: '/public/%' },
  { target: '/public/%00' },
  { target: '/public%00' },
  // query strings
  { target: '/public?x=/../admin' },
  { target: '/exact?x=1' },
  { target: '/public?a=%2F&b=\\' },
  // fragments
  { target: '/public#frag', bollard: { answer: '400', received: undefined }, reason: FRAGMENT },
];

const upstreams: TestUpstream[] = [];
let nginx: NginxReference;
let plane: Awaited<ReturnType<typeof startPlane>>;

beforeAll(async () => {
  const started = await Promise.all(ROUTES.map(async (r) => ({ ...r, backend: await startUpstream(r.name) })));
  upstreams.push(...started.map((r) => r.backend));
  const reference: ReferenceRoute[] = started.map((r) => ({ pathType: r.pathType, path: r.path, endpoint: r.backend.endpoint }));
  const routes: Route[] = started.map((r) => route(r.path, upstream(r.name, [r.backend.endpoint]), {}, r.pathType));
  [nginx, plane] = await Promise.all([startNginxReference(reference), startPlane()]);
  plane.tables.publish(table({ 'paths.test': hostRoutes(...routes) }));
}, 20_000);

afterAll(async () => {
  await Promise.all([nginx.stop(), plane.close(), ...upstreams.map((u) => u.close())]);
});

async function outcome(port: number, target: string): Promise<Outcome> {
  const response = await rawExchange(port, `GET ${target} HTTP/1.0\r\nHost: paths.test\r\n\r\n`);
  const status = statusLine(response).split(' ')[1] ?? '';
  if (status !== '200') return { answer: status };
  const body = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as { upstream: string; url: string };
  return { answer: body.upstream, received: body.url };
}

describe('path normalisation against nginx', () => {
  it.each(ROWS)('$target', async (row) => {
    const [fromNginx, fromBollard] = await Promise.all([outcome(nginx.port, row.target), outcome(plane.httpPort, row.target)]);
    expect(fromBollard).toEqual({ ...fromNginx, ...row.bollard });
    // A listed deviation is still one: the row and the docs go when nginx agrees.
    for (const key of ['answer', 'received'] as const) {
      if (row.bollard && key in row.bollard) expect(fromNginx[key]).not.toEqual(row.bollard[key]);
    }
  });

  it('lists a reason for every deviation', () => {
    for (const row of ROWS) expect(row.bollard === undefined).toBe(row.reason === undefined);
  });
});
