// Open tunnels: a client (socket, or HTTP/2 stream) joined to an upstream socket after a checked
// WebSocket upgrade. Each one is counted while open, closes when either side ends (WebSocket
// closes in-band before TCP does), when it has been quiet both ways for the route's idle timeout,
// or when the data plane closes after the drain period; then it becomes one access-log line with
// its duration and the bytes of both directions.
import type { Duplex } from 'node:stream';
import type { Metrics } from '../metrics/registry.ts';
import type { RequestRecord, TunnelSummary } from './proxy-handler.ts';

export interface TunnelStart {
  /** The upgrade request as it will be recorded; `bytes` and `tunnel` are filled in at the close. */
  readonly record: Omit<RequestRecord, 'bytes' | 'tunnel'>;
  readonly idleTimeoutMs: number;
}

type Side = 'client' | 'upstream';

/** How long the side still flushing after a clean close may take before it is cut. */
const LINGER_MS = 5_000;

type TunnelMetrics = Pick<Metrics, 'tunnelsOpen' | 'tunnelDuration' | 'tunnelBytes' | 'tunnelsClosed'>;

export class Tunnels {
  private readonly open = new Set<(reason: TunnelSummary['closedBy']) => void>();
  private draining = false;
  private readonly metrics: TunnelMetrics;
  private readonly onDone: (record: RequestRecord) => void;

  constructor(metrics: TunnelMetrics, onDone: (record: RequestRecord) => void) {
    this.metrics = metrics;
    this.onDone = onDone;
  }

  get size(): number {
    return this.open.size;
  }

  /** Joins `client` and `upstream`; `pending` holds client bytes read before the join, sent first. */
  join(client: Duplex, upstream: Duplex, pending: Buffer, start: TunnelStart): void {
    const service = start.record.route?.upstream.key ?? '';
    const fromClientBytes = this.metrics.tunnelBytes.labels({ service, direction: 'from_client' });
    const toClientBytes = this.metrics.tunnelBytes.labels({ service, direction: 'to_client' });
    let fromClient = 0;
    let toClient = 0;
    let endedBy: Side | undefined;
    let closed = false;
    const close = (reason: TunnelSummary['closedBy']): void => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      this.open.delete(close);
      client.destroy();
      upstream.destroy();
      const closedBy = endedBy ?? reason;
      this.metrics.tunnelsOpen.dec({ service });
      this.metrics.tunnelsClosed.inc({ reason: closedBy });
      this.metrics.tunnelDuration.observe({ service }, (performance.now() - start.record.startedAt) / 1000);
      this.onDone({ ...start.record, bytes: toClient, tunnel: { bytesFromClient: fromClient, closedBy } });
    };
    let timer = setTimeout(() => { close('idle'); }, start.idleTimeoutMs);
    timer.unref();
    this.open.add(close);
    this.metrics.tunnelsOpen.inc({ service });
    if (this.draining) {
      close('drain');
      return;
    }
    // Every byte either way passes one of these 'data' events, so they also keep the idle timer fresh.
    client.on('data', (chunk: Buffer) => { fromClient += chunk.length; fromClientBytes.inc(chunk.length); timer.refresh(); });
    upstream.on('data', (chunk: Buffer) => { toClient += chunk.length; toClientBytes.inc(chunk.length); timer.refresh(); });
    // One side closed: when the pipe has ended the other (a clean close), that one may still be
    // flushing the last bytes (a WebSocket close frame), so it gets a moment before it is cut.
    const onClose = (side: Side, other: Duplex) => (): void => {
      endedBy ??= side;
      if (other.destroyed || !other.writableEnded) {
        close(side);
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(() => { close(side); }, LINGER_MS);
      timer.unref();
      // The pipe into the closed side is gone: keep reading, or the other side's end never arrives.
      other.resume();
    };
    client.on('error', () => { close('client'); }).once('end', () => { endedBy ??= 'client'; }).once('close', onClose('client', upstream));
    upstream.on('error', () => { close('upstream'); }).once('end', () => { endedBy ??= 'upstream'; }).once('close', onClose('upstream', client));
    if (pending.length > 0) {
      fromClient += pending.length;
      fromClientBytes.inc(pending.length);
      upstream.write(pending);
    }
    client.pipe(upstream).pipe(client);
  }

  /** The drain period is over: close every tunnel, and any that a handshake still in flight opens. */
  closeAll(): void {
    this.draining = true;
    for (const close of [...this.open]) close('drain');
  }
}
