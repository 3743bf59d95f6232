// Writes status.loadBalancer of the Ingresses Bollard serves, and clears it from Ingresses it
// no longer serves (those whose status still holds exactly our addresses). Only the leader
// calls this. A write that fails is logged and retried on the next sync.
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { KubeClient } from '../kube/client.ts';
import type { IngressObject, LoadBalancerIngress, ObjectRef } from '../snapshot/model.ts';
import { refKey } from '../snapshot/model.ts';
import { sameAddresses } from './addresses.ts';
import { allBounded } from './bounded.ts';

export interface StatusDeps {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly metrics: Metrics;
}

export async function syncIngressStatus(
  deps: StatusDeps,
  snapshot: { allIngresses(): Iterable<IngressObject> },
  served: readonly ObjectRef[],
  desired: readonly LoadBalancerIngress[],
): Promise<void> {
  const servedKeys = new Set(served.map(refKey));
  const writes: (() => Promise<void>)[] = [];
  for (const ing of snapshot.allIngresses()) {
    const ours = servedKeys.has(refKey(ing));
    if (ours && !sameAddresses(ing.statusLoadBalancer, desired)) {
      writes.push(() => write(deps, ing, desired));
    } else if (!ours && desired.length > 0 && sameAddresses(ing.statusLoadBalancer, desired)) {
      writes.push(() => write(deps, ing, []));
    }
  }
  await allBounded(writes);
}

async function write(deps: StatusDeps, ing: ObjectRef, addresses: readonly LoadBalancerIngress[]): Promise<void> {
  const path = `/apis/networking.k8s.io/v1/namespaces/${ing.namespace}/ingresses/${ing.name}/status`;
  try {
    await deps.client.request('PATCH', path, { status: { loadBalancer: { ingress: addresses.length > 0 ? addresses : null } } });
    deps.metrics.statusWrites.inc({ result: 'success' });
    deps.log.info('ingress status updated', { ingress: refKey(ing), addresses });
  } catch (err: unknown) {
    deps.metrics.statusWrites.inc({ result: 'error' });
    deps.log.warn('ingress status update failed', { ingress: refKey(ing), err });
  }
}
