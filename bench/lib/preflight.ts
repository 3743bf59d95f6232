// One request through a contestant before it is measured: the status must be 200 and the body
// exactly the size the backend serves, so a fast 404 or a truncated body is never benchmarked.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface PreflightTarget {
  readonly proto: 'http' | 'https';
  readonly host: string;
  readonly ip: string;
  readonly port: number;
  readonly path: string;
}

export class PreflightError extends Error {
  readonly code = 'PREFLIGHT_FAILED';
}

function get(t: PreflightTarget): Promise<{ status: number; bytes: number }> {
  const send = t.proto === 'https' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send({
      host: t.ip, port: t.port, path: t.path, headers: { host: `${t.host}:${t.port}` }, agent: false, timeout: 5000,
      ...(t.proto === 'https' ? { servername: t.host, rejectUnauthorized: false } : {}),
    }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, bytes }); });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out after 5 s')));
    req.on('error', reject);
    req.end();
  });
}

export async function preflight(what: string, t: PreflightTarget, expectBytes: number): Promise<void> {
  const url = `${t.proto}://${t.host}:${t.port}${t.path} via ${t.ip}`;
  let got: { status: number; bytes: number };
  try {
    got = await get(t);
  } catch (err: unknown) {
    throw new PreflightError(`${what}: GET ${url} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (got.status !== 200 || got.bytes !== expectBytes) {
    throw new PreflightError(`${what}: GET ${url} answered ${got.status} with ${got.bytes} bytes, expected 200 with ${expectBytes}`);
  }
}
