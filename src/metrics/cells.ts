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

/**
 * Not subclasses of prom-client's Counter and Histogram: their constructors call reset() before
 * a subclass's fields exist, and Histogram.get() reads through getForPromString(), which a
 * subclass would have to override. A registry needs only a name and get() (getForPromString()
 * for the text format, if present); these provide both in prom-client's shapes, hence the one
 * cast when registering.
 */
function register(metric: CellCounter<string> | CellHistogram<string>, registries: readonly Registry[]): void {
  for (const registry of registries) registry.registerMetric(metric as unknown as Metric);
}

/** The cell for these label values, made on first use; the same cell for the same values. */
function cellFor<T extends string, C>(cells: Map<string, C>, names: readonly T[], labels: LabelValues<T>, make: (labels: LabelValues<string>) => C): C {
  const key = names.map((n) => String(labels[n] ?? '')).join('\u0000');
  let cell = cells.get(key);
  if (cell === undefined) {
    cell = make({ ...labels });
    cells.set(key, cell);
  }
  return cell;
}

class CountCell implements CounterCell {
  value = 0;
  readonly labels: LabelValues<string>;
  constructor(labels: LabelValues<string>) { this.labels = labels; }
  inc(): void { this.value += 1; }
}

export class CellCounter<T extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'counter';
  readonly aggregator = 'sum';
  readonly labelNames: readonly T[];
  private readonly cells = new Map<string, CountCell>();

  constructor(config: CellMetricConfig<T>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames;
    register(this, config.registers);
  }

  /** The cell for these label values; the same cell for the same values, across calls. */
  cell(labels: LabelValues<T>): CounterCell {
    return cellFor(this.cells, this.labelNames, labels, (copy) => new CountCell(copy));
  }

  get(): Promise<MetricData> {
    const values = [...this.cells.values()].map((c) => ({ labels: c.labels, value: c.value }));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    for (const c of this.cells.values()) c.value = 0;
  }
}

class BucketCell implements HistogramCell {
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

export class CellHistogram<T extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly labelNames: readonly T[];
  private readonly bounds: readonly number[];
  private readonly cells = new Map<string, BucketCell>();

  constructor(config: CellMetricConfig<T> & { buckets: readonly number[] }) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames;
    this.bounds = [...config.buckets].sort((a, b) => a - b);
    register(this, config.registers);
  }

  cell(labels: LabelValues<T>): HistogramCell {
    return cellFor(this.cells, this.labelNames, labels, (copy) => new BucketCell(copy, this.bounds));
  }

  get(): Promise<MetricData> {
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
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  getForPromString(): Promise<MetricData> {
    return this.get();
  }

  reset(): void {
    for (const c of this.cells.values()) c.clear();
  }
}

