// Jaeger (built by scripts/jaeger-build.sh from hack/jaeger, cached in ~/.cache/bollard) for the
// tracing test: its v2 binary with in-memory storage, an OTLP/HTTP receiver and the query HTTP API,
// every listener on 127.0.0.1 at a free port, its own telemetry off. Stopped by PID.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../harness/repo.ts';
import { spawnManaged, type Managed } from '../../harness/processes.ts';
import { freePort } from '../dataplane/support.ts';

export interface RunningJaeger {
  /** Where spans go: the OTLP/HTTP traces URL. */
  readonly otlpUrl: string;
  /** The query service's HTTP API, e.g. `${queryUrl}/api/traces/<trace id>`. */
  readonly queryUrl: string;
  readonly process: Managed;
  /** Everything it printed so far, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

export async function jaegerBinary(): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [`${REPO_ROOT}/scripts/jaeger-build.sh`], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** The all-in-one shape without the extras (sampling, health, zpages), and no batch processor: a span is stored when the export is answered. */
function configYaml(ports: { otlp: number; queryHttp: number; queryGrpc: number }): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: info
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 10000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${ports.queryHttp}
    grpc:
      endpoint: 127.0.0.1:${ports.queryGrpc}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${ports.otlp}
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}

const READY = 'Everything is ready';

export async function startJaeger(binary: string): Promise<RunningJaeger> {
  const ports = { otlp: await freePort('127.0.0.1'), queryHttp: await freePort('127.0.0.1'), queryGrpc: await freePort('127.0.0.1') };
  const dir = await mkdtemp(join(tmpdir(), 'bollard-jaeger-'));
  const config = join(dir, 'config.yaml');
  await writeFile(config, configYaml(ports));
  const proc = spawnManaged(binary, ['--config', config], { cwd: dir });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const take = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(READY)) resolve();
    };
    proc.child.stdout?.on('data', take);
    proc.child.stderr?.on('data', take);
    void proc.exited.then((how) => { reject(new Error(`jaeger exited (${how}) before it was ready:\n${output.slice(-4000)}`)); });
  });
  const stop = async (): Promise<void> => {
    await proc.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await ready;
  } catch (err: unknown) {
    await stop();
    throw err;
  }
  return {
    otlpUrl: `http://127.0.0.1:${ports.otlp}/v1/traces`, queryUrl: `http://127.0.0.1:${ports.queryHttp}`, process: proc,
    output: () => output, stop,
  };
}
