// Bollard installed the way users install it: `helm install bollard charts/bollard -n kube-system`
// with the image built here, a NodePort Service on fixed ports, and whatever a scenario adds.
import { helm, CHART_DIR } from '../../../scripts/chart-helm.ts';
import type { Cluster } from '../../harness/cluster/env.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { BOLLARD_IMAGE } from './images.ts';

export const RELEASE = 'bollard';
export const NAMESPACE = 'kube-system';
/** In the static band of the node port range, so they are known before the Service exists. */
export const HTTP_NODE_PORT = 30080;
export const HTTPS_NODE_PORT = 30443;
export const SELECTOR = `app.kubernetes.io/name=bollard,app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=controller`;
export const INGRESS_CLASS = 'bollard';

/** --set-json values of every install: the local image, never pulled; the Service on the node. */
export const BASE_VALUES: Readonly<Record<string, unknown>> = {
  'controller.image.repository': BOLLARD_IMAGE.repository,
  'controller.image.tag': BOLLARD_IMAGE.tag,
  'controller.image.pullPolicy': 'Never',
  'service.type': 'NodePort',
  'service.nodePorts.http': HTTP_NODE_PORT,
  'service.nodePorts.https': HTTPS_NODE_PORT,
};

const setArgs = (values: Readonly<Record<string, unknown>>): string[] =>
  Object.entries(values).flatMap(([k, v]) => ['--set-json', `${k}=${JSON.stringify(v)}`]);

/**
 * `helm upgrade --install` with the base values plus `values` (which replace earlier --set values
 * of the release: --reset-values), waiting until the workload is rolled out.
 */
export async function installBollard(cluster: Cluster, values: Readonly<Record<string, unknown>> = {}, timeoutS = 180): Promise<void> {
  await helm(['upgrade', '--install', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '--reset-values',
    ...setArgs({ ...BASE_VALUES, ...values }), '--wait', `--timeout=${timeoutS}s`], { kubeconfig: cluster.kubeconfig });
}

/**
 * Uninstalls the release without waiting for its Pods: they take their grace period (preStop
 * sleep and drain, ~20 s) whatever a later delete asks, out of every Service meanwhile; the
 * helpers below ignore terminating Pods.
 */
export async function uninstallBollard(cluster: Cluster): Promise<void> {
  await helm(['uninstall', RELEASE, '--namespace', NAMESPACE, '--ignore-not-found'], { kubeconfig: cluster.kubeconfig });
}

export interface PodInfo {
  readonly name: string;
  readonly ip: string;
  readonly ready: boolean;
  readonly terminating: boolean;
}

interface PodList {
  readonly items: readonly {
    metadata: { name: string; deletionTimestamp?: string };
    status: { podIP?: string; conditions?: readonly { type: string; status: string }[] };
  }[];
}

export async function pods(cluster: Cluster, namespace: string, selector: string): Promise<PodInfo[]> {
  const list = JSON.parse(await cluster.kubectl(['get', 'pods', '-n', namespace, '-l', selector, '-o', 'json'])) as PodList;
  return list.items.map((p) => ({
    name: p.metadata.name,
    ip: p.status.podIP ?? '',
    ready: p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
    terminating: p.metadata.deletionTimestamp !== undefined,
  }));
}

/** The release's Pods, terminating ones included. */
export const bollardPods = (cluster: Cluster): Promise<PodInfo[]> => pods(cluster, NAMESPACE, SELECTOR);

/** Waits until none of `names` exists any more (their grace period is over). */
export function waitForGone(cluster: Cluster, namespace: string, names: readonly string[], timeoutMs = 120_000): Promise<true> {
  return waitFor(async () => {
    const out = await cluster.kubectl(['get', 'pods', '-n', namespace, '-o', 'name', '--ignore-not-found', ...names]);
    return out.trim() === '' ? true : undefined;
  }, { what: `Pods ${names.join(', ')} gone`, timeoutMs, intervalMs: 250 });
}

/** Waits until the Pods matching `selector`, terminating ones aside, are exactly `n`, all Ready. */
export function waitForPods(cluster: Cluster, namespace: string, selector: string, n: number, timeoutMs = 120_000): Promise<PodInfo[]> {
  return waitFor(async () => {
    const found = (await pods(cluster, namespace, selector)).filter((p) => !p.terminating);
    return found.length === n && found.every((p) => p.ready) ? found : undefined;
  }, { what: `${n} Ready Pods ${selector} in ${namespace}`, timeoutMs, intervalMs: 500 });
}

export const nodeUrl = (cluster: Cluster, port = HTTP_NODE_PORT, path = '/'): string => `http://${cluster.nodeIp}:${port}${path}`;
