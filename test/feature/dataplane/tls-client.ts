// One HTTPS request with the TLS details a test chooses: the SNI (none for ''), the Host or
// :authority sent, a client certificate, HTTP/1.1 or HTTP/2. A refused handshake or a closed
// connection resolves as { error } rather than rejecting, so a test can assert on it.
import { request as h1request } from 'node:https';
import { connect as h2connect } from 'node:http2';

export interface TlsAsk {
  readonly port: number;
  /** '' sends no SNI. */
  readonly servername: string;
  readonly host: string;
  readonly path?: string;
  readonly client?: { readonly certPem: string; readonly keyPem: string };
  readonly h2?: boolean;
}

export type TlsAnswer = { readonly status: number; readonly upstream: string | undefined } | { readonly error: string };

const upstreamOf = (status: number, body: string): string | undefined =>
  status === 200 ? (JSON.parse(body) as { upstream: string }).upstream : undefined;

export function tlsRequest(ask: TlsAsk): Promise<TlsAnswer> {
  return ask.h2 === true ? h2(ask) : h1(ask);
}

function tlsOptions(ask: TlsAsk) {
  return {
    rejectUnauthorized: false, servername: ask.servername,
    ...(ask.client === undefined ? {} : { cert: ask.client.certPem, key: ask.client.keyPem }),
  };
}

function h1(ask: TlsAsk): Promise<TlsAnswer> {
  return new Promise((resolve) => {
    const req = h1request({ host: '127.0.0.1', port: ask.port, path: ask.path ?? '/', headers: { host: ask.host }, agent: false, ...tlsOptions(ask) }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => { body += c; });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, upstream: upstreamOf(res.statusCode ?? 0, body) }); });
      res.on('error', (err: NodeJS.ErrnoException) => { resolve({ error: err.code ?? err.message }); });
    });
    req.on('error', (err: NodeJS.ErrnoException) => { resolve({ error: err.code ?? err.message }); });
    req.end();
  });
}

function h2(ask: TlsAsk): Promise<TlsAnswer> {
  return new Promise((resolve) => {
    const session = h2connect(`https://127.0.0.1:${String(ask.port)}`, tlsOptions(ask));
    const fail = (err: NodeJS.ErrnoException): void => {
      session.destroy();
      resolve({ error: err.code ?? err.message });
    };
    session.on('error', fail);
    const stream = session.request({ ':path': ask.path ?? '/', ':authority': ask.host });
    let status = 0;
    let body = '';
    stream.on('response', (h) => { status = Number(h[':status']); });
    stream.setEncoding('utf8').on('data', (c: string) => { body += c; });
    const noAnswer = (): void => { fail(Object.assign(new Error('the stream ended without an answer'), { code: 'ERR_NO_ANSWER' })); };
    stream.on('end', () => {
      if (status === 0) {
        noAnswer();
        return;
      }
      session.close();
      resolve({ status, upstream: upstreamOf(status, body) });
    });
    stream.on('error', fail);
    stream.on('close', () => { if (status === 0) noAnswer(); });
    stream.end();
  });
}
