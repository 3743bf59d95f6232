// A test backend: answers every request with JSON describing it. Runs as its own process (inside
// the backend network namespace): `node test/harness/echo-server.ts --name NAME --host IP`.
// Prints one line `{"port":N}` on stdout once listening on an ephemeral port. SIGTERM ends it at
// once (the default action): a test backend has nothing to drain.
//   ?status=NNN  answer with that status      ?delay=MS  wait that long before answering
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

export interface EchoReply {
  readonly backend: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function intParam(url: URL, name: string, min: number, max: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  req.setEncoding('utf8');
  for await (const chunk of req) body += String(chunk);
  return body;
}

async function answer(backend: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://echo');
  const delay = intParam(url, 'delay', 0, 600_000);
  if (delay !== undefined) await sleep(delay);
  const reply: EchoReply = { backend, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
  const text = JSON.stringify(reply);
  res.writeHead(intParam(url, 'status', 200, 599) ?? 200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-backend': backend,
  });
  res.end(text);
}

function main(): void {
  const { values } = parseArgs({ options: { name: { type: 'string' }, host: { type: 'string' } } });
  const backend = values.name ?? 'echo';
  const server = createServer((req, res) => {
    answer(backend, req, res).catch((err: unknown) => {
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  });
  server.listen({ port: 0, host: values.host ?? '0.0.0.0' }, () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ port })}\n`);
  });
}

if (process.argv[1] === new URL(import.meta.url).pathname) main();
