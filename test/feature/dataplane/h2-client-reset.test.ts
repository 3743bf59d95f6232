// An HTTP/2 client that resets its stream or drops the connection must not leave the upstream
// exchange behind: a body cut short reaches the upstream as an aborted request (never as a
// complete one), and a request still waiting for its answer is cancelled upstream.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { connect, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
const arrivals: ((req: IncomingMessage) => void)[] = [];

/** How the upstream saw the request end: 'complete' (body ended cleanly) or 'aborted'. */
function ending(req: IncomingMessage): Promise<'complete' | 'aborted'> {
  return new Promise((resolve) => {
    req.resume();
    req.once('end', () => { resolve('complete'); });
    req.once('close', () => { resolve(req.complete ? 'complete' : 'aborted'); });
  });
}

beforeAll(async () => {
  // Never answers: each request is handed to the test that waits for it.
  web = await startUpstream('web', (req) => { arrivals.shift()?.(req); });
  plane = await startPlane();
  plane.tables.publish(table({ 'a.test': hostRoutes(route('/', upstream('web', [web.endpoint]))) }));
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

async function openStream(method: string): Promise<{ session: ClientHttp2Session; stream: ClientHttp2Stream; upstreamRequest: IncomingMessage }> {
  const arrived = new Promise<IncomingMessage>((resolve) => { arrivals.push(resolve); });
  const session = connect(`https://127.0.0.1:${plane.httpsPort}`, { rejectUnauthorized: false, servername: 'a.test' });
  session.on('error', () => undefined);
  const stream = session.request({ ':method': method, ':path': '/', ':authority': 'a.test' }, { endStream: method === 'GET' });
  stream.on('error', () => undefined);
  if (method === 'POST') stream.write('first half of the body');
  return { session, stream, upstreamRequest: await arrived };
}

describe('an HTTP/2 client going away', () => {
  it('mid-body by RST_STREAM: the upstream sees an aborted request, not a complete one', async () => {
    const { session, stream, upstreamRequest } = await openStream('POST');
    const seen = ending(upstreamRequest);
    stream.destroy();
    expect(await seen).toBe('aborted');
    const gone = once(session, 'close');
    session.close();
    await gone;
  });

  it('mid-body by closing the connection: the upstream sees an aborted request', async () => {
    const { session, upstreamRequest } = await openStream('POST');
    const seen = ending(upstreamRequest);
    session.destroy();
    expect(await seen).toBe('aborted');
  });

  it('while waiting for the answer: the upstream request is cancelled', async () => {
    const { session, stream, upstreamRequest } = await openStream('GET');
    const closed = once(upstreamRequest.socket, 'close');
    stream.destroy();
    await closed;
    expect(upstreamRequest.socket.destroyed).toBe(true);
    session.destroy();
  });
});
