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

export function createAcmeMetrics(registry: Registry): AcmeMetrics {
  const registers = [registry];
  return {
    ordersStarted: new Counter({ name: 'bollard_acme_orders_started_total', help: 'ACME orders started (or resumed) by this replica.', registers }),
    ordersSucceeded: new Counter({ name: 'bollard_acme_orders_succeeded_total', help: 'ACME orders that ended with a stored certificate.', registers }),
    ordersFailed: new Counter({ name: 'bollard_acme_orders_failed_total', help: 'ACME orders that failed (the name backs off).', registers }),
    certificateExpiry: new Gauge({
      name: 'bollard_acme_certificate_expiry_timestamp_seconds', help: 'notAfter of the ACME certificate served for a name.', labelNames: ['name'], registers,
    }),
    leader: new Gauge({ name: 'bollard_acme_leader', help: '1 when this replica is the elected ACME issuer.', registers }),
    issuerReady: new Gauge({ name: 'bollard_acme_issuer_ready', help: '1 when the ACME directory and account checked out on this (leading) replica.', registers }),
  };
}
