// Sends encoded span batches to an OTLP/HTTP traces endpoint (JSON), over connections of its own:
// a collector that is slow or gone costs the exporter, never a request's dispatcher.
import { Agent, request } from 'undici';

export class OtlpExportError extends Error {
  readonly code = 'ERR_BOLLARD_OTLP_EXPORT';
}

export interface OtlpExporter {
  send(body: string): Promise<void>;
  close(): Promise<void>;
  /** Closes at once, failing an export under way. */
  destroy(): Promise<void>;
}

export function createOtlpExporter(endpoint: string, timeoutMs: number): OtlpExporter {
  const agent = new Agent({ connections: 2, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { timeout: timeoutMs } });
  return {
    async send(body) {
      const answer = await request(endpoint, {
        method: 'POST', body, dispatcher: agent, signal: AbortSignal.timeout(timeoutMs),
        headers: { 'content-type': 'application/json' },
      });
      // A partial success (some spans rejected) still answers 200; its body says which, and is not read.
      const text = await answer.body.text();
      if (answer.statusCode < 200 || answer.statusCode > 299) {
        throw new OtlpExportError(`the collector answered ${answer.statusCode}: ${text.slice(0, 200)}`);
      }
    },
    close: () => agent.close(),
    destroy: () => agent.destroy(),
  };
}
