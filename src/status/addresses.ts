// The addresses Bollard writes to status.loadBalancer: the configured list, or the addresses
// of the published Service (load-balancer ingress, else external IPs, else its cluster IP).
import type { ClusterSnapshot, LoadBalancerIngress, ObjectRef } from '../snapshot/model.ts';

const isIp = (s: string): boolean => /^[\d.]+$/.test(s) || s.includes(':');
const toEntry = (s: string): LoadBalancerIngress => (isIp(s) ? { ip: s } : { hostname: s });

export function desiredAddresses(
  config: { publishStatusAddress: readonly string[]; publishService: ObjectRef | undefined },
  snapshot: Pick<ClusterSnapshot, 'lookupService'>,
): readonly LoadBalancerIngress[] {
  if (config.publishStatusAddress.length > 0) return sortEntries(config.publishStatusAddress.map(toEntry));
  if (!config.publishService) return [];
  const svc = snapshot.lookupService(config.publishService.namespace, config.publishService.name);
  if (!svc) return [];
  if (svc.statusLoadBalancer.length > 0) return sortEntries(svc.statusLoadBalancer);
  if (svc.externalIPs.length > 0) return sortEntries(svc.externalIPs.map(toEntry));
  return svc.clusterIP && svc.clusterIP !== 'None' ? [{ ip: svc.clusterIP }] : [];
}

export function sortEntries(entries: readonly LoadBalancerIngress[]): readonly LoadBalancerIngress[] {
  const key = (e: LoadBalancerIngress): string => `${e.ip ?? ''}|${e.hostname ?? ''}`;
  return [...entries].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function sameAddresses(a: readonly LoadBalancerIngress[], b: readonly LoadBalancerIngress[]): boolean {
  const sa = sortEntries(a);
  const sb = sortEntries(b);
  return sa.length === sb.length && sa.every((e, i) => e.ip === sb[i]?.ip && e.hostname === sb[i]?.hostname);
}
