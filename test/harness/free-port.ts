// Picks a TCP port that is free right now by binding port 0 and closing the socket. For programs
// (etcd, kube-apiserver) that cannot be told to listen on port 0 themselves; the port could in
// theory be taken again before they bind it, which is acceptable for a local test harness.
import { createServer } from 'node:net';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        if (port > 0) resolve(port);
        else reject(new Error(`freePort: no port assigned on ${host}`));
      });
    });
  });
}
