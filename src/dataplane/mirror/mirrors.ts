// RequestMirror in the data plane (Gateway API's filter, nginx's mirror-target): for each mirror a
// request samples, a copy of the request as forwarded goes to one endpoint of the mirror's upstream,
// or to the host and port of its URL, fire-and-forget. Its answer is read and thrown away, its
// failure is only counted, it is never retried, and nothing waits for it; it travels on connections
// of its own (UpstreamPools.mirrorDispatcher), not the clients'. A URL's host name is resolved by the
// system resolver when a connection opens (in a Pod: cluster DNS, so "svc.ns.svc.cluster.local" is
// the Service's cluster IP). Bounded: at most MAX_IN_FLIGHT mirror requests at once per process (more
// are counted as "overloaded" and not sent), and each holds at most BODY_BOUND_BYTES of body it has
// not sent yet.
import type { Readable } from 'node:stream';
import type { RequestMirror } from '../../routing/middleware.ts';
import type { Endpoint, Upstream } from '../../routing/types.ts';
import type { PlannedMirror } from '../middleware/step.ts';
import type { Balancer } from '../upstream/balancer.ts';
import type { UpstreamPools } from '../upstream/pools.ts';
import { teeBody, type MirrorBody } from './body-tee.ts';

export type MirrorOutcome = 'sent' | 'failed' | 'no_endpoint' | 'body_dropped' | 'overloaded' | 'skipped';

export const MAX_IN_FLIGHT = 1_000;
export const BODY_BOUND_BYTES = 1024 * 1024;
/** The most of a mirror's answer read before its connection is dropped instead. */
const ANSWER_READ_BYTES = 64 * 1024;

export interface MirrorDeps {
  readonly pools: UpstreamPools;
  readonly balancer: Balancer;
  readonly random: () => number;
  readonly onOutcome: (outcome: MirrorOutcome) => void;
}

export interface MirroredRequest {
  readonly method: string;
  /** Path and query as sent upstream. */
  readonly path: string;
  /** The headers as sent upstream, Host included; each mirror gets its own copy. */
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly timeoutMs: number;
}

export interface MirrorStart {
  /** The body the upstream reads (the client's, or a tee of it). */
  readonly body: Readable | null;
  /** Call when the upstream's exchange is over. */
  readonly done: () => void;
}

const NOTHING = (): void => undefined;

export class Mirrors {
  private readonly deps: MirrorDeps;
  private inFlight = 0;

  constructor(deps: MirrorDeps) {
    this.deps = deps;
  }

  /** Samples `mirrors`, starts a request for each one chosen, and returns the body the upstream reads. */
  start(mirrors: readonly PlannedMirror[], upstreams: ReadonlyMap<string, Upstream>, req: MirroredRequest, body: Readable | null): MirrorStart {
    const chosen = mirrors.filter((m) => this.sampled(m.rule));
    if (chosen.length === 0) return { body, done: NOTHING };
    const withBody = body === null ? [] : chosen.filter((m) => m.rule.body !== false);
    const tee = body === null || withBody.length === 0 ? undefined : teeBody(body, withBody.length, BODY_BOUND_BYTES);
    for (const m of chosen) {
      const at = withBody.indexOf(m);
      this.send(m, this.endpointOf(m.rule, upstreams), req, at < 0 ? null : tee?.copies[at] ?? null);
    }
    return tee === undefined ? { body, done: NOTHING } : { body: tee.primary, done: tee.stop };
  }

  private sampled(m: RequestMirror): boolean {
    if (m.ratio >= 1 || this.deps.random() < m.ratio) return true;
    this.deps.onOutcome('skipped');
    return false;
  }

  /** The URL's host and port, or an endpoint of the mirror's upstream. */
  private endpointOf(m: RequestMirror, upstreams: ReadonlyMap<string, Upstream>): Endpoint | undefined {
    if (m.url !== undefined) return { host: m.url.host, port: m.url.port };
    const upstream = upstreams.get(m.upstreamKey);
    return upstream === undefined ? undefined : this.deps.balancer.pick(upstream, 'round-robin');
  }

  private send({ rule, path }: PlannedMirror, endpoint: Endpoint | undefined, req: MirroredRequest, body: MirrorBody | null): void {
    const refused: MirrorOutcome | undefined = endpoint === undefined ? 'no_endpoint' : this.inFlight >= MAX_IN_FLIGHT ? 'overloaded' : undefined;
    if (refused !== undefined || endpoint === undefined) {
      body?.giveUp('the mirror is not sent');
      this.deps.onOutcome(refused ?? 'no_endpoint');
      return;
    }
    this.inFlight += 1;
    void this.deps.pools.mirrorDispatcher(endpoint, rule.backendProtocol).request({
      path: path ?? req.path, method: req.method, headers: copyHeaders(req.headers, rule), body,
      headersTimeout: req.timeoutMs, bodyTimeout: req.timeoutMs,
    }).then(async (answer): Promise<MirrorOutcome> => {
      await answer.body.dump({ limit: ANSWER_READ_BYTES });
      return 'sent';
    }).catch((): MirrorOutcome => (body?.dropped === true ? 'body_dropped' : 'failed')).then((outcome) => {
      this.inFlight -= 1;
      this.deps.onOutcome(outcome);
    });
  }
}

/** The copy's own headers: its Host, and without the body none that describe one. */
function copyHeaders(headers: MirroredRequest['headers'], rule: RequestMirror): Record<string, string | string[]> {
  const copy = { ...headers };
  if (rule.hostname !== undefined) copy.host = rule.hostname;
  if (rule.body === false) {
    Reflect.deleteProperty(copy, 'content-length');
    Reflect.deleteProperty(copy, 'transfer-encoding');
  }
  return copy;
}
