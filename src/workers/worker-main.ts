// Entry point of a data-plane worker process (forked by workers/worker-pool.ts): runs one data
// plane on the shared ports (SO_REUSEPORT), takes tables and ACME certificates from the primary,
// and asks the primary for HTTP-01 answers. Its data-plane metrics are collected by the primary.
import { startDataPlane, type DataPlane } from '../dataplane/data-plane.ts';
import { createBatchedWriter, toStdout } from '../log/batched-writer.ts';
import { createLogger } from '../log/logger.ts';
import { createMetrics } from '../metrics/registry.ts';
import type { RoutingTable } from '../routing/types.ts';
import type { FromWorker, ToWorker, WorkerCertificate } from './messages.ts';

const send = (message: FromWorker): void => { process.send?.(message); };
let plane: DataPlane | undefined;
/** A table that arrived while the data plane was still starting. */
let early: { readonly table: RoutingTable; readonly generation: number } | undefined;
let certificates = new Map<string, WorkerCertificate>();
const pendingChallenges = new Map<number, (answer: string | undefined) => void>();
let nextId = 0;
let metrics: ReturnType<typeof createMetrics> | undefined;

function lookupCertificate(servername: string): WorkerCertificate | undefined {
  const dot = servername.indexOf('.');
  return certificates.get(servername) ?? (dot === -1 ? undefined : certificates.get(`*${servername.slice(dot)}`));
}

function askPrimary(token: string, host: string): Promise<string | undefined> {
  const id = nextId++;
  return new Promise((resolve) => {
    pendingChallenges.set(id, resolve);
    send({ type: 'challenge', id, token, host });
  });
}

async function start(message: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  metrics = createMetrics({ processMetrics: false });
  const log = createLogger(message.logLevel, undefined, { worker: message.worker });
  const accessLog = createBatchedWriter(toStdout).write;
  plane = await startDataPlane(message.config, {
    metrics, log, accessLog, accessLogFields: { worker: message.worker },
    challenges: askPrimary,
    certificates: (servername) => {
      const c = lookupCertificate(servername);
      return c ? { secret: { namespace: '', name: `acme:${c.name}` }, certPem: c.certPem, keyPem: c.keyPem } : undefined;
    },
  });
  send({ type: 'ready', httpPort: plane.httpPort, httpsPort: plane.httpsPort });
  if (early) apply(early.table, early.generation);
}

function apply(table: RoutingTable, generation: number): void {
  if (plane) {
    plane.tables.publish(table);
    send({ type: 'table-applied', generation });
  } else {
    early = { table, generation };
  }
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
    case 'certificates': certificates = new Map(message.certificates.map((c) => [c.name, c])); break;
    case 'challenge-answer': pendingChallenges.get(message.id)?.(message.keyAuthorization); pendingChallenges.delete(message.id); break;
    case 'metrics-request': void answerMetrics(message.id); break;
    case 'close': void close(); break;
  }
});
// The primary decides when to stop; a worker ignores the terminal's signals.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('disconnect', () => { process.exit(0); });
