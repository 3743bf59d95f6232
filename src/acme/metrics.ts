// ACME metrics, registered into the controller's Registry (names carry their unit).
import { Counter, Gauge, type Registry } from 'prom-client';

export interface AcmeMetrics {
  readonly ordersStarted: Counter;
  readonly ordersSucceeded: Counter;
  readonly ordersFailed: Counter;
  /** notAfter of the certificate served for each name, in Unix seconds (set on every replica). */
  readonly certificateExpiry: Gauge<'name'>;
  /** 1 on the replica elected to order certificates. */
  readonly leader: Gauge;
  /** 1 when the issuer's directory and account checked out (leader only; 0 elsewhere). */
  readonly issuerReady: Gauge;
}

/**
 * Idempotent per registry: a start of ACME that failed (etcd unreachable) and is retried gets the
 * same metric objects instead of prom-client's "already registered" error.
 */
export function createAcmeMetrics(registry: Registry): AcmeMetrics {
  const registers = [registry];
  const counter = (name: string, help: string): Counter => {
    const existing = registry.getSingleMetric(name);
    return existing instanceof Counter ? existing : new Counter({ name, help, registers });
  };
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> => {
    const existing = registry.getSingleMetric(name);
    return existing instanceof Gauge ? existing : new Gauge({ name, help, labelNames, registers });
  };
  return {
    ordersStarted: counter('bollard_acme_orders_started_total', 'ACME orders started (or resumed) by this replica.'),
    ordersSucceeded: counter('bollard_acme_orders_succeeded_total', 'ACME orders that ended with a stored certificate.'),
    ordersFailed: counter('bollard_acme_orders_failed_total', 'ACME orders that failed (the name backs off).'),
    certificateExpiry: gauge('bollard_acme_certificate_expiry_timestamp_seconds', 'notAfter of the ACME certificate served for a name.', ['name']),
    leader: gauge('bollard_acme_leader', '1 when this replica is the elected ACME issuer.'),
    issuerReady: gauge('bollard_acme_issuer_ready', '1 when the ACME directory and account checked out on this (leading) replica.'),
  };
}
