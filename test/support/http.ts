// HTTP through Bollard with an explicit Host header (fetch cannot set Host), and an
// "eventually" helper: the table converges asynchronously after an API write.
import { request as httpRequest } from 'node:http';
import { request } from 'undici';
import { waitFor } from '../harness/wait-for.ts';

export interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The echo backend's JSON answer, when the reply came from one. */
  readonly echo: { backend: string; method: string; url: string; headers: Record<string, string>; body: string } | undefined;
}

export async function get(baseUrl: string, host: string, path: string, init: { method?: 'GET' | 'POST'; body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const res = await request(`${baseUrl}${path}`, {
    method: init.method ?? 'GET', headers: { host, ...init.headers }, ...(init.body === undefined ? {} : { body: init.body }),
  });
  const body = await res.body.text();
  let echo: Reply['echo'];
  try {
    const parsed = JSON.parse(body) as Reply['echo'];
    echo = parsed && typeof parsed.backend === 'string' ? parsed : undefined;
  } catch {
    echo = undefined;
  }
  return { status: res.statusCode, body, headers: res.headers, echo };
}

/** Retries `get` until `accept` says yes; returns that reply. */
export function eventually(baseUrl: string, host: string, path: string, accept: (r: Reply) => boolean, what: string, timeoutMs = 15_000): Promise<Reply> {
  let last = '';
  return waitFor(async () => {
    const r = await get(baseUrl, host, path);
    last = `${r.status} ${r.echo?.backend ?? r.body.slice(0, 80)}`;
    return accept(r) ? r : undefined;
  }, { what: `${what} (${host}${path}; last: ${last})`, timeoutMs, intervalMs: 25 });
}

export const fromBackend = (name: string) => (r: Reply): boolean => r.status === 200 && r.echo?.backend === name;
export const withStatus = (status: number) => (r: Reply): boolean => r.status === status;

/**
 * GET / through node:http, which (unlike undici) lets a test send hop-by-hop headers such as
 * Keep-Alive and Connection-named ones; returns the headers the echo backend received.
 */
export function rawGet(baseUrl: string, headers: Record<string, string>): Promise<{ headers: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}/`, { headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => {
        try {
          resolve(JSON.parse(text) as { headers: Record<string, string> });
        } catch (err: unknown) {
          reject(err instanceof Error ? err : new Error(text));
        }
      });
    });
    req.on('error', reject).end();
  });
}
