// Wires the controller: informers → ClusterState → debounced reconcile → TableHolder → proxy,
// with the Lease election deciding who writes status and Events.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControllerConfig } from './config/schema.ts';
import { createAdminServer } from './dataplane/admin-server.ts';
import { closeGracefully, listen } from './dataplane/listen.ts';
import { createKubeClient, loadKubeConfig } from './kube/client.ts';
import { createEventRecorder } from './kube/events.ts';
import { watchCluster } from './kube/watch-cluster.ts';
import { gatewayResourcesFor } from './kube/gateway-resources.ts';
import { createLeaseElection } from './leader/lease-election.ts';
import type { Logger } from './log/logger.ts';
import { createMetrics } from './metrics/registry.ts';
import { createDebouncer } from './reconcile/debouncer.ts';
import { createDiagnosticsReporter } from './reconcile/diagnostics-reporter.ts';
import { createReconciler } from './reconcile/reconciler.ts';
import type { LoadBalancerIngress, ObjectRef } from './snapshot/model.ts';
import { ClusterState } from './snapshot/cluster-state.ts';
import { desiredAddresses } from './status/addresses.ts';
import { syncIngressStatus } from './status/status-writer.ts';
import { syncGatewayStatus } from './status/gateway-status.ts';
import { syncGatewayServices } from './status/gateway-services.ts';
import { latestOnly } from './status/latest-only.ts';
import type { GatewayApiReport } from './routing/gateway/report.ts';
import { createAcmeReadiness } from './wiring/acme-readiness.ts';
import { startAcmeInBackground, type BackgroundAcme } from './wiring/acme-background.ts';
import { buildOptions, dataPlaneConfig } from './wiring/dataplane-config.ts';
import { startServing } from './wiring/serving.ts';

const wait = (ms: number, signal: AbortSignal): Promise<void> => sleep(ms, undefined, { signal }).catch(() => undefined);

const NO_GATEWAYS: GatewayApiReport = { classes: [], gateways: [], listenerSets: [], routes: [], backendTlsPolicies: [], conflicts: [] };

export interface RunningController {
  /** Drains (readiness off for drain-seconds), then stops everything; resolves when done. */
  shutdown(): Promise<void>;
}

/** client-go's proportions: renew deadline 2/3 of the lease, retry every 2/15 of it. */
function leaseTiming(config: ControllerConfig) {
  const ms = config.electionLeaseSeconds * 1000;
  return {
    namespace: config.electionNamespace, name: config.electionId, identity: config.podName,
    leaseDurationSeconds: config.electionLeaseSeconds, renewDeadlineMs: Math.round((ms * 2) / 3), retryPeriodMs: Math.round((ms * 2) / 15),
  };
}

export async function startController(config: ControllerConfig, log: Logger): Promise<RunningController> {
  const client = createKubeClient(loadKubeConfig(config.kubeconfig));
  const metrics = createMetrics();
  const publishKey = config.publishService ? `${config.publishService.namespace}/${config.publishService.name}` : undefined;
  const state = new ClusterState({
    watchedServices: new Set(publishKey ? [publishKey] : []), selectNamespaces: config.watchNamespaceSelector !== '',
  });
  state.gateways.controllerName = config.gatewayControllerName;
  const stop = new AbortController();
  let synced = false;
  let draining = false;
  let lastServed: readonly ObjectRef[] = [];

  const events = createEventRecorder(client, config.controllerName, config.podName);
  const reporter = createDiagnosticsReporter({ log, metrics, events });
  const election = createLeaseElection(
    leaseTiming(config),
    { client, log, now: Date.now, wait, onChange: (leader) => { metrics.isLeader.set(leader ? 1 : 0); if (leader) debouncer.trigger(); } },
  );
  const gatewayStatusDeps = { client, log, metrics, controllerName: config.gatewayControllerName, agreedRoutes: new WeakMap(), now: () => new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
  const gatewayStatus = latestOnly(
    (r: { report: GatewayApiReport; addresses: readonly LoadBalancerIngress[] }) => syncGatewayStatus(gatewayStatusDeps, state.gateways, r.report, r.addresses),
    (err) => { log.error('gateway api status sync failed', { err }); },
  );
  // --gateway-infrastructure-services: the Gateways' ExternalName Services, beside their status.
  const gatewayServicesDeps = config.gatewayInfrastructureServices && config.publishService !== undefined
    ? { client, log, events, writes: metrics.gatewayServiceWrites, controllerName: config.gatewayControllerName, target: config.publishService, clusterDomain: config.clusterDomain, refused: new Set<string>() }
    : undefined;
  const gatewayServices = latestOnly(
    (report: GatewayApiReport) => (gatewayServicesDeps === undefined ? Promise.resolve() : syncGatewayServices(gatewayServicesDeps, {
      lookupGateway: (ns, name) => state.gateways.lookupGateway(ns, name), lookupService: (ns, name) => state.lookupService(ns, name), generatedServices: () => state.generatedServices(),
    }, report)),
    (err) => { log.error('gateway services sync failed', { err }); },
  );
  /** The leader's writes derived from a Gateway API build: status, and the Gateways' Services. */
  const submitGatewayWrites = (report: GatewayApiReport | undefined): void => {
    if (report !== undefined) gatewayStatus.submit({ report, addresses: desiredAddresses(config, state) });
    // No report once the last Gateway API object is gone: its Services go too.
    if (gatewayServicesDeps !== undefined) gatewayServices.submit(report ?? NO_GATEWAYS);
  };
  /** Conflicts logged once each, when they appear. */
  let reportedConflicts: ReadonlySet<string> = new Set();
  const syncStatus = (): Promise<void> =>
    syncIngressStatus({ client, log, metrics }, state, lastServed, desiredAddresses(config, state));

  const serving = await startServing(config, await dataPlaneConfig(config), { log, metrics });
  const acmeReadiness = createAcmeReadiness({ enabled: config.acmeEnabled, timeoutSeconds: config.acmeReadyTimeoutSeconds, log });
  const admin = createAdminServer(serving.metrics, { ready: () => synced && !draining && acmeReadiness.ready() && serving.ready() });
  const adminPort = await listen(admin, config.adminPort, config.adminAddress);
  log.info('listening', { listener: 'admin', address: config.adminAddress, port: adminPort });
  // ACME starts in the background (etcd may be slow or down): until it is up, the data plane
  // serves without ACME certificates and challenges, and every other route as usual.
  let acme: BackgroundAcme | undefined;

  const reconcile = createReconciler({
    snapshot: state, publisher: serving.publisher, options: buildOptions(config), log, metrics,
    onBuilt: async (result) => {
      lastServed = result.served;
      acme?.current()?.update(result.served);
      const leader = election.isLeader();
      await reporter.report(result.diagnostics, (ns, name) => state.lookupIngress(ns, name), leader);
      if (leader) await syncStatus();
      // In the background: the next build (a route's convergence) never waits for these writes.
      if (leader) submitGatewayWrites(result.gatewayApi);
      for (const line of result.gatewayApi?.conflicts ?? []) if (!reportedConflicts.has(line)) log.warn('gateway api route conflict', { conflict: line });
      reportedConflicts = new Set(result.gatewayApi?.conflicts ?? []);
    },
  });
  const debouncer = createDebouncer({ holdoffMs: config.debounceMs, maxDelayMs: config.debounceMaxMs }, reconcile);

  const gatewayApi = await gatewayResourcesFor(config.gatewayApi, client);
  log.info('gateway api', { mode: config.gatewayApi, watching: gatewayApi.map((r) => r.kind) });
  const watch = watchCluster(
    { client, state, log, onChange: () => { if (synced) debouncer.trigger(); } },
    { namespaces: config.watchNamespaces, namespaceSelector: config.watchNamespaceSelector, gatewayApi },
    stop.signal,
  );
  const electionRun = election.run(stop.signal);
  await watch.synced;
  await reconcile();
  // /readyz waits until the workers serve this first table, not merely listen.
  serving.requireCurrentTable();
  synced = true;
  if (config.acmeEnabled) {
    acme = startAcmeInBackground(config, {
      log, registry: metrics.controllerRegistry, snapshot: state, events, kube: client,
      wait, onStarted: (running) => { serving.attachAcme(running); acmeReadiness.loaded(); running.update(lastServed); },
    }, stop.signal);
    acmeReadiness.start();
  }
  // A periodic pass catches what no watch event announces: a failed status write, status edited by hand.
  const resync = config.resyncSeconds > 0 ? setInterval(() => { debouncer.trigger(); }, config.resyncSeconds * 1000) : undefined;
  log.info('initial sync complete', { ingresses: state.ingresses().length });

  return {
    async shutdown() {
      draining = true;
      serving.drain();
      log.info('draining', { seconds: config.drainSeconds });
      await sleep(config.drainSeconds * 1000);
      stop.abort();
      clearInterval(resync);
      acmeReadiness.stop();
      await acme?.stop();
      await serving.close();
      await Promise.allSettled([watch.done, electionRun, debouncer.idle(), gatewayStatus.idle(), gatewayServices.idle()]);
      await closeGracefully(admin);
      log.info('stopped');
    },
  };
}
