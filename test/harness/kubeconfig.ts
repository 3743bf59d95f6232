// The admin kubeconfig: cluster CA and client certificate embedded, so the file stands alone.
import { writeFile } from 'node:fs/promises';
import type { ClientTls } from './https-get.ts';

const b64 = (pem: string): string => Buffer.from(pem).toString('base64');

export function renderKubeconfig(server: string, tls: ClientTls): string {
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'bollard', cluster: { server, 'certificate-authority-data': b64(tls.ca) } }],
      users: [{ name: 'bollard-admin', user: { 'client-certificate-data': b64(tls.cert), 'client-key-data': b64(tls.key) } }],
      contexts: [{ name: 'bollard', context: { cluster: 'bollard', user: 'bollard-admin', namespace: 'default' } }],
      'current-context': 'bollard',
      preferences: {},
    },
    null,
    2,
  );
}

export async function writeKubeconfig(path: string, server: string, tls: ClientTls): Promise<void> {
  await writeFile(path, `${renderKubeconfig(server, tls)}\n`, { mode: 0o600 });
}
