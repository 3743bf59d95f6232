// The official Gateway API conformance suite (sigs.k8s.io/gateway-api/conformance, pinned in
// hack/gateway-conformance) against Bollard running as Pods: the chart installs a DaemonSet whose
// hostPorts 80 and 443 on the node are the address every Gateway publishes, the suite deploys its
// own backends (echo-basic, built here) and runs the GATEWAY-HTTP, GATEWAY-GRPC, GATEWAY-TLS and GATEWAY-TCP profiles with
// the features in claims.ts. Its ConformanceReport goes to .run/conformance/ (`make
// gateway-conformance` sets BOLLARD_CONFORMANCE_REPORT to write docs/conformance/ instead).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Cluster } from '../../harness/cluster/env.ts';
import { theCluster } from '../../harness/cluster/env.ts';
import { spawnManaged, killPid } from '../../harness/processes.ts';
import { RUN_DIR } from '../../harness/repo.ts';
import { installBollard, NAMESPACE, SELECTOR, uninstallBollard } from '../support/bollard.ts';
import { provideConformanceSuite } from '../support/conformance-images.ts';
import { printSummary } from '../support/summary.ts';
import { PROFILES, SKIPPED_TESTS, SUPPORTED_FEATURES } from './claims.ts';
import { profileLine, readConformanceReport } from './conformance-report.ts';

const GATEWAY_CLASS = 'bollard';
const SUITE_NAMESPACES = ['gateway-conformance-infra', 'gateway-conformance-app-backend', 'gateway-conformance-web-backend'];
/** More than the suite's Gateways at any one time (its parallel tests, the ListenerSet ones included, hold some 40). */
const GATEWAY_ADDRESSES = Array.from({ length: 64 }, (_, i) => `127.0.1.${String(i + 1)}`);
/** GatewayStaticAddresses asks for one address Bollard can use (one of the pool) and one it cannot. */
const USABLE_ADDRESS = GATEWAY_ADDRESSES[GATEWAY_ADDRESSES.length - 1] ?? '';
const UNUSABLE_ADDRESS = '192.0.2.1';
const CONTROLLER_NAME = 'bollard.io/gateway-controller';
const REPORT = process.env.BOLLARD_CONFORMANCE_REPORT ?? `${RUN_DIR}/conformance/report.yaml`;
const SUITE_LOG = `${RUN_DIR}/conformance/suite.log`;
/** Bollard's own log, kept when a test of the suite fails (the Pods go with the cluster). */
const CONTROLLER_LOG = `${RUN_DIR}/conformance/bollard.log`;
const VERSION = process.env.BOLLARD_VERSION ?? 'dev';
const log = (line: string): void => void process.stderr.write(`[conformance] ${line}\n`);

let cluster: Cluster;
let suite = '';
let installed = false;

beforeAll(async () => {
  cluster = await theCluster();
  suite = await provideConformanceSuite(cluster, log);
  await uninstallBollard(cluster);
  await installBollard(cluster, {
    // In the node's network namespace, so a connection's local address is the one the suite
    // dialled: each Gateway gets its own loopback address (--gateway-addresses) on ports 80 and
    // 443 (and any other port its listeners ask for), and Bollard listens on those and 127.0.0.1 only; the probes reach the admin port on
    // the node's bridge address. Ports below 1024 need root with NET_BIND_SERVICE (docs/installation.md).
    'controller.kind': 'DaemonSet', 'controller.hostNetwork': true, 'service.type': 'ClusterIP',
    'controller.containerPorts.http': 80, 'controller.containerPorts.https': 443,
    'controller.podSecurityContext': { runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } },
    'controller.extraArgs': { 'bind-address': '127.0.0.1', 'admin-address': cluster.nodeIp, 'gateway-addresses': GATEWAY_ADDRESSES.join(',') },
    // GatewayInfrastructureMetadata: each Gateway's ExternalName Service (to the chart's Service,
    // which the chart passes as --publish-service) carries its spec.infrastructure labels and annotations.
    'gatewayApi.infrastructureServices': true,
  });
  installed = true;
  // Routes an interrupted run left behind (each test deletes its own when it ends); the chart
  // installed the CRDs on a fresh cluster.
  for (const ns of SUITE_NAMESPACES) await cluster.kubectl(['delete', 'httproutes,grpcroutes,tlsroutes,tcproutes', '--all', '-n', ns, '--ignore-not-found']);
  await cluster.kubectl(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: GATEWAY_CLASS }, spec: { controllerName: CONTROLLER_NAME },
  }));
}, 600_000);

afterAll(async () => {
  if (installed) await cluster.kubectl(['delete', 'gatewayclass', GATEWAY_CLASS, '--ignore-not-found']);
  await uninstallBollard(cluster);
}, 120_000);

/** Runs the suite to its end; its output goes to SUITE_LOG, each test's start to the progress log. */
async function runSuite(): Promise<string> {
  await mkdir(dirname(REPORT), { recursive: true });
  await mkdir(dirname(SUITE_LOG), { recursive: true });
  const args = [
    '-test.v', '-test.run', 'TestConformance$', '-test.timeout', '60m',
    '-gateway-class', GATEWAY_CLASS, '-conformance-profiles', PROFILES.join(','), '-supported-features', SUPPORTED_FEATURES.join(','),
    '-organization', 'bollard', '-project', 'bollard', '-url', 'https://github.com/bollard/bollard', '-version', VERSION,
    '-contact', 'https://github.com/bollard/bollard/issues', '-report-output', REPORT,
    '-usable-address', USABLE_ADDRESS, '-unusable-address', UNUSABLE_ADDRESS,
    ...(SKIPPED_TESTS.length === 0 ? [] : ['-skip-tests', SKIPPED_TESTS.join(',')]),
  ];
  const proc = spawnManaged('env', [`KUBECONFIG=${cluster.kubeconfig}`, suite, ...args]);
  const out = createWriteStream(SUITE_LOG);
  let pending = '';
  const onData = (chunk: string): void => {
    out.write(chunk);
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const started = /^=== RUN {3}TestConformance\/([^/\s]+)$/.exec(line);
      if (started?.[1] !== undefined) log(started[1]);
    }
  };
  proc.child.stdout?.setEncoding('utf8').on('data', onData);
  proc.child.stderr?.setEncoding('utf8').on('data', onData);
  try {
    return await proc.exited;
  } finally {
    await killPid(proc.pid);
    out.end();
  }
}

async function saveControllerLog(): Promise<void> {
  const logs = await cluster.kubectl(['logs', '-n', NAMESPACE, '-l', SELECTOR, '--all-containers', '--prefix', '--tail=-1'])
    .catch((err: unknown) => `could not read Bollard's log: ${err instanceof Error ? err.message : String(err)}\n`);
  await writeFile(CONTROLLER_LOG, logs);
  await printSummary(`conformance: a test failed; Bollard's log is in ${CONTROLLER_LOG}`);
}

describe('Gateway API conformance', () => {
  it('passes the core of GATEWAY-HTTP, GATEWAY-GRPC, GATEWAY-TLS and GATEWAY-TCP and every extended feature Bollard claims', async () => {
    const t0 = Date.now();
    const exit = await runSuite();
    if (exit !== 'exit code 0') await saveControllerLog();
    const profiles = await readConformanceReport(REPORT);
    const minutes = ((Date.now() - t0) / 60_000).toFixed(1);
    for (const p of profiles) await printSummary(`conformance: ${profileLine(p)}`);
    await printSummary(`conformance: suite ${exit} in ${minutes} min; report ${REPORT}, log ${SUITE_LOG}`);
    expect(profiles.map((p) => p.name).sort()).toEqual([...PROFILES].sort());
    // Every test run passed; a skipped test (claims.ts) turns a profile's result to "partial".
    const ok = SKIPPED_TESTS.length === 0 ? ['success'] : ['success', 'partial'];
    for (const p of profiles) {
      expect({ profile: p.name, failed: [...p.core.failedTests, ...p.extended.failedTests] }).toEqual({ profile: p.name, failed: [] });
      expect(ok).toContain(p.core.result);
      // A profile with no extended feature claimed has no extended section.
      if (p.extended.supportedFeatures.length > 0) expect(ok).toContain(p.extended.result);
    }
  }, 3_600_000);
});
