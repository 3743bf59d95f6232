// Assembles one data plane: the table holder, upstream dispatchers and balancer, SNI contexts,
// and the HTTP and HTTPS listeners. Each worker process runs one and is fed tables by the
// primary; with --workers 0 the controller runs one in its own process.
import type { CountSync } from './global-rate/count-sync.ts';
import { createGlobalRateLimits, type GlobalRateLimits } from './global-rate/global-rate-limits.ts';
import { createSharedCounts } from './global-rate/shared-counts.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/registry.ts';
import { createRequestRecorder, type AccessLogWrite } from './access-log.ts';
import { trustChecker } from './client-address.ts';
import type { ForwardDeps } from './forward.ts';
import { guardHandlers, type HandlerFailure } from './handler-guard.ts';
import type { Server } from 'node:net';
import { closeGracefully, listen, listenAlso } from './listen.ts';
import type { DataPlaneOptions } from './options.ts';
import { createAuthServices } from './middleware/auth-services.ts';
import { Mirrors } from './mirror/mirrors.ts';
import { PortListeners } from './port-listeners.ts';
import { createProxyHandler, type ChallengeResponder } from './proxy-handler.ts';
import { createHttpListener, createHttpsListener, trackConnections, type DrainableServer, type ListenerLimits } from './servers.ts';
import { TableHolder } from './table-holder.ts';
import { Tunnels } from './tunnels.ts';
import { SniContexts, type CertificateSource } from './tls/sni-contexts.ts';
import { createTlsRouting } from './tls/server-name-routing.ts';
import { createTcpStreamServer } from './tcp-streams.ts';
import { Balancer } from './upstream/balancer.ts';
import { UpstreamPools } from './upstream/pools.ts';
import { createUpgradeHandler } from './websocket.ts';
import { startTracing, type TracingConfig } from './tracing/start-tracing.ts';
import { createH2WebSocketHandler } from './websocket-h2.ts';
import { directFront, proxyProtocolFront, type ConnectionFront } from './proxy-protocol/front.ts';

export interface DataPlaneConfig {
  readonly bindAddress: string;
  /** More addresses the HTTP and HTTPS listeners accept on (Gateways' own, when bindAddress does not cover them). */
  readonly extraAddresses?: readonly string[];
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly httpsRedirectPort: number;
  readonly httpPublicPort: number;
  /** Share the ports with sibling worker processes (SO_REUSEPORT). */
  readonly reusePort?: boolean;
  readonly accessLog: boolean;
  /** Serve HTTP/2 with prior knowledge (h2c) on the HTTP port too. */
  readonly h2c?: boolean;
  /** --proxy-protocol: every connection to the HTTP and HTTPS listeners starts with a PROXY header naming the client. */
  readonly proxyProtocol?: boolean;
  /** --proxy-protocol-trusted-cidrs: the balancers whose headers are believed; empty or absent: every peer. */
  readonly proxyProtocolTrustedCidrs?: readonly string[];
  readonly limits: ListenerLimits;
  readonly options: DataPlaneOptions;
  readonly tls: {
    readonly defaultCertPem: string;
    readonly defaultKeyPem: string;
    readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
    readonly ciphers: string | undefined;
    readonly sniStrict: boolean;
    /** --enable-ssl-passthrough: hosts with nginx ssl-passthrough get their TLS connections unterminated. */
    readonly sslPassthrough?: boolean;
  };
  /** OpenTelemetry (--otel-*): absent when no collector is configured, and then nothing is traced. */
  readonly tracing?: TracingConfig;
}

export interface DataPlaneDeps {
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Where access-log lines go (when config.accessLog); defaults to stdout. A batched writer is cheaper. */
  readonly accessLog?: AccessLogWrite;
  /** Fields added to every access-log line. */
  readonly accessLogFields?: Readonly<Record<string, string | number>>;
  readonly challenges?: ChallengeResponder;
  readonly certificates?: CertificateSource;
  /** Where global rate limit counts are shared (the primary over IPC); without it, this process counts alone. */
  readonly globalRateSync?: CountSync;
  /** Wall clock of the global rate limit windows (tests drive it). */
  readonly globalRateClock?: () => number;
}

export interface DataPlane {
  readonly tables: TableHolder;
  readonly httpPort: number;
  readonly httpsPort: number;
  /**
   * The drain period begins: still serving, but every client connection is told to go (HTTP/1
   * `connection: close` on its next answer, HTTP/2 GOAWAY), so clients reconnect to the replicas
   * that stay while this one can still answer them.
   */
  drain(): void;
  /** Settles when the ports Gateway listeners ask for in the current table (RoutingTable.portListeners) are open, or failed. */
  portListenersSettled(): Promise<void>;
  /** Exchanges the global rate limit counts now (tests; the data plane does it every interval). */
  syncGlobalRateLimits(): Promise<void>;
  /** Stops accepting, closes idle connections, lets in-flight requests finish, closes pools. */
  close(): Promise<void>;
}

export async function startDataPlane(config: DataPlaneConfig, deps: DataPlaneDeps): Promise<DataPlane> {
  const { metrics, log } = deps;
  const tables = new TableHolder();
  const pools = new UpstreamPools({ connectTimeoutMs: config.options.connectTimeoutMs, keepAliveTimeoutMs: 60_000, connectionsPerEndpoint: 256 });
  const balancer = new Balancer({ stats: (e) => pools.stats(e), ejectionsUntil: () => pools.ejectionsUntil(), now: () => performance.now(), random: Math.random });
  const sni = new SniContexts(config.tls, (secret, err) => {
    metrics.tlsCertificateErrors.inc();
    log.warn('certificate could not be loaded; its hosts get the default certificate', { secret, error: err instanceof Error ? err.message : String(err) });
  }, deps.certificates);
  tables.onSwap((table) => {
    pools.retain(table);
    balancer.retain(new Set(table.upstreams.keys()));
    sni.update(table.tls, table.byAddress, table.portListeners);
  });
  const forward: ForwardDeps = {
    pools, balancer, options: config.options, now: () => performance.now(),
    onEject: (endpoint, upstream) => {
      metrics.upstreamEjections.inc({ service: upstream });
      log.warn('endpoint ejected after consecutive failures', { endpoint, upstream });
    },
  };
  const authServices = createAuthServices((result) => { metrics.authCacheLookups.inc({ result }); });
  const globalRateLimits = startGlobalRateLimits(config.options, deps);
  const mirrors = new Mirrors({ pools, balancer, random: Math.random, onOutcome: (outcome) => { metrics.mirrorRequests.inc({ outcome }); } });
  const write = deps.accessLog ?? ((line: string) => { process.stdout.write(line); });
  const tracing = config.tracing === undefined ? undefined : startTracing(config.tracing, { metrics, log });
  const record = createRequestRecorder(metrics, config.accessLog ? write : undefined, deps.accessLogFields);
  const tracer = tracing?.tracer;
  const onDone: typeof record = tracer === undefined ? record : (r) => {
    record(r);
    tracer.end(r);
  };
  const trusted = trustChecker(config.options.trustedProxies);
  const tunnels = new Tunnels(metrics, onDone);
  const hooks = (listener: string) => ({
    onConnection: (delta: 1 | -1) => { metrics.activeConnections.inc({ listener }, delta); },
    onClientError: (code: string) => { metrics.clientErrors.inc({ code }); },
  });
  const handlerFor = (proto: 'http' | 'https') => {
    const publicPort = proto === 'http' ? config.httpPublicPort : config.httpsRedirectPort;
    const upgradeDeps = { tables, forward, proto, trusted, publicPort, httpsRedirectPort: config.httpsRedirectPort, onDone, tunnels, authServices, globalRateLimits, log, tracer };
    return {
      request: createProxyHandler({
        tables, forward, proto, trusted, publicPort, httpsRedirectPort: config.httpsRedirectPort, mirrors, onDone, authServices, globalRateLimits, log, tracer, ...(deps.challenges ? { challenges: deps.challenges } : {}),
      }),
      upgrade: createUpgradeHandler(upgradeDeps),
      connect: createH2WebSocketHandler(upgradeDeps),
    };
  };
  const failed: HandlerFailure = (handler, err) => {
    metrics.handlerFailures.inc({ handler });
    log.error('request handler failed', { handler, error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined });
  };
  const plain = guardHandlers(handlerFor('http'), failed);
  const secure = guardHandlers(handlerFor('https'), failed);
  const front = connectionFront(config, metrics);
  const http: DrainableServer = createHttpListener(plain, config.limits, hooks('http'), config.h2c ?? false, front);
  const streamDeps = { tables, balancer, tunnels, connectTimeoutMs: config.options.connectTimeoutMs, onDone };
  const routing = createTlsRouting({
    ...streamDeps, nginx: config.tls.sslPassthrough === true, onOutcome: (outcome) => { metrics.tlsPassthroughConnections.inc({ outcome }); },
  });
  const tcp = createTcpStreamServer({ ...streamDeps, onOutcome: (outcome) => { metrics.tcpRouteConnections.inc({ outcome }); } });
  trackConnections(tcp, 'connection', hooks('tcp'));
  const https: DrainableServer = createHttpsListener(secure, config.limits, {
    ...config.tls, lookup: (name, connection) => sni.lookup(name, connection), routing,
    onHandshakeError: (code) => { metrics.tlsHandshakeErrors.inc({ code }); },
    onCertificateChoice: (choice) => { metrics.tlsCertificateChoices.inc({ choice }); },
  }, hooks('https'), front);
  const httpPort = await listen(http, config.httpPort, config.bindAddress, config.reusePort);
  const httpsPort = await listen(https, config.httpsPort, config.bindAddress, config.reusePort);
  const ports = new PortListeners({
    servers: { http, https, tcp }, reusePort: config.reusePort ?? false, retryMs: 10_000,
    onOpen: (l, open) => {
      metrics.gatewayPortListeners.set(open);
      log.info('listening', { listener: `gateway-${l.proto}`, address: l.address, port: l.port });
    },
    onClose: (l, open) => {
      metrics.gatewayPortListeners.set(open);
      log.info('stopped listening', { listener: `gateway-${l.proto}`, address: l.address, port: l.port });
    },
    onError: (l, err) => {
      metrics.gatewayPortListenerErrors.inc({ code: err.code ?? 'unknown' });
      log.warn('a Gateway listener\'s port could not be opened; retrying', { listener: `gateway-${l.proto}`, address: l.address, port: l.port, error: err.message });
    },
  });
  tables.onSwap((table) => { void ports.update(table.portListeners ?? []); });
  const extras: Server[] = [];
  for (const address of config.extraAddresses ?? []) {
    extras.push(await listenAlso(http, httpPort, address, config.reusePort), await listenAlso(https, httpsPort, address, config.reusePort));
  }
  log.info('listening', { listener: 'http', address: config.bindAddress, port: httpPort, also: config.extraAddresses });
  log.info('listening', { listener: 'https', address: config.bindAddress, port: httpsPort, also: config.extraAddresses });
  return {
    tables, httpPort, httpsPort,
    drain() {
      http.drain();
      https.drain();
    },
    portListenersSettled: () => ports.settled(),
    syncGlobalRateLimits: () => globalRateLimits.flush(),
    async close() {
      // Tunnels (WebSocket) never finish on their own: the drain period was their notice.
      tunnels.closeAll();
      await Promise.all([ports.close(), ...extras.map((s) => new Promise<void>((resolve) => s.close(() => { resolve(); })))]);
      await Promise.all([closeGracefully(http), closeGracefully(https)]);
      await pools.close();
      await authServices.close();
      globalRateLimits.stop();
      await tracing?.close();
    },
  };
}

/** --proxy-protocol: the PROXY header read first on every connection; else connections go straight on. */
function connectionFront(config: DataPlaneConfig, metrics: Metrics): ConnectionFront {
  if (config.proxyProtocol !== true) return directFront;
  const cidrs = config.proxyProtocolTrustedCidrs ?? [];
  return proxyProtocolFront({
    timeoutMs: config.limits.headersTimeoutMs,
    trusted: cidrs.length === 0 ? () => true : trustChecker(cidrs),
    onRefused: (reason) => { metrics.proxyProtocolRefusals.inc({ reason }); },
  });
}

/** This process's counts as the only source of the replica's (no primary to share them with). */
function countAlone(): CountSync {
  const holder = createSharedCounts();
  return (items) => holder('self', items);
}

/** The counters of GlobalRateLimits; without a sync from the primary, this process counts alone. */
function startGlobalRateLimits(options: DataPlaneOptions, deps: DataPlaneDeps): GlobalRateLimits {
  const { metrics, log } = deps;
  return createGlobalRateLimits({
    sync: deps.globalRateSync ?? countAlone(),
    intervalMs: options.globalRateLimitSyncMs ?? 200,
    status: options.globalRateLimitStatus ?? 429,
    ...(deps.globalRateClock === undefined ? {} : { now: deps.globalRateClock }),
    onRejection: () => { metrics.globalRateLimitRejections.inc(); },
    onUntracked: () => { metrics.globalRateLimitUntracked.inc(); },
    onSyncFailure: (err) => {
      metrics.globalRateLimitExchangeFailures.inc();
      log.debug('global rate limit counts not exchanged; kept for the next time', { error: err instanceof Error ? err.message : String(err) });
    },
  });
}
