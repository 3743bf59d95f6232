// The primary's side of multi-core serving: forks N data-plane workers that share the HTTP and
// HTTPS ports through SO_REUSEPORT (the kernel spreads connections), pushes every published
// table and the ACME certificates to each, answers their HTTP-01 questions and shares their
// global rate limit counts, restarts a worker
// that dies, and aggregates their metrics for the admin endpoint.
import { fork, type ChildProcess } from 'node:child_process';
import { AggregatorRegistry } from 'prom-client';
import type { DataPlaneConfig } from '../dataplane/data-plane.ts';
import type { CountItem, SourcedCountSync } from '../dataplane/global-rate/count-sync.ts';
import { emptyRoutingTable } from '../dataplane/table-holder.ts';
import type { Logger } from '../log/logger.ts';
import type { RoutingTable } from '../routing/types.ts';
import type { FromWorker, MetricJson, ToWorker, WorkerCertificate } from './messages.ts';
import { tableDelta } from './table-delta.ts';
import { workerExecArgv } from './serving-v8-flags.ts';

export interface WorkerPoolDeps {
  readonly log: Logger;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly challenge: (token: string, host: string) => Promise<string | undefined>;
  /** How long a worker waits for the answer to `challenge` (--worker-ipc-timeout-ms). */
  readonly primaryTimeoutMs: number;
  /** The replica's shared global rate limit counts; without it, a worker's exchange is not answered. */
  readonly globalRateSync?: SourcedCountSync;
}

export interface WorkerPool {
  current(): RoutingTable;
  publish(table: RoutingTable): number;
  setCertificates(certificates: readonly WorkerCertificate[]): void;
  /** Resolves once every worker has reported its listeners at least once. */
  readonly ready: Promise<void>;
  /**
   * Every worker listens and serves the table that was current when it started, and the one of
   * requireCurrentTable(). Later publishes do not count: /readyz does not flicker on every change.
   */
  allReady(): boolean;
  /** From now on, ready also means serving the table published last (called at initial sync). */
  requireCurrentTable(): void;
  /** From now on, ready also means serving the certificates set last (once ACME loaded them). */
  requireCurrentCertificates(): void;
  /** Prometheus text of the workers' data-plane metrics, summed across workers. */
  metrics(): Promise<string>;
  /** The drain period began: every worker, and one restarted meanwhile, tells its clients to go. */
  drain(): void;
  /** Each worker drains its in-flight requests and exits. */
  close(): Promise<void>;
}

const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const WORKER_ENTRY = new URL(`./worker-main.${extension}`, import.meta.url);

export function startWorkerPool(count: number, config: DataPlaneConfig, deps: WorkerPoolDeps): WorkerPool {
  const metricRequests = new Map<number, { pending: number; parts: MetricJson[][]; done: (text: string) => void }>();
  let nextMetricRequest = 0;
  const workers = new Map<number, ChildProcess>();
  const readySlots = new Set<number>();
  /** The newest table generation each worker has applied, and the one it was started with. */
  const applied = new Map<number, number>();
  const startedWith = new Map<number, number>();
  let required = 0;
  /** The same for certificate sets: the newest each worker applied, and the one ready requires. */
  const certificatesApplied = new Map<number, number>();
  let certificatesRequired = 0;
  let certificatesGeneration = 0;
  const { promise: ready, resolve: resolveReady } = Promise.withResolvers<undefined>();
  let table: RoutingTable = emptyRoutingTable;
  let generation = 0;
  let certificates: readonly WorkerCertificate[] = [];
  let closing = false;
  let draining = false;

  const post = (child: ChildProcess, message: ToWorker): boolean => {
    if (!child.connected) return false;
    child.send(message);
    return true;
  };
  /** The table generation last sent to each worker: a delta is made against it. */
  const sent = new Map<number, number>();
  const postTable = (slot: number, child: ChildProcess): void => {
    if (post(child, { type: 'table', table, generation })) sent.set(slot, generation);
    else sent.delete(slot);
  };

  const collectMetrics = (id: number, metrics: readonly MetricJson[]): void => {
    const request = metricRequests.get(id);
    if (!request) return;
    request.parts.push([...metrics]);
    request.pending -= 1;
    if (request.pending === 0) {
      metricRequests.delete(id);
      void AggregatorRegistry.aggregate(request.parts).metrics().then(request.done);
    }
  };
  /** Each forked process is a source of its own: a restarted worker's counts start again from 0. */
  const sources = new Map<ChildProcess, string>();
  let forks = 0;
  const answerRateSync = (child: ChildProcess, id: number, items: readonly CountItem[]): void => {
    void deps.globalRateSync?.(sources.get(child) ?? 'unknown', items)
      .then((totals) => { post(child, { type: 'rate-totals', id, totals }); })
      .catch(() => undefined);
  };
  const onMessage = (slot: number, child: ChildProcess, message: FromWorker): void => {
    if (message.type === 'table-applied') {
      applied.set(slot, Math.max(applied.get(slot) ?? 0, message.generation));
    } else if (message.type === 'table-wanted') {
      postTable(slot, child);
    } else if (message.type === 'certificates-applied') {
      certificatesApplied.set(slot, Math.max(certificatesApplied.get(slot) ?? 0, message.generation));
    } else if (message.type === 'ready') {
      readySlots.add(slot);
      deps.log.info('worker ready', { worker: slot, pid: child.pid, httpPort: message.httpPort, httpsPort: message.httpsPort });
      if (readySlots.size === count) resolveReady(undefined);
    } else if (message.type === 'metrics') {
      collectMetrics(message.id, message.metrics);
    } else if (message.type === 'rate-sync') {
      answerRateSync(child, message.id, message.items);
    } else if (message.type === 'challenge') {
      void deps.challenge(message.token, message.host)
        .catch(() => undefined)
        .then((keyAuthorization) => { post(child, { type: 'challenge-answer', id: message.id, keyAuthorization }); });
    }
  };

  const spawn = (slot: number): void => {
    const child = fork(WORKER_ENTRY, [], { serialization: 'advanced', execArgv: workerExecArgv(process.execArgv), stdio: 'inherit' });
    workers.set(slot, child);
    sources.set(child, `worker-${slot}-${forks++}`);
    readySlots.delete(slot);
    applied.delete(slot);
    sent.delete(slot);
    certificatesApplied.delete(slot);
    startedWith.set(slot, generation);
    child.on('message', (m: FromWorker) => { onMessage(slot, child, m); });
    child.once('exit', (code, signal) => {
      workers.delete(slot);
      sources.delete(child);
      if (closing) return;
      deps.log.error('worker exited; restarting it', { worker: slot, code, signal });
      setTimeout(() => { if (!closing) spawn(slot); }, 1_000).unref();
    });
    post(child, { type: 'start', config, logLevel: deps.logLevel, worker: slot, primaryTimeoutMs: deps.primaryTimeoutMs });
    postTable(slot, child);
    post(child, { type: 'certificates', certificates, generation: certificatesGeneration });
    if (draining) post(child, { type: 'drain' });
  };

  for (let slot = 0; slot < count; slot++) spawn(slot);

  return {
    ready,
    current: () => table,
    // Listening is not enough: a worker that has not applied its table yet answers 404 for
    // everything (with 20,000 hosts the table takes a while to cross the IPC channel).
    allReady: () => readySlots.size === count && workers.size === count
      && [...workers.keys()].every((slot) => (applied.get(slot) ?? -1) >= Math.max(required, startedWith.get(slot) ?? 0)
        && (certificatesApplied.get(slot) ?? -1) >= certificatesRequired),
    requireCurrentTable() { required = generation; },
    requireCurrentCertificates() { certificatesRequired = certificatesGeneration; },
    publish(next) {
      const base = generation;
      const delta = tableDelta(table, next);
      table = next;
      generation += 1;
      for (const [slot, child] of workers) {
        if (delta === undefined || sent.get(slot) !== base) postTable(slot, child);
        else if (post(child, { type: 'table-delta', delta, base, generation })) sent.set(slot, generation);
        else sent.delete(slot);
      }
      return generation;
    },
    setCertificates(next) {
      certificates = next;
      certificatesGeneration += 1;
      for (const child of workers.values()) post(child, { type: 'certificates', certificates, generation: certificatesGeneration });
    },
    metrics: () => new Promise<string>((resolve) => {
      const live = [...workers.values()].filter((c) => c.connected);
      if (live.length === 0) {
        resolve('');
        return;
      }
      const id = nextMetricRequest++;
      const timer = setTimeout(() => { metricRequests.delete(id); resolve(''); }, 5_000);
      metricRequests.set(id, { pending: live.length, parts: [], done: (text) => { clearTimeout(timer); resolve(text); } });
      for (const child of live) post(child, { type: 'metrics-request', id });
    }),
    drain() {
      draining = true;
      for (const child of workers.values()) post(child, { type: 'drain' });
    },
    async close() {
      closing = true;
      await Promise.all([...workers.values()].map((child) => new Promise<void>((resolve) => {
        child.once('exit', () => { resolve(); });
        post(child, { type: 'close' });
      })));
    },
  };
}
