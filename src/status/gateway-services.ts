// --gateway-infrastructure-services: one ExternalName Service per Gateway of ours, in the Gateway's
// namespace, named gatewayServiceName(gateway), pointing at the Service in front of Bollard
// (--publish-service), so apps reach their Gateway by a local name. It carries the Gateway's
// spec.infrastructure labels and annotations (GatewayInfrastructurePropagation) and an
// ownerReference to the Gateway, so the garbage collector removes it with the Gateway; Bollard
// deletes it too when the Gateway goes or stops being ours. Written by the status leader only,
// like status. The Services are read from the Services informer Bollard runs anyway (ClusterState
// keeps what it needs of the generated ones), not by a GET per Gateway per sync: a build happens on
// every change, and the informer also tells when someone edits or deletes one (a rebuild repairs it).
// A Service at the name that Bollard did not generate for that Gateway is never touched: the Gateway
// gets a Warning Event and the leader a log line instead.
import { createHash } from 'node:crypto';
import type { Counter } from 'prom-client';
import { isDeepStrictEqual } from 'node:util';
import { KubeApiError, type Json, type KubeClient } from '../kube/client.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { Logger } from '../log/logger.ts';
import type { GatewayApiReport } from '../routing/gateway/report.ts';
import type { GatewayObject } from '../snapshot/gateway-model.ts';
import {
  GATEWAY_CONTROLLER_ANNOTATION, GATEWAY_NAME_LABEL, MANAGED_BY_BOLLARD, MANAGED_BY_LABEL,
} from '../snapshot/generated-service.ts';
import type { ObjectRef, ServiceObject } from '../snapshot/model.ts';
import { allBounded } from './bounded.ts';

const SUFFIX = '-bollard-gateway';
const MAX_NAME = 63;

export interface GatewayServiceDeps {
  readonly client: KubeClient;
  readonly log: Logger;
  /** The GatewayClass controllerName Bollard serves (--gateway-controller-name). */
  readonly controllerName: string;
  /** --publish-service: what every generated Service points at. */
  readonly target: ObjectRef;
  /** --cluster-domain. */
  readonly clusterDomain: string;
  readonly events: EventRecorder;
  /** Counts each write by action and result. */
  readonly writes?: Counter<'action' | 'result'>;
  /** Foreign Services already reported (by namespace/name and Gateway UID), kept from sync to sync by the caller. */
  readonly refused?: Set<string>;
}

/** What the writer reads: the informers' Gateways and Services. */
export interface GatewayServiceView {
  lookupGateway(namespace: string, name: string): GatewayObject | undefined;
  lookupService(namespace: string, name: string): ServiceObject | undefined;
  generatedServices(): readonly ServiceObject[];
}

/**
 * `<gateway>-bollard-gateway`: a Service name is a DNS label (63 characters, a letter first, no dots),
 * a Gateway name a longer DNS subdomain; a name that does not fit is shortened with a hash of the
 * Gateway's, so two Gateways never share one.
 */
export function gatewayServiceName(gateway: string): string {
  const base = /^[a-z]/.test(gateway) ? gateway.replaceAll('.', '-') : `gw-${gateway.replaceAll('.', '-')}`;
  if (base === gateway && base.length + SUFFIX.length <= MAX_NAME) return `${base}${SUFFIX}`;
  const hash = createHash('sha256').update(gateway).digest('hex').slice(0, 8);
  const room = MAX_NAME - SUFFIX.length - hash.length - 1;
  return `${base.slice(0, room).replace(/-+$/, '')}-${hash}${SUFFIX}`;
}

export async function syncGatewayServices(deps: GatewayServiceDeps, view: GatewayServiceView, report: GatewayApiReport): Promise<void> {
  const wanted = new Set<string>();
  const writes: (() => Promise<void>)[] = [];
  for (const g of report.gateways) {
    const gateway = view.lookupGateway(g.ref.namespace, g.ref.name);
    // A Gateway refused for its parametersRef has no infrastructure of ours.
    if (gateway === undefined || g.conditions.some((c) => c.reason === 'InvalidParameters')) continue;
    const desired = desiredService(deps, gateway);
    wanted.add(`${gateway.namespace}/${desired.name}`);
    const write = writeFor(deps, gateway, desired, view.lookupService(gateway.namespace, desired.name));
    if (write !== undefined) writes.push(write);
  }
  for (const s of view.generatedServices()) {
    if (s.generated?.controllerName === deps.controllerName && !wanted.has(`${s.namespace}/${s.name}`)) writes.push(() => remove(deps, s));
  }
  if (writes.length > 0) await allBounded(writes);
}

interface DesiredService {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly externalName: string;
  readonly owner: { apiVersion: string; kind: string; name: string; uid: string; controller: boolean };
}

function desiredService(deps: GatewayServiceDeps, gateway: GatewayObject): DesiredService {
  const infrastructure = gateway.infrastructure;
  return {
    name: gatewayServiceName(gateway.name),
    // Ours last: spec.infrastructure cannot take away what marks the Service as ours.
    labels: { ...infrastructure?.labels, [GATEWAY_NAME_LABEL]: gateway.name, [MANAGED_BY_LABEL]: MANAGED_BY_BOLLARD },
    annotations: { ...infrastructure?.annotations, [GATEWAY_CONTROLLER_ANNOTATION]: deps.controllerName },
    externalName: `${deps.target.name}.${deps.target.namespace}.svc.${deps.clusterDomain}`,
    // No blockOwnerDeletion: it would need permission on the Gateway's finalizers.
    owner: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: gateway.name, uid: gateway.uid, controller: true },
  };
}

/** The write that brings the Service to `desired`; undefined when it is there already, or when it is not ours to write. */
function writeFor(deps: GatewayServiceDeps, gateway: GatewayObject, desired: DesiredService, current: ServiceObject | undefined): (() => Promise<void>) | undefined {
  if (current === undefined) return () => create(deps, gateway, desired);
  const generated = current.generated;
  if (generated?.gatewayName !== gateway.name || generated.controllerName !== deps.controllerName) return () => refuse(deps, gateway, current);
  const same = current.type === 'ExternalName' && current.externalName === desired.externalName &&
    isDeepStrictEqual(generated.labels, desired.labels) && isDeepStrictEqual(generated.annotations, desired.annotations) &&
    isDeepStrictEqual(generated.ownerUids, [gateway.uid]);
  return same ? undefined : () => update(deps, gateway, desired, generated.labels, generated.annotations);
}

const servicesPath = (namespace: string) => `/api/v1/namespaces/${namespace}/services`;

async function create(deps: GatewayServiceDeps, gateway: GatewayObject, d: DesiredService): Promise<void> {
  const body = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: d.name, namespace: gateway.namespace, labels: d.labels, annotations: d.annotations, ownerReferences: [d.owner] },
    spec: { type: 'ExternalName', externalName: d.externalName },
  };
  await attempt(deps, 'created', gateway.namespace, d.name, () => deps.client.request('POST', servicesPath(gateway.namespace), body));
}

/** A merge patch: keys no longer wanted are removed (null), lists (ownerReferences) replaced. */
async function update(
  deps: GatewayServiceDeps, gateway: GatewayObject, d: DesiredService, labels: Readonly<Record<string, string>>, annotations: Readonly<Record<string, string>>,
): Promise<void> {
  const body = {
    metadata: { labels: withRemovals(d.labels, labels), annotations: withRemovals(d.annotations, annotations), ownerReferences: [d.owner] },
    spec: { type: 'ExternalName', externalName: d.externalName },
  };
  await attempt(deps, 'updated', gateway.namespace, d.name, () => deps.client.request('PATCH', `${servicesPath(gateway.namespace)}/${d.name}`, body));
}

function withRemovals(desired: Record<string, string>, current: Readonly<Record<string, string>>): Record<string, string | null> {
  const removed = Object.keys(current).filter((k) => !(k in desired)).map((k) => [k, null] as const);
  return { ...Object.fromEntries(removed), ...desired };
}

async function remove(deps: GatewayServiceDeps, s: ServiceObject): Promise<void> {
  await attempt(deps, 'deleted', s.namespace, s.name, () => deps.client.request('DELETE', `${servicesPath(s.namespace)}/${s.name}`));
}

/** Logged either way; a failure is retried on the next sync (409 and 404: the informer is behind). */
async function attempt(deps: GatewayServiceDeps, done: string, namespace: string, name: string, call: () => Promise<Json>): Promise<void> {
  try {
    await call();
    deps.writes?.inc({ action: done, result: 'success' });
    deps.log.info('gateway service written', { action: done, service: `${namespace}/${name}` });
  } catch (err: unknown) {
    const stale = err instanceof KubeApiError && (err.status === 409 || err.status === 404);
    deps.writes?.inc({ action: done, result: stale ? 'stale' : 'error' });
    if (stale) deps.log.debug('gateway service write skipped: the informer is behind', { action: done, service: `${namespace}/${name}`, err });
    else deps.log.warn('gateway service write failed', { action: done, service: `${namespace}/${name}`, err });
  }
}

/** Once per Service and Gateway: a log line and a Warning Event on the Gateway. */
async function refuse(deps: GatewayServiceDeps, gateway: GatewayObject, current: ServiceObject): Promise<void> {
  const key = `${current.namespace}/${current.name} ${gateway.uid}`;
  if (deps.refused?.has(key) === true) return;
  deps.refused?.add(key);
  const message = `Service "${current.name}" exists and was not generated by Bollard for this Gateway: it is left alone and the Gateway has no infrastructure Service (rename or delete that Service)`;
  deps.log.warn('gateway service name taken', { gateway: `${gateway.namespace}/${gateway.name}`, service: current.name });
  await postEvent(deps, gateway, 'InfrastructureServiceNameTaken', message);
}

/** A Warning Event on the Gateway (named from its UID, reason and message: a repeat is the same Event). */
async function postEvent(deps: GatewayServiceDeps, gateway: GatewayObject, reason: string, message: string): Promise<void> {
  const involved = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', namespace: gateway.namespace, name: gateway.name, uid: gateway.uid };
  try {
    await deps.events.recordOn(involved, { type: 'Warning', reason, message });
  } catch (err: unknown) {
    deps.log.warn('gateway event not recorded', { gateway: `${gateway.namespace}/${gateway.name}`, err });
  }
}
