// A stand-in OTLP/HTTP traces endpoint on 127.0.0.1:0 for feature tests: it keeps the spans of every
// JSON export it is sent and answers 200 (or what the test says). Its port is where --otel-endpoint points.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly traceState?: string;
  readonly name: string;
  readonly kind: number;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly attributes: readonly { readonly key: string; readonly value: { readonly stringValue?: string; readonly intValue?: string } }[];
  readonly status?: { readonly code: number };
  /** The resource's attributes, flattened. */
  readonly resource: Record<string, string>;
}

interface ExportBody {
  readonly resourceSpans: readonly {
    readonly resource: { readonly attributes: ReceivedSpan['attributes'] };
    readonly scopeSpans: readonly { readonly spans: readonly Omit<ReceivedSpan, 'resource'>[] }[];
  }[];
}

export interface OtlpReceiver {
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** Resolves once `count` spans in all have arrived. */
  waitForSpans(count: number): Promise<ReceivedSpan[]>;
  /** The next `count` exports are answered 500 and their spans thrown away. */
  refuseNext(count: number): void;
  close(): Promise<void>;
}

export const attributesOf = (span: Pick<ReceivedSpan, 'attributes'>): Record<string, string> =>
  Object.fromEntries(span.attributes.map((a) => [a.key, a.value.stringValue ?? a.value.intValue ?? '']));

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const waiters: { count: number; resolve: (s: ReceivedSpan[]) => void }[] = [];
  let refusing = 0;
  const keep = (body: ExportBody): void => {
    for (const r of body.resourceSpans) {
      const resource = attributesOf(r.resource);
      for (const span of r.scopeSpans.flatMap((s) => s.spans)) spans.push({ ...span, resource });
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
      const refused = refusing > 0;
      if (refused) refusing--;
      const accepted = !refused && req.url === '/v1/traces' && req.headers['content-type'] === 'application/json';
      if (accepted) keep(JSON.parse(Buffer.concat(chunks).toString()) as ExportBody);
      res.writeHead(accepted ? 200 : 500, { 'content-type': 'application/json' }).end('{}');
      for (const w of waiters.filter((x) => spans.length >= x.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(spans.slice());
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`, spans,
    waitForSpans: (count) => (spans.length >= count ? Promise.resolve(spans.slice()) : new Promise((resolve) => { waiters.push({ count, resolve }); })),
    refuseNext: (count) => { refusing = count; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => { resolve(); }); }),
  };
}
