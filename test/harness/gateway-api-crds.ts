// Installs the Gateway API standard-channel CRDs (crds/gateway-api/, scripts/gateway-api.sh) into a
// fresh control plane, so every e2e run has them, as a cluster with Gateway API does. Server-side
// apply: the HTTPRoute CRD is larger than the last-applied annotation a client-side apply writes.
import { runKubectl } from './kubectl.ts';
import { REPO_ROOT } from './repo.ts';

export const GATEWAY_API_CRDS = `${REPO_ROOT}/crds/gateway-api`;

export async function installGatewayApiCrds(kubeconfig: string): Promise<void> {
  await runKubectl(kubeconfig, ['apply', '--server-side', '--force-conflicts', '-f', GATEWAY_API_CRDS]);
  await runKubectl(kubeconfig, [
    'wait', '--for=condition=Established', '--timeout=30s',
    'crd/gatewayclasses.gateway.networking.k8s.io', 'crd/gateways.gateway.networking.k8s.io',
    'crd/httproutes.gateway.networking.k8s.io', 'crd/grpcroutes.gateway.networking.k8s.io', 'crd/tlsroutes.gateway.networking.k8s.io', 'crd/tcproutes.gateway.networking.k8s.io',
    'crd/referencegrants.gateway.networking.k8s.io',
  ]);
}
