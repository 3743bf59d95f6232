// WebSocket over HTTP/2 (RFC 8441): an extended CONNECT stream with `:protocol: websocket` is
// matched like any request, then turned into an HTTP/1.1 Upgrade to one endpoint (our own
// Sec-WebSocket-Key, whose accept value is checked) and, on the upstream's 101, answered 200
// and joined to the upstream socket. Other CONNECT requests are refused: this is not a forward proxy.
import { createHash, randomBytes } from 'node:crypto';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Socket } from 'node:net';
import { normalizeHost } from '../routing/match.ts';
import type { Endpoint, Route } from '../routing/types.ts';
import { buildUpstreamHeaders } from './forward-headers.ts';
import { normalizeRequestTarget } from './request-path.ts';
import { decide, dial, requestHead, spliceTunnel, type UpgradeDeps } from './websocket.ts';

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_HEAD = 16 * 1024;

export function createH2WebSocketHandler(deps: UpgradeDeps): (req: Http2ServerRequest, res: Http2ServerResponse) => void {
  return (req, res) => {
    const startedAt = performance.now();
    // A plain CONNECT carries neither :path nor :scheme, so the fields are read defensively.
    const path = req.headers[':path'];
    const host = normalizeHost(req.headers[':authority'] ?? '');
    const target = typeof path === 'string' ? normalizeRequestTarget(path) : undefined;
    const record = (status: number, route?: Route, upstream?: string): void => {
      deps.onDone({ method: 'CONNECT', host: host ?? '', path: target?.matchPath ?? '', status, bytes: 0, route, upstream, errorKind: undefined, requestId: undefined, startedAt });
    };
    if (req.headers[':protocol'] !== 'websocket') {
      answer(res, 405, record);
      return;
    }
    const decision = host === undefined || target === undefined ? { status: 400 } : decide(deps, host, target.matchPath);
    if ('status' in decision || host === undefined || target === undefined) {
      answer(res, 'status' in decision ? decision.status : 400, record, 'route' in decision ? decision.route : undefined, 'location' in decision ? decision.location : undefined);
      return;
    }
    tunnel(deps, req, res, { route: decision.route, endpoint: decision.endpoint, host, pathAndQuery: target.upstreamPath + target.query }, record);
  };
}

interface Tunnel { readonly route: Route; readonly endpoint: Endpoint; readonly host: string; readonly pathAndQuery: string }

function tunnel(deps: UpgradeDeps, req: Http2ServerRequest, res: Http2ServerResponse, t: Tunnel, record: (status: number, route?: Route, upstream?: string) => void): void {
  const clientIp = req.socket.remoteAddress ?? '';
  const { headers } = buildUpstreamHeaders(req.headers, {
    clientIp, proto: deps.proto, host: t.host, port: deps.publicPort, trusted: deps.trusted(clientIp), via: deps.forward.options.via,
  });
  const key = randomBytes(16).toString('base64');
  headers.connection = 'upgrade';
  headers.upgrade = 'websocket';
  headers['sec-websocket-key'] = key;
  headers['sec-websocket-version'] ??= '13';
  const upstream = dial(t.route, t.endpoint.host, t.endpoint.port, deps.forward.options.connectTimeoutMs);
  const name = `${t.endpoint.host}:${t.endpoint.port}`;
  upstream.write(requestHead('GET', t.pathAndQuery, headers));
  // The client may give up while the upstream is still being asked.
  res.stream.once('close', () => { upstream.destroy(); });
  readHead(upstream, (head, rest) => {
    if (res.stream.destroyed) {
      upstream.destroy();
      record(499, t.route, name);
      return;
    }
    const status = head === undefined ? 502 : acceptedStatus(head, key);
    if (status !== 101) {
      upstream.destroy();
      answer(res, status === 0 ? 502 : status, record, t.route, undefined, name);
      return;
    }
    const reply: Record<string, string> = {};
    for (const field of ['sec-websocket-protocol', 'sec-websocket-extensions']) {
      const value = head?.get(field);
      if (value !== undefined) reply[field] = value;
    }
    res.writeHead(200, reply);
    spliceTunnel(deps.tunnels, res.stream, upstream, rest);
    record(200, t.route, name);
  });
}

/** The upstream's response head as status line + lower-cased fields, or undefined when it failed. */
function readHead(upstream: Socket, done: (head: Map<string, string> | undefined, rest: Buffer) => void): void {
  let buffered = Buffer.alloc(0);
  const finish = (head: Map<string, string> | undefined, rest: Buffer): void => {
    upstream.off('data', onData).off('error', onFail).off('close', onFail);
    done(head, rest);
  };
  const onFail = (): void => { finish(undefined, Buffer.alloc(0)); };
  const onData = (chunk: Buffer): void => {
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf('\r\n\r\n');
    if (end === -1) {
      if (buffered.length > MAX_HEAD) onFail();
      return;
    }
    upstream.pause();
    finish(parseHead(buffered.toString('latin1', 0, end)), buffered.subarray(end + 4));
  };
  upstream.on('data', onData).once('error', onFail).once('close', onFail);
}

function parseHead(text: string): Map<string, string> {
  const [statusLine = '', ...lines] = text.split('\r\n');
  const head = new Map<string, string>([[':status-line', statusLine]]);
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) head.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return head;
}

/** 101 only when the upstream proves it read our key (RFC 6455 §4.2.2); its status otherwise, 0 when unreadable. */
function acceptedStatus(head: Map<string, string>, key: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head.get(':status-line') ?? '');
  const status = m ? Number(m[1]) : 0;
  if (status !== 101) return status;
  const expected = createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
  return head.get('sec-websocket-accept') === expected ? 101 : 502;
}

function answer(res: Http2ServerResponse, status: number, record: (status: number, route?: Route, upstream?: string) => void, route?: Route, location?: string, upstream?: string): void {
  if (!res.stream.destroyed) {
    res.writeHead(status, location === undefined ? {} : { location });
    res.end();
  }
  record(status, route, upstream);
}
