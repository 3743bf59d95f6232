// helm for scripts and tests: the pinned binary from scripts/helm.sh, run with its config, cache
// and data directories under .run/helm (never the user's ~/.config/helm), and `render` for the
// chart with value files and --set values.
import { execFile } from 'node:child_process';
import { CommandError, type CommandResult } from '../test/harness/command-error.ts';
import { REPO_ROOT } from '../test/harness/repo.ts';

export { REPO_ROOT };
export const CHART_DIR = `${REPO_ROOT}/charts/bollard`;
const HELM_HOME = `${REPO_ROOT}/.run/helm`;

export class HelmError extends CommandError {
  readonly code = 'HELM_FAILED';
}

type Run = CommandResult;

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, [...args], { env, maxBuffer: 64 * 1024 * 1024, cwd: REPO_ROOT }, (err, stdout, stderr) => {
      const exitCode = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ exitCode, stdout, stderr });
    });
  });
}

let binary: Promise<string> | undefined;

/** Path of the pinned helm (fetched once by scripts/helm.sh). */
export function helmBinary(): Promise<string> {
  binary ??= run(`${REPO_ROOT}/scripts/helm.sh`, []).then((r) => {
    if (r.exitCode !== 0) throw new HelmError(`scripts/helm.sh failed: ${r.stderr.trim()}`, r);
    return r.stdout.trim();
  });
  return binary;
}

/** Runs helm; resolves with stdout, rejects with HelmError (stderr in the message) on a non-zero exit. */
export async function helm(args: readonly string[], opts: { kubeconfig?: string } = {}): Promise<string> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HELM_CONFIG_HOME: `${HELM_HOME}/config`,
    HELM_CACHE_HOME: `${HELM_HOME}/cache`,
    HELM_DATA_HOME: `${HELM_HOME}/data`,
    ...(opts.kubeconfig === undefined ? {} : { KUBECONFIG: opts.kubeconfig }),
  };
  const r = await run(await helmBinary(), args, env);
  if (r.exitCode !== 0) throw new HelmError(`helm ${args.join(' ')} (exit ${String(r.exitCode)}): ${r.stderr.trim()}`, r);
  return r.stdout;
}

export interface RenderOptions {
  readonly release?: string;
  readonly namespace?: string;
  readonly valuesFiles?: readonly string[];
  /** --set-json pairs: path → value, so types survive (numbers, booleans, lists). */
  readonly set?: Readonly<Record<string, unknown>>;
  readonly includeCrds?: boolean;
}

export function renderArgs(opts: RenderOptions = {}): string[] {
  return [
    opts.release ?? 'bollard', CHART_DIR, '--namespace', opts.namespace ?? 'kube-system',
    ...(opts.includeCrds === true ? ['--include-crds'] : []),
    ...(opts.valuesFiles ?? []).flatMap((f) => ['--values', f]),
    ...Object.entries(opts.set ?? {}).flatMap(([k, v]) => ['--set-json', `${k}=${JSON.stringify(v)}`]),
  ];
}

/** `helm template` of the chart: the manifests as one YAML stream. */
export function render(opts: RenderOptions = {}): Promise<string> {
  return helm(['template', ...renderArgs(opts)]);
}
