// A counter and a histogram for the per-request path. prom-client's labelled children hash their
// label values on every call: about 0.7 µs per request for one counter and one histogram, 2–3% of
// a proxy core at 30k requests/s. A cell is bound to its label values once and then only adds
// numbers. These are still prom-client metrics: registries, the text format and the workers'
// aggregation read them through get(). Use cell() only, never inc()/observe() with labels, or a
// label set could be reported twice.
import type { LabelValues, Metric, Registry } from 'prom-client';

export interface CounterCell { inc(): void }
export interface HistogramCell { observe(value: number): void }

/** What a registry reads from a metric: prom-client's get() shape. */
interface MetricValue { readonly labels: LabelValues<string>; readonly value: number; readonly metricName?: string }
interface MetricData { readonly name: string; readonly help: string; readonly type: string; readonly aggregator: string; readonly values: MetricValue[] }
interface CellMetricConfig<T extends string> { readonly name: string; readonly help: string; readonly labelNames: readonly T[]; readonly registers: readonly Registry[] }

interface Cell { readonly labels: LabelValues<string>; clear(): void }

/**
 * Not a subclass of prom-client's Counter or Histogram: their constructors call reset() before a
 * subclass's fields exist, and Histogram.get() reads through getForPromString(), which a subclass
 * would have to override. A registry needs only a name and get() (getForPromString() for the
 * text format, if present); this provides both in prom-client's shapes, hence the one cast when
 * registering.
 */
abstract class CellMetric<T extends string, C extends Cell> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum';
  readonly labelNames: readonly T[];
  abstract readonly type: string;
  protected readonly cells = new Map<string, C>();

  constructor(config: CellMetricConfig<T>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames;
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The cell for these label values, made on first use; the same cell for the same values. */
  protected cellFor(labels: LabelValues<T>, make: (labels: LabelValues<string>) => C): C {
    const key = this.labelNames.map((n) => String(labels[n] ?? '')).join('\u0000');
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = make({ ...labels });
      this.cells.set(key, cell);
    }
    return cell;
  }

  protected abstract values(): MetricValue[];

  get(): Promise<MetricData> {
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.values() });
  }

  getForPromString(): Promise<MetricData> {
    return this.get();
  }

  reset(): void {
    for (const c of this.cells.values()) c.clear();
  }
}

class CountCell implements CounterCell, Cell {
  value = 0;
  readonly labels: LabelValues<string>;
  constructor(labels: LabelValues<string>) { this.labels = labels; }
  inc(): void { this.value += 1; }
  clear(): void { this.value = 0; }
}

export class CellCounter<T extends string> extends CellMetric<T, CountCell> {
  readonly type = 'counter';

  cell(labels: LabelValues<T>): CounterCell {
    return this.cellFor(labels, (copy) => new CountCell(copy));
  }

  protected values(): MetricValue[] {
    return [...this.cells.values()].map((c) => ({ labels: c.labels, value: c.value }));
  }
}

class BucketCell implements HistogramCell, Cell {
  sum = 0;
  count = 0;
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: Float64Array;
  readonly labels: LabelValues<string>;
  private readonly bounds: readonly number[];

  constructor(labels: LabelValues<string>, bounds: readonly number[]) {
    this.labels = labels;
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    // Prometheus buckets are "less than or equal"; few enough to scan.
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] ?? Infinity)) i++;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.sum += value;
    this.count += 1;
  }

  clear(): void {
    this.sum = 0;
    this.count = 0;
    this.counts.fill(0);
  }
}

export class CellHistogram<T extends string> extends CellMetric<T, BucketCell> {
  readonly type = 'histogram';
  private readonly bounds: readonly number[];

  constructor(config: CellMetricConfig<T> & { buckets: readonly number[] }) {
    super(config);
    this.bounds = [...config.buckets].sort((a, b) => a - b);
  }

  cell(labels: LabelValues<T>): HistogramCell {
    return this.cellFor(labels, (copy) => new BucketCell(copy, this.bounds));
  }

  protected values(): MetricValue[] {
    const values: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const c of this.cells.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += c.counts[i] ?? 0;
        values.push({ labels: { le, ...c.labels }, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf', ...c.labels }, value: c.count, metricName: bucket });
      values.push({ labels: c.labels, value: c.sum, metricName: `${this.name}_sum` });
      values.push({ labels: c.labels, value: c.count, metricName: `${this.name}_count` });
    }
    return values;
  }
}
