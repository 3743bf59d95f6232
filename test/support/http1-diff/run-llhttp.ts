// Feeds a byte stream to node:http's server (llhttp, strict: no insecureHTTPParser) through an
// in-memory socket pair, in the same process, and reports what it parsed.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { duplexPair } from 'node:stream';
import { joinFields, type Outcome, type ParsedRequest } from './outcome.ts';

const MAX_HEADER_BYTES = 32 * 1024;

export async function runLlhttp(pieces: readonly Buffer[]): Promise<Outcome> {
  // A slot per request in the order llhttp read the heads, filled once the body has ended.
  const slots: (ParsedRequest | undefined)[] = [];
  let error: string | undefined;
  const server = createServer({ insecureHTTPParser: false, requireHostHeader: true, maxHeaderSize: MAX_HEADER_BYTES }, (req: IncomingMessage, res: ServerResponse) => {
    const slot = slots.push(undefined) - 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      slots[slot] = describe(req, Buffer.concat(chunks).toString('latin1'), false);
      res.writeHead(200, { 'content-length': '0' }).end();
    });
    req.on('error', () => undefined);
  });
  const [client, side] = duplexPair();
  const finished = new Promise<void>((resolve) => {
    side.once('close', resolve);
    side.once('end', () => { setImmediate(() => { setImmediate(resolve); }); });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    error ??= err.code ?? 'clientError';
    // Later: the requests read before the error still end (their 'end' comes on a later tick).
    setImmediate(() => { setImmediate(() => { socket.destroy(); }); });
  });
  const upgraded = (req: IncomingMessage, socket: { destroy(): void }): void => {
    slots.push(describe(req, '', true));
    socket.destroy();
  };
  server.on('upgrade', upgraded);
  server.on('connect', upgraded);
  client.resume();
  client.on('error', () => undefined);
  server.emit('connection', side);
  for (const piece of pieces) client.write(piece);
  client.end();
  await finished;
  server.close();
  const incomplete = slots.indexOf(undefined);
  const requests = (incomplete === -1 ? slots : slots.slice(0, incomplete)).filter((r) => r !== undefined);
  return { requests, error };
}

function describe(req: IncomingMessage, body: string, upgrade: boolean): ParsedRequest {
  return { method: req.method ?? '', url: req.url ?? '', headers: joinFields(req.rawHeaders), body, upgrade };
}
