// One GET over mutual TLS with the admin client certificate (PEM text, not paths).
import { request } from 'node:https';

export interface ClientTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export interface HttpsResult {
  readonly status: number;
  readonly body: string;
}

export function httpsGet(url: string, tls: ClientTls, timeoutMs = 2000): Promise<HttpsResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...tls, method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end();
  });
}
