// WebSocket over HTTP/2 (RFC 8441): an extended CONNECT stream with `:protocol: websocket` is
// matched like any request, then sent upstream as an HTTP/1.1 Upgrade with Bollard's own
// Sec-WebSocket-Key (upgrade-exchange.ts: undici reads the answer). On a 101 with the matching
// accept the stream is answered 200 and joined to the upstream socket (tunnels.ts); any other
// answer is relayed on the stream as an ordinary response. Other CONNECT requests are refused
// with 405: this is not a forward proxy.
import { randomBytes } from 'node:crypto';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { normalizeHost } from '../routing/match.ts';
import { buildUpstreamHeaders } from './forward-headers.ts';
import { applyPlan, whenSettled } from './middleware/chain.ts';
import { normalizeRequestTarget, type RequestTarget } from './request-path.ts';
import { webSocketAccept } from './upgrade-protocol.ts';
import { answerLocally, askUpstream, decide, tracedUpgrade, type Decided, type UpgradeDeps, type UpgradeRecord } from './websocket.ts';
import { clientOf } from './client-address.ts';

const EMPTY = Buffer.alloc(0);
/** Handshake fields the client needs from the upstream's 101 (RFC 8441 §5). */
const NEGOTIATED = ['sec-websocket-protocol', 'sec-websocket-extensions'] as const;

export function createH2WebSocketHandler(deps: UpgradeDeps): (req: Http2ServerRequest, res: Http2ServerResponse) => void {
  return (req, res) => {
    const startedAt = performance.now();
    // A plain CONNECT carries neither :path nor :scheme, so the fields are read defensively.
    const path = req.headers[':path'];
    const host = normalizeHost(req.headers[':authority'] ?? '');
    const target = typeof path === 'string' ? normalizeRequestTarget(path) : undefined;
    const base: UpgradeRecord = { method: 'CONNECT', host: host ?? '', path: target?.matchPath ?? '', client: clientOf(req, deps.trusted), route: undefined, requestId: undefined, startedAt };
    if (req.headers[':protocol'] !== 'websocket') {
      answerLocally(deps, req, res, base, { status: 405, text: 'only WebSocket may be tunnelled' });
      return;
    }
    if (host === undefined || target === undefined) {
      answerLocally(deps, req, res, base, { status: 400, text: 'bad request' });
      return;
    }
    const clientIp = req.socket.remoteAddress ?? '';
    whenSettled(decide(deps, host, target, { method: 'GET', headers: req.headers, peer: clientIp, connection: req.socket }), (decision) => {
      if ('status' in decision) answerLocally(deps, req, res, { ...base, route: decision.route }, decision);
      else tunnel(deps, req, res, base, target, decision);
    }, () => { res.stream.destroy(); });
  };
}

function tunnel(deps: UpgradeDeps, req: Http2ServerRequest, res: Http2ServerResponse, base: UpgradeRecord, target: RequestTarget, decision: Decided): void {
  const { route, endpoint, plan } = decision;
  const clientIp = req.socket.remoteAddress ?? '';
  const { host } = base;
  const { headers, requestId } = buildUpstreamHeaders(req.headers, {
    clientIp, proto: deps.proto, host, port: deps.publicPort, trusted: deps.trusted(clientIp), via: deps.forward.options.via,
  });
  const upstreamPath = applyPlan(headers, plan, target);
  const key = randomBytes(16).toString('base64');
  headers['sec-websocket-key'] = key;
  headers['sec-websocket-version'] ??= '13';
  const record: UpgradeRecord = { ...base, route, requestId, ...tracedUpgrade(deps, route, req, headers) };
  const abort = askUpstream(deps, res, { route, endpoint, path: upstreamPath, headers, accept: webSocketAccept(key) }, record, () => res.stream.destroyed, (outcome, upstream) => {
    const answer: Record<string, string | string[]> = {};
    for (const field of NEGOTIATED) {
      const value = outcome.headers[field];
      if (value !== undefined) answer[field] = value;
    }
    res.writeHead(200, answer);
    deps.tunnels.join(res.stream, outcome.socket, EMPTY, { record: { ...record, status: 200, upstream, errorKind: undefined }, idleTimeoutMs: route.options.tunnelIdleTimeoutMs });
  });
  // The client may give up while the upstream is still being asked.
  res.stream.once('close', () => { abort(); });
}
