import { describe, expect, it } from '@jest/globals';
import type { Route, RouteTracing } from '../../routing/types.ts';
import type { ClientRequest } from '../client-response.ts';
import { RandomIds } from './ids.ts';
import type { FinishedSpan } from './span.ts';
import { Tracer, type TracerSettings } from './tracer.ts';

const CLIENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function routeWith(tracing?: Partial<RouteTracing>): Route {
  return {
    ingress: { namespace: 'shop', name: 'web' }, pathType: 'Prefix', path: '/', upstream: { key: 'shop/web:80', service: { namespace: 'shop', name: 'web' }, endpoints: [] },
    options: {
      sslRedirect: false, loadBalancing: 'round-robin', backendProtocol: 'HTTP', readTimeoutMs: 1000, maxBodyBytes: undefined, tunnelIdleTimeoutMs: 1000,
      connectTimeoutMs: undefined, retries: undefined, retryTimeoutMs: undefined,
      ...(tracing === undefined ? {} : { tracing: { key: 'k', enabled: undefined, trustIncomingSpan: undefined, operationName: undefined, ...tracing } }),
    },
  };
}

const req = (headers: Record<string, string> = {}): ClientRequest => ({ method: 'GET', url: '/', headers, httpVersionMajor: 2, socket: { remoteAddress: '192.0.2.7' } });

function tracer(settings: Partial<TracerSettings> = {}): { tracer: Tracer; sunk: FinishedSpan[] } {
  const sunk: FinishedSpan[] = [];
  const t = new Tracer({ enabled: false, trustIncomingSpan: true, ratio: 1, parentBased: false, ...settings }, new RandomIds(), (s) => { sunk.push(s); });
  return { tracer: t, sunk };
}

describe('Tracer.begin', () => {
  it.each([
    [false, undefined, false], [true, undefined, true], [false, true, true], [true, false, false],
  ])('with --otel-enabled %s and enable-opentelemetry %s, traces: %s', (global, annotation, traced) => {
    const route = routeWith(annotation === undefined ? undefined : { enabled: annotation });
    expect(tracer({ enabled: global }).tracer.begin(route, req(), 'https') !== undefined).toBe(traced);
  });

  it('takes the trust setting from the route over the controller\'s', () => {
    const trusting = tracer({ enabled: true, trustIncomingSpan: false });
    expect(trusting.tracer.begin(routeWith({ trustIncomingSpan: true }), req({ traceparent: CLIENT }), 'http')?.parentSpanId).toBe('00f067aa0ba902b7');
    expect(trusting.tracer.begin(routeWith(), req({ traceparent: CLIENT }), 'http')?.parentSpanId).toBeUndefined();
  });
});

describe('a span that is not sampled', () => {
  it('still tells the upstream, flagged not sampled, and is never handed on', () => {
    const { tracer: t, sunk } = tracer({ enabled: true, ratio: 0 });
    const route = routeWith();
    const span = t.begin(route, req(), 'http');
    const headers: Record<string, string> = {};
    if (span !== undefined) t.propagate(span, headers);
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    t.end({ span, method: 'GET', host: 'a.test', path: '/', status: 200, route, upstream: undefined, errorKind: undefined, startedAt: performance.now() });
    expect(sunk).toEqual([]);
  });

  it('follows a sampled parent when parent-based, though the ratio is 0', () => {
    const { tracer: t, sunk } = tracer({ enabled: true, ratio: 0, parentBased: true });
    const route = routeWith();
    const span = t.begin(route, req({ traceparent: CLIENT }), 'https');
    t.end({ span, method: 'GET', host: 'a.test', path: '/', status: 200, route, upstream: undefined, errorKind: undefined, startedAt: performance.now() });
    expect(sunk.map((s) => [s.traceId, s.parentSpanId, s.attributes.find(([k]) => k === 'network.protocol.version')?.[1]]))
      .toEqual([['4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', '2']]);
  });
});
