// The images the Gateway API conformance suite's manifests name, made here because no registry is
// reachable: its echo backend (one program, three tags) and CoreDNS (the UDPRoute tests' server;
// the suite waits for every Pod of its namespaces, so it must run even though UDP is not tested).
// Each is one static binary in a one-layer image (scripts/binary-image.sh), imported once per
// bring-up like the other test images.
import type { Cluster } from '../../harness/cluster/env.ts';
import { runScript } from '../../harness/script.ts';
import { importOnce } from './images.ts';

export const ECHO_BASIC_TAGS = [
  'registry.k8s.io/gateway-api/echo-basic:v1.5.1',
  'registry.k8s.io/gateway-api/echo-basic:v1.6.0-dev.2',
  'registry.k8s.io/gateway-api/echo-basic:v1.6.0-dev.3',
] as const;
/** CoreDNS as hack/coredns pins it, under the tag the suite asks for. */
export const COREDNS_TAG = 'registry.k8s.io/coredns/coredns:v1.12.2';

async function onePath(script: string, args: readonly string[], log: (line: string) => void): Promise<string> {
  const [path] = await runScript(script, args, log);
  if (path === undefined) throw new Error(`scripts/${script} ${args.join(' ')} printed nothing`);
  return path;
}

/** Builds (cached) the suite's binary; imports its images into the node; returns the binary's path. */
export async function provideConformanceSuite(cluster: Cluster, log: (line: string) => void): Promise<string> {
  const [suite, echoBasic] = await runScript('gateway-conformance-build.sh', ['gateway-conformance', 'echo-basic'], log);
  if (suite === undefined || echoBasic === undefined) throw new Error('scripts/gateway-conformance-build.sh printed no paths');
  const coredns = await onePath('kube-build.sh', ['coredns'], log);
  const images = [
    await onePath('binary-image.sh', ['--binary', echoBasic, '--entrypoint', '/echo-basic', ...ECHO_BASIC_TAGS], log),
    // Root inside the container: the suite's Pod drops every capability but NET_BIND_SERVICE, for port 53.
    await onePath('binary-image.sh', ['--user', '0:0', '--binary', coredns, '--entrypoint', '/coredns', COREDNS_TAG], log),
  ];
  for (const tarball of images) await importOnce(cluster, tarball, log);
  return suite;
}
