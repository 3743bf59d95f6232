import { describe, expect, it } from '@jest/globals';
import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { CellCounter, CellHistogram } from './cells.ts';

const labelNames = ['route', 'status_class'] as const;
const buckets = [0.001, 0.01, 0.1, 1];
const observations: readonly [string, string, number][] = [
  ['a', '2xx', 0.0005], ['a', '2xx', 0.001], ['a', '2xx', 0.05], ['a', '5xx', 3], ['b', '2xx', 0.2], ['a', '2xx', 0.0099],
];

/** The same observations through prom-client's own metrics and through cells. */
function pair(): { reference: Registry; cells: Registry } {
  const reference = new Registry();
  const cells = new Registry();
  const rc = new Counter({ name: 'x_total', help: 'h', labelNames, registers: [reference] });
  const rh = new Histogram({ name: 'x_seconds', help: 'h', labelNames, buckets, registers: [reference] });
  const cc = new CellCounter({ name: 'x_total', help: 'h', labelNames, registers: [cells] });
  const ch = new CellHistogram({ name: 'x_seconds', help: 'h', labelNames, buckets, registers: [cells] });
  for (const [route, status, v] of observations) {
    rc.inc({ route, status_class: status });
    rh.observe({ route, status_class: status }, v);
    // A cell looked up again for the same labels is the same cell.
    cc.cell({ route, status_class: status }).inc();
    ch.cell({ route, status_class: status }).observe(v);
  }
  return { reference, cells };
}

describe('metric cells', () => {
  it('export exactly what prom-client exports for the same observations', async () => {
    const { reference, cells } = pair();
    expect(await cells.metrics()).toBe(await reference.metrics());
    // The JSON the workers send for aggregation; cells carry no exemplars.
    const withoutExemplars = async (r: Registry): Promise<unknown> => (await r.getMetricsAsJSON())
      .map((m) => ({ ...m, values: m.values.map((v) => ({ labels: v.labels, value: v.value, metricName: 'metricName' in v ? v.metricName : undefined })) }));
    expect(await withoutExemplars(cells)).toEqual(await withoutExemplars(reference));
  });

  it('aggregate across workers like prom-client metrics', async () => {
    const a = pair();
    const b = pair();
    const reference = AggregatorRegistry.aggregate([await a.reference.getMetricsAsJSON(), await b.reference.getMetricsAsJSON()]);
    const cells = AggregatorRegistry.aggregate([await a.cells.getMetricsAsJSON(), await b.cells.getMetricsAsJSON()]);
    expect(await cells.metrics()).toBe(await reference.metrics());
    expect(await cells.metrics()).toContain('x_seconds_bucket{le="0.01",route="a",status_class="2xx"} 6');
  });

  it('reset zeroes every cell', async () => {
    const { cells } = pair();
    cells.resetMetrics();
    const text = await cells.metrics();
    expect(text).toContain('x_total{route="a",status_class="2xx"} 0');
    expect(text).toContain('x_seconds_count{route="b",status_class="2xx"} 0');
    expect(text).not.toMatch(/ [1-9]\d*(\.\d+)?$/m);
  });
});
