// Every Prometheus metric Bollard exports, defined in one place (names carry their unit).
// Two registries: the controller's (with process metrics) and the data plane's. A single process
// exposes both; with worker processes the primary exposes its controller registry plus the
// workers' data-plane registries, aggregated (workers/worker-pool.ts).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CellCounter, CellHistogram } from './cells.ts';

export interface Metrics {
  readonly controllerRegistry: Registry;
  readonly dataPlaneRegistry: Registry;
  readonly tableBuildDuration: Histogram;
  readonly tableGeneration: Gauge;
  readonly ingressesServed: Gauge;
  readonly diagnostics: Gauge<'reason'>;
  readonly unsupportedAnnotations: Gauge<'annotation'>;
  readonly isLeader: Gauge;
  readonly statusWrites: Counter<'result'>;
  readonly gatewayServiceWrites: Counter<'action' | 'result'>;
  /** Gateway API status writes refused with 409 Conflict (another writer came first), by kind. */
  readonly statusWriteConflicts: Counter<'kind'>;
  /** Bound per route and status class by the data plane (cells: no label hashing per request). */
  readonly requests: CellCounter<'ingress' | 'service' | 'status_class'>;
  readonly requestDuration: CellHistogram<'ingress' | 'service' | 'status_class'>;
  readonly upstreamErrors: Counter<'service' | 'kind'>;
  readonly activeConnections: Gauge<'listener'>;
  readonly tlsHandshakeErrors: Counter<'code'>;
  readonly tlsCertificateErrors: Counter;
  readonly tlsCertificateChoices: Counter<'choice'>;
  readonly tlsPassthroughConnections: Counter<'outcome'>;
  readonly tcpRouteConnections: Counter<'outcome'>;
  /** Ports opened on Gateways' own addresses for listeners on other ports than 80 and 443. */
  readonly gatewayPortListeners: Gauge;
  readonly gatewayPortListenerErrors: Counter<'code'>;
  readonly clientErrors: Counter<'code'>;
  readonly proxyProtocolRefusals: Counter<'reason'>;
  readonly upstreamEjections: Counter<'service'>;
  readonly handlerFailures: Counter<'handler'>;
  /** Upgraded connections (WebSocket over HTTP/1.1 and HTTP/2): a tunnel is counted when it opens and when it closes. */
  readonly tunnelsOpen: Gauge<'service'>;
  readonly tunnelDuration: Histogram<'service'>;
  readonly tunnelBytes: Counter<'service' | 'direction'>;
  readonly tunnelsClosed: Counter<'reason'>;
  readonly mirrorRequests: Counter<'outcome'>;
  readonly authCacheLookups: Counter<'result'>;
  /** Data plane: requests refused by a GlobalRateLimit, and failed exchanges of counts with the primary. */
  readonly globalRateLimitRejections: Counter;
  readonly globalRateLimitExchangeFailures: Counter;
  readonly globalRateLimitUntracked: Counter;
  /** Controller: this replica's exchanges of counts with etcd, and whether counting is shared. */
  readonly globalRateLimitSyncDuration: Histogram;
  readonly globalRateLimitSyncErrors: Counter;
  readonly globalRateLimitShared: Gauge;
  /** OpenTelemetry server spans (--otel-*, nginx enable-opentelemetry). */
  readonly traceSpansExported: Counter;
  readonly traceSpansDropped: Counter<'reason'>;
  readonly traceExportErrors: Counter;
}

export function createMetrics(opts: { processMetrics: boolean } = { processMetrics: true }): Metrics {
  const controllerRegistry = new Registry();
  const dataPlaneRegistry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: controllerRegistry });
  const c = [controllerRegistry];
  const d = [dataPlaneRegistry];
  const traffic = ['ingress', 'service', 'status_class'] as const;
  return {
    controllerRegistry,
    dataPlaneRegistry,
    tableBuildDuration: new Histogram({
      name: 'bollard_table_build_duration_seconds', help: 'Time to build the routing table from the snapshot.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: c,
    }),
    tableGeneration: new Gauge({ name: 'bollard_table_generation', help: 'Generation of the routing table in use.', registers: c }),
    ingressesServed: new Gauge({ name: 'bollard_ingresses_served', help: 'Ingresses of this controller\'s class.', registers: c }),
    diagnostics: new Gauge({ name: 'bollard_ingress_diagnostics', help: 'Current problems with Ingresses, by reason.', labelNames: ['reason'], registers: c }),
    unsupportedAnnotations: new Gauge({
      name: 'bollard_ingress_unsupported_annotations',
      help: 'Served Ingresses carrying an nginx.ingress.kubernetes.io/* annotation Bollard does not act on, by annotation.',
      labelNames: ['annotation'], registers: c,
    }),
    isLeader: new Gauge({ name: 'bollard_leader', help: '1 when this replica is the elected status writer.', registers: c }),
    statusWrites: new Counter({ name: 'bollard_status_writes_total', help: 'Status updates (Ingress and Gateway API objects), by result.', labelNames: ['result'], registers: c }),
    gatewayServiceWrites: new Counter({
      name: 'bollard_gateway_service_writes_total', help: 'Writes of the Services generated per Gateway (--gateway-infrastructure-services), by action (created, updated, deleted) and result (success, stale: the informer was behind, error).',
      labelNames: ['action', 'result'], registers: c,
    }),
    statusWriteConflicts: new Counter({
      name: 'bollard_status_write_conflicts_total',
      help: 'Route and BackendTLSPolicy status writes refused with 409 Conflict because another writer changed the object after Bollard read it, by kind; each is retried with a fresh read.',
      labelNames: ['kind'], registers: c,
    }),
    requests: new CellCounter({ name: 'bollard_requests_total', help: 'Proxied requests.', labelNames: traffic, registers: d }),
    requestDuration: new CellHistogram({
      name: 'bollard_request_duration_seconds', help: 'Time from request to the end of the response.', labelNames: traffic,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: d,
    }),
    upstreamErrors: new Counter({
      name: 'bollard_upstream_errors_total', help: 'Failed upstream requests, by kind (connect, timeout, reset).', labelNames: ['service', 'kind'], registers: d,
    }),
    activeConnections: new Gauge({ name: 'bollard_active_connections', help: 'Open client connections.', labelNames: ['listener'], registers: d }),
    tlsHandshakeErrors: new Counter({ name: 'bollard_tls_handshake_errors_total', help: 'Failed TLS handshakes, by OpenSSL/Node error code.', labelNames: ['code'], registers: d }),
    tlsCertificateErrors: new Counter({ name: 'bollard_tls_certificate_errors_total', help: 'Certificates from Secrets that could not be loaded.', registers: d }),
    tlsCertificateChoices: new Counter({
      name: 'bollard_tls_certificate_selections_total',
      help: 'TLS connections by how their certificate was chosen: sni (the host\'s own), or the default certificate: default_no_sni, default_unknown_name, default_certificate_error (the host\'s could not be loaded), default_unreadable_hello.',
      labelNames: ['choice'], registers: d,
    }),
    gatewayPortListeners: new Gauge({
      name: 'bollard_gateway_port_listeners', help: 'Ports open on Gateways\' own addresses for listeners on other ports than 80 and 443.', registers: d,
    }),
    gatewayPortListenerErrors: new Counter({
      name: 'bollard_gateway_port_listener_errors_total', help: 'Ports on Gateways\' own addresses that could not be opened, by error code (EADDRINUSE, EACCES, ...).',
      labelNames: ['code'], registers: d,
    }),
    tcpRouteConnections: new Counter({
      name: 'bollard_tcp_route_connections_total',
      help: 'Connections to Gateway API TCP listeners\' ports, by outcome: connected, no_endpoints, connect_error, no_route (no TCPRoute bound to the port: closed). Open ones are tunnels (bollard_tunnels_open).',
      labelNames: ['outcome'], registers: d,
    }),
    tlsPassthroughConnections: new Counter({
      name: 'bollard_tls_passthrough_connections_total',
      help: 'TLS connections routed by server name to a backend as a byte stream (nginx ssl-passthrough, Gateway API TLSRoutes in Passthrough and Terminate mode), by outcome: connected, no_endpoints, connect_error, no_route (refused: no TLSRoute takes the name on a port of TLS listeners only). Open ones are tunnels (bollard_tunnels_open).',
      labelNames: ['outcome'], registers: d,
    }),
    clientErrors: new Counter({ name: 'bollard_client_errors_total', help: 'Malformed or timed-out client requests rejected before routing, by parser error code.', labelNames: ['code'], registers: d }),
    proxyProtocolRefusals: new Counter({
      name: 'bollard_proxy_protocol_refusals_total',
      help: 'Connections closed for their PROXY protocol header (--proxy-protocol), by reason: missing (the bytes are not one), malformed, too_long, timeout.',
      labelNames: ['reason'], registers: d,
    }),
    upstreamEjections: new Counter({ name: 'bollard_upstream_ejections_total', help: 'Endpoints ejected by passive health checking.', labelNames: ['service'], registers: d }),
    handlerFailures: new Counter({
      name: 'bollard_handler_failures_total', help: 'Requests whose handling threw (a bug): answered 500 or closed, logged as "request handler failed".', labelNames: ['handler'], registers: d,
    }),
    tunnelsOpen: new Gauge({ name: 'bollard_tunnels_open', help: 'Open upgraded connections (WebSocket) and TLS passthrough connections, by upstream service.', labelNames: ['service'], registers: d }),
    tunnelDuration: new Histogram({
      name: 'bollard_tunnel_duration_seconds', help: 'Lifetime of upgraded connections, from the upgrade request to the close.', labelNames: ['service'],
      buckets: [1, 10, 60, 300, 900, 3600, 14_400, 86_400], registers: d,
    }),
    tunnelBytes: new Counter({
      name: 'bollard_tunnel_bytes_total', help: 'Bytes relayed through upgraded connections as they pass, by direction (from_client, to_client).', labelNames: ['service', 'direction'], registers: d,
    }),
    tunnelsClosed: new Counter({
      name: 'bollard_tunnels_closed_total', help: 'Closed upgraded connections, by who closed them (client, upstream, idle, drain).', labelNames: ['reason'], registers: d,
    }),
    mirrorRequests: new Counter({
      name: 'bollard_mirror_requests_total',
      help: 'Request mirror copies (Gateway API RequestMirror, nginx mirror-target), by outcome: sent (the mirror answered, whatever its status), failed (including a mirror-target host that does not resolve), no_endpoint, body_dropped (the mirror fell too far behind the body, or the body ended early), overloaded (too many mirror requests in flight), skipped (not sampled by percent/fraction).',
      labelNames: ['outcome'], registers: d,
    }),
    authCacheLookups: new Counter({
      name: 'bollard_auth_cache_lookups_total',
      help: 'Forward authentication (nginx auth-url with auth-cache-key) answers looked up in the per-process cache, by result: hit (the cached answer was used) or miss (the service was asked).',
      labelNames: ['result'], registers: d,
    }),
    globalRateLimitRejections: new Counter({
      name: 'bollard_global_rate_limit_rejections_total',
      help: 'Requests refused by a global rate limit (nginx global-rate-limit) with --global-rate-limit-status.',
      registers: d,
    }),
    globalRateLimitExchangeFailures: new Counter({
      name: 'bollard_global_rate_limit_exchange_failures_total',
      help: 'Exchanges of global rate limit counts between a data-plane process and the primary that got no answer in time (the counts go with the next one).',
      registers: d,
    }),
    globalRateLimitUntracked: new Counter({
      name: 'bollard_global_rate_limit_untracked_total',
      help: 'Requests a global rate limit let through uncounted: the data-plane process already held its most counters for that rule (100,000 windows per rule; keys made of values a client chooses can grow without bound).',
      registers: d,
    }),
    globalRateLimitSyncDuration: new Histogram({
      name: 'bollard_global_rate_limit_sync_duration_seconds',
      help: 'Time of one exchange of this replica\'s global rate limit counts with etcd (writes and reads of the windows in one round).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: c,
    }),
    globalRateLimitSyncErrors: new Counter({
      name: 'bollard_global_rate_limit_sync_errors_total',
      help: 'Exchanges of global rate limit counts with etcd that failed; the replica then limits on its own counts.',
      registers: c,
    }),
    globalRateLimitShared: new Gauge({
      name: 'bollard_global_rate_limit_shared',
      help: '1 while global rate limits are counted across replicas through etcd; 0 while this replica counts alone (no --etcd-endpoints, or etcd unreachable).',
      registers: c,
    }),
    traceSpansExported: new Counter({
      name: 'bollard_trace_spans_exported_total', help: 'Sampled server spans the OTLP collector (--otel-endpoint) accepted.', registers: d,
    }),
    traceSpansDropped: new Counter({
      name: 'bollard_trace_spans_dropped_total',
      help: 'Sampled server spans never exported, by reason: queue_full (--otel-max-queue-size spans were already waiting), export_failed (the batch\'s export failed; not retried), shutdown (still queued when the data plane stopped and the collector had not taken the rest within --otel-export-timeout-ms).',
      labelNames: ['reason'], registers: d,
    }),
    traceExportErrors: new Counter({
      name: 'bollard_trace_export_errors_total', help: 'Span batch exports that failed (no answer in --otel-export-timeout-ms, a connection error, or an answer other than 2xx); logged at warn.', registers: d,
    }),
  };
}
