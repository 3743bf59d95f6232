// Spans wait in a bounded queue and leave in batches: when a batch is full, or the delay after the
// first waiting span has passed. One export at a time. A full queue drops the span (counted): a
// request never waits for, or pays for, a slow collector.

export interface BatcherSettings {
  /** Spans held at most; past it new spans are dropped. */
  readonly maxQueueSize: number;
  /** Spans per export at most. */
  readonly maxBatchSize: number;
  /** The longest a span waits for a batch to fill. */
  readonly scheduleDelayMs: number;
}

export interface BatcherDeps<T> {
  /** Sends one batch; rejects when it was not accepted. */
  readonly send: (batch: readonly T[]) => Promise<void>;
  /** Runs `run` after `ms` (not keeping the process alive); returns how to cancel it. */
  readonly schedule: (ms: number, run: () => void) => () => void;
  readonly onExported: (count: number) => void;
  readonly onDropped: (count: number, reason: 'queue_full' | 'export_failed') => void;
  readonly onError: (err: unknown) => void;
}

export class Batcher<T> {
  private queue: T[] = [];
  private cancelTimer: (() => void) | undefined;
  private exporting: Promise<void> | undefined;

  private readonly settings: BatcherSettings;
  private readonly deps: BatcherDeps<T>;

  constructor(settings: BatcherSettings, deps: BatcherDeps<T>) {
    this.settings = settings;
    this.deps = deps;
  }

  /** Queues the item; false when the queue was full and it was dropped. */
  add(item: T): boolean {
    if (this.queue.length >= this.settings.maxQueueSize) {
      this.deps.onDropped(1, 'queue_full');
      return false;
    }
    this.queue.push(item);
    if (this.queue.length >= this.settings.maxBatchSize) this.start();
    else this.cancelTimer ??= this.deps.schedule(this.settings.scheduleDelayMs, () => { this.cancelTimer = undefined; this.start(); });
    return true;
  }

  /** Items waiting (not yet handed to an export). */
  get queued(): number {
    return this.queue.length;
  }

  /** Exports everything queued now and waits for it (shutdown). */
  async flush(): Promise<void> {
    this.stopTimer();
    while (this.exporting !== undefined || this.queue.length > 0) {
      this.start();
      await this.exporting;
    }
    this.stopTimer();
  }

  /** Empties the queue without exporting (a shutdown that cannot wait); returns how many were dropped. */
  discard(): number {
    this.stopTimer();
    return this.queue.splice(0).length;
  }

  private stopTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private start(): void {
    if (this.exporting !== undefined) return;
    this.exporting = this.exportFull().finally(() => { this.exporting = undefined; });
  }

  /** One batch, then more while full ones are waiting; what is left waits for the timer. */
  private async exportFull(): Promise<void> {
    do {
      const batch = this.queue.splice(0, this.settings.maxBatchSize);
      if (batch.length === 0) return;
      try {
        await this.deps.send(batch);
        this.deps.onExported(batch.length);
      } catch (err: unknown) {
        this.deps.onDropped(batch.length, 'export_failed');
        this.deps.onError(err);
      }
    } while (this.queue.length >= this.settings.maxBatchSize);
    if (this.queue.length > 0) this.cancelTimer ??= this.deps.schedule(this.settings.scheduleDelayMs, () => { this.cancelTimer = undefined; this.start(); });
  }
}
