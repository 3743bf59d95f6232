// Readiness probes for the node's components: /healthz over plain HTTP (kubelet, kube-proxy) or
// over HTTPS without verifying the certificate (controller-manager and scheduler make a
// self-signed one for themselves; metrics-server's is checked by the API server, not here).
import { request } from 'node:https';

export async function httpHealthz(port: number): Promise<true | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
  return res.status === 200 ? true : undefined;
}

export function selfSignedHealthz(port: number, host = '127.0.0.1', path = '/healthz'): Promise<true | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(`https://${host}:${port}${path}`, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? true : undefined);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 1000ms')));
    req.on('error', reject);
    req.end();
  });
}
