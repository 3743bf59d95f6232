// Feeds a byte stream to Bollard's HTTP/1 connection handling (src/dataplane/http1/) through an
// in-memory socket pair and reports what it parsed, in the shape runLlhttp reports.
import type { Socket } from 'node:net';
import { duplexPair } from 'node:stream';
import { Http1Connection, type Http1Handlers, type Http1Limits } from '../../../src/dataplane/http1/connection.ts';
import type { Outcome, ParsedRequest } from './outcome.ts';

const LIMITS: Http1Limits = { maxHeaderBytes: 32 * 1024, headersTimeoutMs: 60_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 60_000 };

export async function runBollard(pieces: readonly Buffer[]): Promise<Outcome> {
  const requests: ParsedRequest[] = [];
  let error: string | undefined;
  const [client, side] = duplexPair();
  const socket = Object.assign(side, { setNoDelay: () => side }) as unknown as Socket;
  const handlers: Http1Handlers = {
    request: (req, res, body) => {
      const done = (text: string): void => {
        requests.push({ method: req.method, url: req.url, headers: { ...req.headers } as Record<string, string>, body: text, upgrade: false });
        res.writeHead(200, { 'content-length': '0' });
        res.end('');
      };
      if (body === null) {
        done('');
        return;
      }
      const chunks: Buffer[] = [];
      body.on('data', (c: Buffer) => chunks.push(c));
      body.on('end', () => { done(Buffer.concat(chunks).toString('latin1')); });
      body.on('error', () => undefined);
    },
    upgrade: (req, s) => {
      requests.push({ method: req.method, url: req.url, headers: { ...req.headers } as Record<string, string>, body: '', upgrade: true });
      s.destroy();
    },
    clientError: (code) => { error ??= code; },
  };
  const finished = new Promise<void>((resolve) => {
    side.once('close', resolve);
    side.once('end', () => { setImmediate(() => { setImmediate(resolve); }); });
  });
  client.resume();
  client.on('error', () => undefined);
  new Http1Connection(socket, LIMITS, handlers, performance.now()); // it listens on the socket
  for (const piece of pieces) client.write(piece);
  client.end();
  await finished;
  return { requests, error };
}
