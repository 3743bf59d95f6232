// The AcmeIssuer Bollard orders through (--acme-issuer): watched by name (list+watch with a
// field selector), its spec handed on when it changes (status writes, which change only the
// status, are ignored), its Ready condition written by the leader through the status subresource,
// and Events recorded on it (cluster-scoped, so they go to the "default" namespace).
import { createHash } from 'node:crypto';
import { KubeApiError, type Json, type KubeClient } from '../kube/client.ts';
import { runInformer } from '../kube/informer.ts';
import type { Logger } from '../log/logger.ts';
import { ACME_ISSUER_API } from './issuer-spec.ts';

export interface AcmeIssuerObject {
  readonly name: string;
  readonly uid: string;
  readonly generation: number;
  readonly spec: unknown;
  readonly conditions: readonly Condition[];
  readonly accountURI?: string;
}

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration?: number;
}

function toIssuer(raw: Json): AcmeIssuerObject | undefined {
  const meta = (raw.metadata ?? {}) as { name?: string; uid?: string; generation?: number };
  if (meta.name === undefined) return undefined;
  const status = (raw.status ?? {}) as { conditions?: unknown; accountURI?: unknown };
  const conditions = Array.isArray(status.conditions) ? (status.conditions as Condition[]) : [];
  return {
    name: meta.name, uid: meta.uid ?? '', generation: meta.generation ?? 0, spec: raw.spec, conditions,
    ...(typeof status.accountURI === 'string' ? { accountURI: status.accountURI } : {}),
  };
}

export interface IssuerWatch {
  /** The object as last seen (status included), or undefined when absent. */
  readonly current: () => AcmeIssuerObject | undefined;
  readonly done: Promise<void>;
}

/**
 * Watches the AcmeIssuer `name`; `onSpec` gets the object (or undefined) after the first list
 * and whenever its uid or generation changes — that is, its spec, not its status.
 */
export function watchAcmeIssuer(deps: { client: KubeClient; log: Logger }, name: string, onSpec: (issuer: AcmeIssuerObject | undefined) => void, signal: AbortSignal): IssuerWatch {
  let current: AcmeIssuerObject | undefined;
  let synced = false;
  let seen = '';
  const set = (next: AcmeIssuerObject | undefined): void => {
    current = next;
    const identity = next ? `${next.uid}/${next.generation}` : '';
    if (!synced || identity === seen) return;
    seen = identity;
    onSpec(next);
  };
  const done = runInformer({
    client: deps.client, path: ACME_ISSUER_API, query: { fieldSelector: `metadata.name=${name}` }, log: deps.log,
    onSynced: () => { synced = true; seen = current ? `${current.uid}/${current.generation}` : ''; onSpec(current); },
    sink: {
      replace: (items) => { set(items.map(toIssuer).find((i) => i?.name === name)); },
      upsert: (item) => { const i = toIssuer(item); if (i?.name === name) set(i); },
      remove: (item) => { if (toIssuer(item)?.name === name) set(undefined); },
    },
  }, signal);
  return { current: () => current, done };
}

/** The Ready condition to write: lastTransitionTime moves only when the status flips. */
export function readyCondition(previous: readonly Condition[], next: { ready: boolean; reason: string; message: string; generation: number }, now: Date): Condition {
  const status = next.ready ? 'True' : 'False';
  const old = previous.find((c) => c.type === 'Ready');
  return {
    type: 'Ready', status, reason: next.reason, message: next.message.slice(0, 32_000), observedGeneration: next.generation,
    lastTransitionTime: old?.status === status ? old.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

const sameCondition = (a: Condition | undefined, b: Condition): boolean =>
  a !== undefined && a.status === b.status && a.reason === b.reason && a.message === b.message && a.observedGeneration === b.observedGeneration;

/** Writes status.conditions[Ready] (and accountURI) unless they already say so; true when written. */
export async function writeIssuerStatus(client: KubeClient, issuer: AcmeIssuerObject, condition: Condition, accountURI?: string): Promise<boolean> {
  const unchanged = sameCondition(issuer.conditions.find((c) => c.type === 'Ready'), condition) && (accountURI === undefined || accountURI === issuer.accountURI);
  if (unchanged) return false;
  const others = issuer.conditions.filter((c) => c.type !== 'Ready');
  const status: Json = { observedGeneration: issuer.generation, conditions: [...others, condition], ...(accountURI === undefined ? {} : { accountURI }) };
  await client.request('PATCH', `${ACME_ISSUER_API}/${encodeURIComponent(issuer.name)}/status`, { status });
  return true;
}

/** An Event on the AcmeIssuer (in `namespace`, "default" by convention for cluster-scoped objects). */
export async function recordIssuerEvent(
  client: KubeClient, issuer: AcmeIssuerObject, event: { type: 'Normal' | 'Warning'; reason: string; message: string },
  o: { component: string; instance: string; namespace?: string; now?: Date },
): Promise<void> {
  const namespace = o.namespace ?? 'default';
  const digest = createHash('sha256').update(`${issuer.uid}\n${event.reason}\n${event.message}`).digest('hex').slice(0, 16);
  const time = (o.now ?? new Date()).toISOString();
  try {
    await client.request('POST', `/api/v1/namespaces/${namespace}/events`, {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${issuer.name}.${digest}`, namespace },
      involvedObject: { apiVersion: 'bollard.io/v1alpha1', kind: 'AcmeIssuer', name: issuer.name, uid: issuer.uid },
      type: event.type, reason: event.reason, message: event.message.slice(0, 1000),
      source: { component: 'bollard' }, reportingComponent: o.component, reportingInstance: o.instance,
      firstTimestamp: time, lastTimestamp: time, count: 1,
    });
  } catch (err: unknown) {
    if (err instanceof KubeApiError && err.status === 409) return;
    throw err;
  }
}
