// What "the cluster is up" means beyond each process's own health: the node registered and Ready,
// and the `default` ServiceAccount present (Pods cannot be created before the controller-manager
// makes it). Polled with the admin certificate directly: cheaper than a kubectl per poll.
import { httpsGet } from '../https-get.ts';
import type { ClientTls } from '../https-get.ts';
import { waitFor } from '../wait-for.ts';
import { NODE_NAME } from './layout.ts';

interface NodeStatus {
  readonly status?: { readonly conditions?: readonly { readonly type: string; readonly status: string; readonly message?: string }[] };
}

async function nodeReady(server: string, tls: ClientTls): Promise<true | undefined> {
  const res = await httpsGet(`${server}/api/v1/nodes/${NODE_NAME}`, tls);
  if (res.status === 404) throw new Error(`node ${NODE_NAME} not registered yet`);
  const node = JSON.parse(res.body) as NodeStatus;
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return true;
  throw new Error(`node ${NODE_NAME} not Ready: ${ready?.message ?? 'no Ready condition'}`);
}

async function defaultServiceAccount(server: string, tls: ClientTls): Promise<true | undefined> {
  const res = await httpsGet(`${server}/api/v1/namespaces/default/serviceaccounts/default`, tls);
  return res.status === 200 ? true : undefined;
}

export async function waitForClusterReady(server: string, tls: ClientTls, timeoutMs = 60_000): Promise<void> {
  await Promise.all([
    waitFor(() => nodeReady(server, tls), { what: `node ${NODE_NAME} Ready`, timeoutMs, intervalMs: 200 }),
    waitFor(() => defaultServiceAccount(server, tls), { what: 'ServiceAccount default/default', timeoutMs, intervalMs: 200 }),
  ]);
}
