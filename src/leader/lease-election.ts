// Leader election through a coordination.k8s.io/v1 Lease, the client-go way: acquire when the
// Lease is free or expired, renew every retry period, give up leadership when a renewal has
// not succeeded within the renew deadline. Writes use resourceVersion, so two replicas racing
// for an expired Lease cannot both win. Used only to pick the Ingress status writer.
import type { Logger } from '../log/logger.ts';
import { KubeApiError, type Json, type KubeClient } from '../kube/client.ts';

export interface ElectionOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationSeconds: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

export interface Election {
  isLeader(): boolean;
  /** Runs until `signal` aborts, then releases the Lease if held. */
  run(signal: AbortSignal): Promise<void>;
}

export interface ElectionDeps {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly now: () => number;
  readonly wait: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly onChange: (leader: boolean) => void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

// Lease times are MicroTime: RFC 3339 with six fractional digits.
const microTime = (ms: number): string => new Date(ms).toISOString().replace('Z', '000Z');

function heldByOther(spec: LeaseSpec, now: number, defaultSeconds: number): boolean {
  if (spec.holderIdentity === undefined || spec.holderIdentity === '') return false;
  const renewedAt = spec.renewTime ? Date.parse(spec.renewTime) : 0;
  return renewedAt + (spec.leaseDurationSeconds ?? defaultSeconds) * 1000 >= now;
}

export function createLeaseElection(opts: ElectionOptions, deps: ElectionDeps): Election {
  const path = `/apis/coordination.k8s.io/v1/namespaces/${opts.namespace}/leases`;
  let leader = false;
  let lastRenew = 0;

  const setLeader = (value: boolean): void => {
    if (value === leader) return;
    leader = value;
    deps.log.info(value ? 'became leader' : 'lost leadership', { lease: `${opts.namespace}/${opts.name}`, identity: opts.identity });
    deps.onChange(value);
  };

  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const now = deps.now();
    let lease: Json;
    try {
      lease = await deps.client.request('GET', `${path}/${opts.name}`);
    } catch (err: unknown) {
      if (!(err instanceof KubeApiError && err.status === 404)) throw err;
      const spec: LeaseSpec = {
        holderIdentity: opts.identity, leaseDurationSeconds: opts.leaseDurationSeconds,
        acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0,
      };
      await deps.client.request('POST', path, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: opts.name, namespace: opts.namespace }, spec });
      return true;
    }
    const spec = (lease.spec ?? {}) as LeaseSpec;
    const mine = spec.holderIdentity === opts.identity;
    if (!mine && heldByOther(spec, now, opts.leaseDurationSeconds)) return false;
    const next: LeaseSpec = {
      ...spec,
      holderIdentity: opts.identity,
      leaseDurationSeconds: opts.leaseDurationSeconds,
      renewTime: microTime(now),
      ...(mine ? {} : { acquireTime: microTime(now), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
    };
    await deps.client.request('PUT', `${path}/${opts.name}`, { ...lease, spec: next });
    return true;
  };

  const release = async (): Promise<void> => {
    if (!leader) return;
    try {
      const lease = await deps.client.request('GET', `${path}/${opts.name}`);
      const spec = (lease.spec ?? {}) as LeaseSpec;
      if (spec.holderIdentity === opts.identity) {
        await deps.client.request('PUT', `${path}/${opts.name}`, { ...lease, spec: { ...spec, holderIdentity: '', leaseDurationSeconds: 1 } });
      }
    } catch (err: unknown) {
      deps.log.warn('could not release the lease', { err });
    }
    setLeader(false);
  };

  const step = async (): Promise<void> => {
    try {
      const ok = await tryAcquireOrRenew();
      if (ok) lastRenew = deps.now();
      setLeader(ok);
    } catch (err: unknown) {
      const conflict = err instanceof KubeApiError && err.status === 409;
      if (!conflict) deps.log.warn('lease election step failed', { err });
      if (leader && deps.now() - lastRenew > opts.renewDeadlineMs) setLeader(false);
    }
  };

  return {
    isLeader: () => leader,
    async run(signal) {
      while (!signal.aborted) {
        await step();
        await deps.wait(opts.retryPeriodMs, signal);
      }
      await release();
    },
  };
}
