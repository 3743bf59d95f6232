// Readiness probes for the node's components: /healthz over plain HTTP (kubelet, kube-proxy) or
// over HTTPS with the self-signed certificate a component makes for itself on loopback
// (controller-manager, scheduler), which there is nothing to verify against.
import { request } from 'node:https';

export async function httpHealthz(port: number): Promise<true | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
  return res.status === 200 ? true : undefined;
}

export function selfSignedHealthz(port: number): Promise<true | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(`https://127.0.0.1:${port}/healthz`, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? true : undefined);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 1000ms')));
    req.on('error', reject);
    req.end();
  });
}
