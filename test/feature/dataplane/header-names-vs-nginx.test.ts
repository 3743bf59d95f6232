// Request header fields with an underscore in their name, side by side with the Debian nginx: by
// default both drop them (nginx's underscores_in_headers off, ingress-nginx's default), and with
// --enable-underscores-in-headers (nginx: on) both pass them on. The names the upstream saw are
// compared; HTTP/2, which the nginx reference does not speak here, is checked against the HTTP/1 answer.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect as h2connect } from 'node:http2';
import { connect } from 'node:net';
import { startNginxReference, type NginxReference } from './nginx-reference.ts';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';
import { defaultListenerLimits } from '../../../src/dataplane/servers.ts';

const HOST = 'shop.example.com';
const SENT = ['X_Auth_User', 'X-Auth-User', 'under_score', 'X-Plain', '_leading', 'trailing_'];

interface Pair {
  readonly nginx: NginxReference;
  readonly plane: Awaited<ReturnType<typeof startPlane>>;
}

let web: TestUpstream;
let dropping: Pair;
let keeping: Pair;

async function startPair(underscores: boolean): Promise<Pair> {
  const [nginx, plane] = await Promise.all([
    startNginxReference([{ pathType: 'Prefix', path: '/', endpoint: web.endpoint }], underscores ? ['underscores_in_headers on;'] : []),
    startPlane({ h2c: true, limits: { ...defaultListenerLimits, dropUnderscoreFields: !underscores } }),
  ]);
  plane.tables.publish(table({ [HOST]: hostRoutes(route('/', upstream('web', [web.endpoint]))) }));
  return { nginx, plane };
}

beforeAll(async () => {
  web = await startUpstream('web');
  [dropping, keeping] = await Promise.all([startPair(false), startPair(true)]);
});

afterAll(async () => {
  await Promise.all([dropping.nginx.stop(), dropping.plane.close(), keeping.nginx.stop(), keeping.plane.close()]);
  await web.close();
});

/** The names of SENT, lower case and sorted, that the echo upstream got in a GET through `port`. */
function seenOverHttp1(port: number): Promise<string[]> {
  const head = [`GET /echo HTTP/1.1`, `Host: ${HOST}`, 'Connection: close', ...SENT.map((n) => `${n}: v`), '', ''].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1').on('data', (c: string) => { answer += c; }).on('error', reject).on('end', () => {
      const json = answer.slice(answer.indexOf('{'), answer.lastIndexOf('}') + 1);
      resolve(namesOf((JSON.parse(json) as { headers: Record<string, string> }).headers));
    });
    socket.write(head);
  });
}

function seenOverH2c(port: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`http://127.0.0.1:${String(port)}`);
    session.on('error', reject);
    const stream = session.request({ ':path': '/echo', ':authority': HOST, ...Object.fromEntries(SENT.map((n) => [n.toLowerCase(), 'v'])) });
    let body = '';
    stream.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('error', reject).on('end', () => {
      session.close();
      resolve(namesOf((JSON.parse(body) as { headers: Record<string, string> }).headers));
    });
  });
}

const namesOf = (headers: Record<string, string>): string[] => SENT.map((n) => n.toLowerCase()).filter((n) => n in headers).sort();

describe.each([
  ['by default (nginx: underscores_in_headers off)', (): Pair => dropping, ['x-auth-user', 'x-plain']],
  ['with --enable-underscores-in-headers (nginx: on)', (): Pair => keeping, SENT.map((n) => n.toLowerCase()).sort()],
])('header names with underscores %s', (_what, pair, expected) => {
  it('reach the upstream as they reach it through nginx', async () => {
    const [theirs, ours] = await Promise.all([seenOverHttp1(pair().nginx.port), seenOverHttp1(pair().plane.httpPort)]);
    expect(ours).toEqual(theirs);
    expect(ours).toEqual(expected);
  });

  it('are treated the same over HTTP/2', async () => {
    expect(await seenOverH2c(pair().plane.httpPort)).toEqual(expected);
  });
});
