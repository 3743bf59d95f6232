// What a compiled middleware is: a step over the request that either answers it locally or adds to
// the plan for forwarding it. Steps run in the chain's order (src/routing/middleware.ts).
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '../../log/logger.ts';
import type { RequestMirror, ResponseRateLimit, SessionPersistence, TextReplacement } from '../../routing/middleware.ts';
import type { RequestTarget } from '../request-path.ts';
import type { ClientCertificateVerdict } from '../tls/client-certificate.ts';
import type { SessionKey } from '../upstream/session-key.ts';
import type { AuthServices } from './auth-services.ts';
import type { GlobalRateLimits } from '../global-rate/global-rate-limits.ts';
import type { RequestHash } from '../upstream/hash-key.ts';

export type { RequestHash } from '../upstream/hash-key.ts';

export interface ChainRequest {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly proto: 'http' | 'https';
  /** Normalised, without the port. */
  readonly host: string;
  readonly target: RequestTarget;
  /** The client's address: the peer's, or after trusted proxies the one they name (client-address.ts). */
  readonly clientAddress: () => string;
  /** What the connection's handshake made of the client's certificate (HTTPS, when the host's validation asked for one). */
  readonly clientCertificate: () => ClientCertificateVerdict | undefined;
  /** The status of a request refused by a rate limit (--limit-rejection-status). */
  readonly limitRejectionStatus: number;
  /** Calls `release` once the answer to this request is over (sent, or the client gone). */
  readonly whenDone: (release: () => void) => void;
  /** Connections and cache counters for authentication services (ForwardAuth); without them, Node's shared pool. */
  readonly authServices?: AuthServices | undefined;
  /** The data plane's counters shared with the other replicas (GlobalRateLimit); without them, no global limit. */
  readonly globalRateLimits?: GlobalRateLimits | undefined;
  /** The data plane's log, for the lines a middleware writes (nginx enable-rewrite-log); without it, none. */
  readonly log?: Logger | undefined;
}

export interface LocalAnswer {
  readonly status: number;
  readonly text: string;
  /** Set-Cookie may have several values (a forward auth service's cookies). */
  readonly headers: Record<string, string | string[]>;
}

/** How the request is forwarded; unset parts are left as they are. */
export interface ForwardPlan {
  /** Path and query sent upstream. */
  path: string | undefined;
  /** The Host header sent upstream. */
  hostname: string | undefined;
  /** Request headers set (lower-case names) and removed. */
  readonly setHeaders: [string, string][];
  readonly removeHeaders: string[];
  /** Set on the client's response, whatever the upstream says; then `removeResponseHeaders` dropped. */
  responseHeaders: Record<string, string> | undefined;
  removeResponseHeaders: readonly string[] | undefined;
  /** Appended to the upstream's value of the response header (comma-separated), or set when it has none. */
  appendResponseHeaders?: readonly (readonly [string, string])[] | undefined;
  /** Sticky sessions: the endpoint the cookie leads to comes before the balancer's pick. */
  session?: SessionRequest | undefined;
  /** The response body goes to the client no faster than this (../throttled-response.ts). */
  responseRate?: ResponseRateLimit | undefined;
  /** Copies of the request as forwarded go there (sampled when it is forwarded: ../mirror/mirrors.ts). */
  mirrors?: PlannedMirror[] | undefined;
  /** Consistent hashing: the endpoint (or subset) the request's key leads to comes before the balancer's pick. */
  hash?: RequestHash | undefined;
  /** Changes to the upstream's Location, Refresh and Set-Cookie headers (./response-rewrite.ts). */
  responseRewrite?: ResponseRewrite | undefined;
  /** A forward auth service's Set-Cookie values for the client's answer: on 2xx and 3xx only, or `always`. */
  authCookies?: { readonly values: readonly string[]; readonly always: boolean } | undefined;
  /** The X-Request-ID the upstream gets, when a forward auth service was sent it first. */
  requestId?: string | undefined;
}

export interface PlannedMirror {
  readonly rule: RequestMirror;
  /** A URL mirror's path and query for this request; undefined: the upstream's. */
  readonly path: string | undefined;
}

export interface ResponseRewrite {
  readonly location?: TextReplacement | undefined;
  readonly cookieDomain?: TextReplacement | undefined;
  readonly cookiePath?: TextReplacement | undefined;
}

export interface SessionRequest {
  readonly rule: SessionPersistence;
  /** What the request's session cookie holds, if it is one of ours. */
  readonly key: SessionKey | undefined;
  readonly https: boolean;
  /** The rule's SameSite=None is left out: the client is one that rejects it (conditionalSameSiteNone). */
  readonly dropSameSiteNone?: boolean | undefined;
  /** The cookie's key leads to an endpoint of the route's canary (nginx affinity-canary-behavior sticky). */
  readonly keyOfCanary?: boolean | undefined;
  /** The canary serves the request: the cookie written says so. */
  readonly canary?: boolean | undefined;
}

/** A step that must wait (a password hash, an auth service) returns a promise; the rest answer at once. */
export type Step = (req: ChainRequest, plan: ForwardPlan) => LocalAnswer | undefined | Promise<LocalAnswer | undefined>;
