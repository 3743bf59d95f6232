// Entry point of a data-plane worker process (forked by workers/worker-pool.ts): runs one data
// plane on the shared ports (SO_REUSEPORT), takes tables and ACME certificates from the primary,
// exchanges global rate limit counts with the primary, and asks the primary for HTTP-01 answers (with a deadline: a stuck primary costs a challenge
// request its answer, never the request itself). Its data-plane metrics are collected by the primary.
import { startDataPlane, type DataPlane } from '../dataplane/data-plane.ts';
import { createBatchedWriter, toStdout } from '../log/batched-writer.ts';
import { createLogger } from '../log/logger.ts';
import { createMetrics } from '../metrics/registry.ts';
import type { RoutingTable } from '../routing/types.ts';
import { applyTableDelta } from './table-delta.ts';
import type { Logger } from '../log/logger.ts';
import type { FromWorker, ToWorker, WorkerCertificate } from './messages.ts';
import { createPrimaryRequests, type PrimaryRequests } from './primary-requests.ts';

const send = (message: FromWorker): void => { process.send?.(message); };
let plane: DataPlane | undefined;
/** A table that arrived while the data plane was still starting. */
let early: { readonly table: RoutingTable; readonly generation: number } | undefined;
/** The last table received (applied, or early): the base of the next delta. */
let held: { readonly table: RoutingTable; readonly generation: number } | undefined;
let certificates = new Map<string, WorkerCertificate>();
let challengeRequests: PrimaryRequests<string | undefined> | undefined;
let rateRequests: PrimaryRequests<readonly number[]> | undefined;
let metrics: ReturnType<typeof createMetrics> | undefined;

function lookupCertificate(servername: string): WorkerCertificate | undefined {
  const dot = servername.indexOf('.');
  return certificates.get(servername) ?? (dot === -1 ? undefined : certificates.get(`*${servername.slice(dot)}`));
}

/** The primary's key authorization for an HTTP-01 token; rejects when it does not answer in time. */
function askPrimary(requests: PrimaryRequests<string | undefined>, log: Logger, token: string, host: string): Promise<string | undefined> {
  return requests.ask((id) => { send({ type: 'challenge', id, token, host }); }).catch((err: unknown) => {
    log.warn('no HTTP-01 answer from the primary', { err, host });
    throw err;
  });
}

async function start(message: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  metrics = createMetrics({ processMetrics: false });
  const log = createLogger(message.logLevel, undefined, { worker: message.worker });
  const accessLog = createBatchedWriter(toStdout).write;
  const requests = createPrimaryRequests<string | undefined>({ timeoutMs: message.primaryTimeoutMs, what: 'an HTTP-01 challenge' });
  challengeRequests = requests;
  const rates = createPrimaryRequests<readonly number[]>({ timeoutMs: message.primaryTimeoutMs, what: 'global rate limit counts' });
  rateRequests = rates;
  plane = await startDataPlane(message.config, {
    metrics, log, accessLog, accessLogFields: { worker: message.worker },
    challenges: (token, host) => askPrimary(requests, log, token, host),
    // Counts go through the primary, which holds the replica's one etcd client.
    globalRateSync: (items) => rates.ask((id) => { send({ type: 'rate-sync', id, items }); }),
    certificates: (servername) => {
      const c = lookupCertificate(servername);
      return c ? { secret: { namespace: '', name: `acme:${c.name}` }, certPem: c.certPem, keyPem: c.keyPem } : undefined;
    },
  });
  send({ type: 'ready', httpPort: plane.httpPort, httpsPort: plane.httpsPort });
  if (early) apply(early.table, early.generation);
}

function apply(table: RoutingTable, generation: number): void {
  held = { table, generation };
  if (plane) {
    plane.tables.publish(table);
    send({ type: 'table-applied', generation });
  } else {
    early = { table, generation };
  }
}

/** The primary sends a delta only against the table it sent last; for anything else, ask again. */
function applyDelta(message: Extract<ToWorker, { type: 'table-delta' }>): void {
  if (held?.generation === message.base) apply(applyTableDelta(held.table, message.delta), message.generation);
  else send({ type: 'table-wanted' });
}

/** The primary's answer to one of this worker's questions. */
function settleAnswer(message: Extract<ToWorker, { type: 'challenge-answer' | 'rate-totals' }>): void {
  if (message.type === 'challenge-answer') challengeRequests?.settle(message.id, message.keyAuthorization);
  else rateRequests?.settle(message.id, message.totals);
}

function applyCertificates(message: Extract<ToWorker, { type: 'certificates' }>): void {
  certificates = new Map(message.certificates.map((c) => [c.name, c]));
  send({ type: 'certificates-applied', generation: message.generation });
}

async function answerMetrics(id: number): Promise<void> {
  send({ type: 'metrics', id, metrics: metrics ? await metrics.dataPlaneRegistry.getMetricsAsJSON() : [] });
}

async function close(): Promise<void> {
  await plane?.close();
  send({ type: 'closed' });
  process.disconnect();
}

process.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'start': void start(message).catch((err: unknown) => { process.stderr.write(`worker failed to start: ${String(err)}\n`); process.exit(1); }); break;
    case 'table': apply(message.table, message.generation); break;
    case 'table-delta': applyDelta(message); break;
    case 'certificates': applyCertificates(message); break;
    case 'challenge-answer': case 'rate-totals': settleAnswer(message); break;
    case 'metrics-request': void answerMetrics(message.id); break;
    case 'drain': plane?.drain(); break;
    case 'close': void close(); break;
  }
});
// The primary decides when to stop; a worker ignores the terminal's signals.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('disconnect', () => { process.exit(0); });
