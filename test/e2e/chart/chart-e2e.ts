// Helpers of the chart e2e specs: CRDs applied once, rendered manifests parsed into objects,
// `kubectl auth can-i` as the chart's ServiceAccount, and a kubeconfig that authenticates with
// that ServiceAccount's token (TokenRequest), so the real controller runs with exactly the
// chart's permissions.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, helm, renderArgs } from '../../../scripts/chart-helm.ts';
import { kubectl, loadE2eEnv } from '../../harness/e2e-env.ts';
import { KubectlError } from '../../harness/kubectl.ts';

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [field: string]: unknown;
}

/** A short random suffix for cluster-scoped names, so specs and runs never collide. */
export const suffix = (): string => randomBytes(3).toString('hex');

/** The AcmeIssuer CRD and a stand-in ServiceMonitor CRD, applied and Established. */
export async function applyCrds(): Promise<void> {
  await kubectl(['apply', '-f', `${REPO_ROOT}/crds/`, '-f', `${REPO_ROOT}/test/e2e/chart/fixtures/servicemonitor-crd.yaml`]);
  await kubectl(['wait', '--for=condition=Established', '--timeout=20s',
    'crd/acmeissuers.bollard.io', 'crd/servicemonitors.monitoring.coreos.com']);
}

export function parseManifests(yaml: string): readonly KubeObject[] {
  return parseAllDocuments(yaml)
    .map((d) => d.toJSON() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && typeof o === 'object' && typeof o.kind === 'string');
}

export class MissingObjectError extends Error {
  readonly code = 'CHART_OBJECT_MISSING';
}

export function findObject(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new MissingObjectError(`no ${kind}${name === undefined ? '' : ` ${name}`} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

export const kindsOf = (objects: readonly KubeObject[]): readonly string[] => [...new Set(objects.map((o) => o.kind))].sort();

/** Navigates plain JSON by keys and array indexes; undefined when a step is missing. */
export function at(value: unknown, ...path: readonly (string | number)[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

export interface Container {
  readonly args?: readonly string[];
  readonly env?: readonly { name: string; value?: string }[];
  readonly ports?: readonly { name: string; containerPort: number; hostPort?: number }[];
  readonly securityContext?: { capabilities?: { add?: readonly string[]; drop?: readonly string[] } };
  readonly [field: string]: unknown;
}

export function container(workload: KubeObject, name: string): Container {
  const containers = at(workload, 'spec', 'template', 'spec', 'containers') as Container[] | undefined;
  const found = containers?.find((c) => c.name === name);
  if (!found) throw new MissingObjectError(`${workload.kind}/${workload.metadata.name} has no container ${name}`);
  return found;
}

export const envOf = (c: Container): Record<string, string> =>
  Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value ?? '']));

/** kubectl apply --dry-run=server of a YAML stream; resolves with kubectl's output. */
export function applyDryRun(yaml: string): Promise<string> {
  return kubectl(['apply', '--dry-run=server', '-f', '-'], yaml);
}

/** The identity a pod with this ServiceAccount has: its user name and groups. */
export function serviceAccountIdentity(namespace: string, name: string): readonly string[] {
  return [
    `--as=system:serviceaccount:${namespace}:${name}`,
    '--as-group=system:serviceaccounts', `--as-group=system:serviceaccounts:${namespace}`, '--as-group=system:authenticated',
  ];
}

/** `kubectl auth can-i` as that ServiceAccount: true for "yes", false for "no". */
export async function canI(identity: readonly string[], verb: string, resource: string, scope: { namespace?: string; subresource?: string }): Promise<boolean> {
  const args = ['auth', 'can-i', verb, resource, ...identity,
    ...(scope.namespace === undefined ? ['--all-namespaces'] : ['-n', scope.namespace]),
    ...(scope.subresource === undefined ? [] : [`--subresource=${scope.subresource}`])];
  try {
    return (await kubectl(args)).trim() === 'yes';
  } catch (err: unknown) {
    if (err instanceof KubectlError && err.exitCode === 1 && err.stdout.trim() === 'no') return false;
    throw err;
  }
}

/**
 * A kubeconfig for the e2e API server whose user is the ServiceAccount's token (TokenRequest,
 * one hour), trusting the control plane's CA. Written beside the run's other files.
 */
export async function serviceAccountKubeconfig(namespace: string, name: string): Promise<string> {
  const env = await loadE2eEnv();
  const token = (await kubectl(['create', 'token', name, '-n', namespace, '--duration=1h'])).trim();
  const config = {
    apiVersion: 'v1', kind: 'Config',
    clusters: [{ name: 'e2e', cluster: { server: env.server, 'certificate-authority': join(env.dir, 'ca.crt') } }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: 'e2e', user: name, namespace } }],
    'current-context': name,
  };
  const path = join(env.dir, `sa-${namespace}-${name}.kubeconfig`);
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return path;
}

/**
 * The controller flags of a chart-rendered workload that a local run keeps: everything except
 * the listeners (the harness binds them to loopback, port 0) and the drain (0 locally).
 */
export function localControllerArgs(args: readonly string[]): readonly string[] {
  const dropped = ['--http-port', '--https-port', '--admin-port', '--bind-address', '--admin-address', '--drain-seconds'];
  return args.filter((a) => !dropped.some((flag) => a === flag || a.startsWith(`${flag}=`)));
}

/** Installs the chart into kube-system of the e2e API server as cluster admin; returns helm's output. */
export async function helmInstall(release: string, set: Readonly<Record<string, unknown>>): Promise<string> {
  const { kubeconfig } = await loadE2eEnv();
  return helm(['install', ...renderArgs({ release, namespace: 'kube-system', set })], { kubeconfig });
}

export async function helmUninstall(release: string): Promise<string> {
  const { kubeconfig } = await loadE2eEnv();
  return helm(['uninstall', release, '--namespace', 'kube-system'], { kubeconfig });
}

/** The installed controller workload, as the API server has it. */
export async function installedWorkload(kind: 'deployment' | 'daemonset', name: string): Promise<KubeObject> {
  return JSON.parse(await kubectl(['get', kind, name, '-n', 'kube-system', '-o', 'json'])) as KubeObject;
}

/** Warnings and errors the controller logged about a refused API call: a missing permission. */
export function permissionProblems(logs: readonly Record<string, unknown>[]): readonly Record<string, unknown>[] {
  return logs.filter((l) => (l.level === 'warn' || l.level === 'error') && /forbidden|\b403\b/i.test(JSON.stringify(l)));
}
