// Server spans for the requests of traced routes: the route's annotations (RouteOptions.tracing) over
// the controller's settings decide per request whether there is a span and whether the client's
// traceparent is its parent. An untraced route costs a property read; a traced request that is not
// sampled still gets ids, so the upstream sees a consistent traceparent with the flag off. A request
// no route takes (404, or refused before the lookup) is traced by the controller's settings alone,
// as ingress-nginx's global tracing covers its default server: named by its method only (OTel's
// rule when there is no route), without http.route or the bollard.* attributes of a route.
import type { Route } from '../../routing/types.ts';
import type { ClientRequest } from '../client-response.ts';
import type { RandomIds } from './ids.ts';
import { sampled, type SamplerSettings } from './sampler.ts';
import type { AttributeValue, FinishedSpan, ServerSpan, SpanEnd } from './span.ts';
import { formatTraceparent, parseTraceparent, traceStateOf } from './trace-context.ts';

export interface TracerSettings extends SamplerSettings {
  /** Routes whose Ingress says nothing are traced. */
  readonly enabled: boolean;
  /** The client's traceparent is the parent, unless the Ingress says otherwise. */
  readonly trustIncomingSpan: boolean;
}

export class Tracer {
  private readonly settings: TracerSettings;
  private readonly ids: RandomIds;
  /** Where sampled spans go when they end (the batcher). */
  private readonly sink: (span: FinishedSpan) => void;

  constructor(settings: TracerSettings, ids: RandomIds, sink: (span: FinishedSpan) => void) {
    this.settings = settings;
    this.ids = ids;
    this.sink = sink;
  }

  /**
   * The request's span, or undefined when its route is not traced; a request no route took
   * (`route` undefined) is traced by the controller's settings alone.
   */
  begin(route: Route | undefined, req: ClientRequest, scheme: 'http' | 'https'): ServerSpan | undefined {
    const own = route?.options.tracing;
    if (!(own?.enabled ?? this.settings.enabled)) return undefined;
    const parent = (own?.trustIncomingSpan ?? this.settings.trustIncomingSpan) ? parseTraceparent(req.headers.traceparent) : undefined;
    const traceId = parent?.traceId ?? this.ids.traceId();
    return {
      traceId, spanId: this.ids.spanId(), parentSpanId: parent?.spanId, sampled: sampled(this.settings, traceId, parent),
      traceState: parent === undefined ? undefined : traceStateOf(req.headers), ...requestFacts(req), scheme,
    };
  }

  /**
   * The upstream's trace headers: our span as its parent, the client's tracestate only with the
   * client's trace (a new trace drops it, and an untrusted client's traceparent with it).
   */
  propagate(span: ServerSpan, headers: Record<string, string | string[]>): void {
    headers.traceparent = formatTraceparent(span.traceId, span.spanId, span.sampled);
    if (span.traceState === undefined) delete headers.tracestate;
    else headers.tracestate = span.traceState;
  }

  /** Hands the request's span, if sampled, to the sink. */
  end(r: SpanEnd): void {
    const { span, route } = r;
    if (span === undefined || !span.sampled) return;
    const endMs = performance.timeOrigin + performance.now();
    this.sink({
      traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId, traceState: span.traceState,
      name: route === undefined ? r.method : route.options.tracing?.operationName ?? `${r.method} ${route.path}`,
      startMs: performance.timeOrigin + r.startedAt, endMs,
      attributes: spanAttributes(span, r, route),
      error: r.status >= 500,
    });
  }
}

function requestFacts(req: ClientRequest): Pick<ServerSpan, 'peerAddress' | 'userAgent' | 'protocolVersion'> {
  return { peerAddress: req.socket?.remoteAddress ?? '', userAgent: req.headers['user-agent'], protocolVersion: req.httpVersionMajor === 2 ? '2' : '1.1' };
}

/** OpenTelemetry's HTTP server attributes, and where Bollard sent the request as bollard.*. */
function spanAttributes(span: ServerSpan, r: SpanEnd, route: Route | undefined): (readonly [string, AttributeValue])[] {
  const attributes: (readonly [string, AttributeValue])[] = [
    ['http.request.method', r.method], ['url.scheme', span.scheme], ['url.path', r.path],
    ['http.response.status_code', r.status], ['server.address', r.host], ['network.peer.address', span.peerAddress],
    ['network.protocol.version', span.protocolVersion],
  ];
  if (route !== undefined) {
    attributes.push(
      ['http.route', route.path], ['bollard.ingress.namespace', route.ingress.namespace], ['bollard.ingress.name', route.ingress.name],
      ['bollard.service.name', route.upstream.service.name], ['bollard.upstream', route.upstream.key],
    );
  }
  if (typeof span.userAgent === 'string') attributes.push(['user_agent.original', span.userAgent]);
  if (r.upstream !== undefined) attributes.push(['bollard.upstream.address', r.upstream]);
  if (r.status >= 500) attributes.push(['error.type', r.errorKind ?? String(r.status)]);
  return attributes;
}
