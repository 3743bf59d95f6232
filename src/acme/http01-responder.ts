// Answers HTTP-01 validations on every replica: a watch on challenges/http-01/ keeps a local
// cache, and a cache miss reads through to storage once, so a token written a moment ago on the
// leader is served by a replica whose watch has not delivered it yet. While storage is
// unreachable the cache keeps answering. Read-throughs are coalesced per token and capped, so a
// flood of made-up tokens cannot turn into a flood of etcd reads.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log/logger.ts';
import { parseHttp01, type Http01Record } from './http01-challenges.ts';
import { CHALLENGES_HTTP01, challengeKey, challengeTokenOf } from './keys.ts';
import { NotFoundError } from './errors.ts';
import type { PrefixWatch, WatchableStorage } from './storage.ts';

export const ACME_CHALLENGE_PATH = '/.well-known/acme-challenge/';

/** RFC 8555 §8.3: base64url, and at least 128 bits of entropy (22 characters). */
const TOKEN = /^[A-Za-z0-9_-]{22,256}$/;

export interface Http01Responder {
  /** The key authorization for `token` (checked against `host` when given), or undefined. */
  lookup(token: string, host?: string): Promise<string | undefined>;
  /** The same from the local cache only, synchronously (no read-through). */
  cached(token: string, host?: string): string | undefined;
  /** Starts the watch; lookups before that read through. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface Http01ResponderOptions {
  readonly maxReadThroughs?: number;
}

const hostOnly = (host: string): string => host.replace(/:\d+$/, '').replace(/\.$/, '').toLowerCase();

export function createHttp01Responder(storage: WatchableStorage, log: Logger, opts: Http01ResponderOptions = {}): Http01Responder {
  const cache = new Map<string, Http01Record>();
  const reading = new Map<string, Promise<Http01Record | undefined>>();
  const maxReads = opts.maxReadThroughs ?? 32;
  let watch: PrefixWatch | undefined;

  const put = (key: string, value: Buffer): void => {
    const token = challengeTokenOf(key);
    const record = parseHttp01(value);
    if (token !== undefined && record) cache.set(token, record);
  };

  const readThrough = (token: string): Promise<Http01Record | undefined> => {
    const pending = reading.get(token);
    if (pending) return pending;
    if (reading.size >= maxReads) return Promise.resolve(undefined);
    const p = storage.load(challengeKey(token)).then(parseHttp01, (err: unknown) => {
      if (!(err instanceof NotFoundError)) log.warn('http-01 read-through failed', { err });
      return undefined;
    }).finally(() => reading.delete(token));
    reading.set(token, p);
    return p;
  };

  const answer = (record: Http01Record | undefined, host: string | undefined): string | undefined =>
    record && (host === undefined || hostOnly(host) === record.name.toLowerCase()) ? record.keyAuthorization : undefined;

  return {
    async lookup(token, host) {
      if (!TOKEN.test(token)) return undefined;
      return answer(cache.get(token) ?? (await readThrough(token)), host);
    },
    cached: (token, host) => answer(cache.get(token), host),
    async start() {
      watch = await storage.watchPrefix(`${CHALLENGES_HTTP01}/`, {
        initial: (entries) => { for (const [k, v] of entries) put(k, v); },
        change: (c) => {
          if (c.type === 'put') put(c.key, c.value);
          else { const t = challengeTokenOf(c.key); if (t !== undefined) cache.delete(t); }
        },
        connection: (up) => { log.info(up ? 'http-01 watch connected' : 'http-01 watch disconnected; serving from cache'); },
      });
    },
    async close() {
      await watch?.close();
    },
  };
}

/**
 * A request handler for the HTTP listener: returns false when the request is not an ACME
 * challenge (the proxy goes on), otherwise answers it (200 with the key authorization, or 404).
 */
export function createHttp01Handler(responder: Http01Responder): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = req.url ?? '';
    if (!url.startsWith(ACME_CHALLENGE_PATH) || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const token = url.slice(ACME_CHALLENGE_PATH.length).split('?')[0] ?? '';
    const host = req.headers.host;
    void responder.lookup(token, host).then((keyAuthorization) => {
      if (keyAuthorization === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(keyAuthorization) });
      res.end(req.method === 'HEAD' ? undefined : keyAuthorization);
    }, () => { res.writeHead(500).end(); });
    return true;
  };
}
