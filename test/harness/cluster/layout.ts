// The one-node cluster's fixed addresses and names, and where its files live. One such cluster per
// machine: the bridge, port 53 on its address and the kubelet's port are machine-wide.
import { join } from 'node:path';

/** The bridge is the node: node IP, API server, cluster DNS, and the Pods' gateway. */
export const BRIDGE = 'bollard0';
export const NODE_IP = '10.244.0.1';
export const POD_CIDR = '10.244.0.0/24';
/** Pod addresses start here; the ones below are left for the host (.1) and anything added later. */
export const POD_RANGE_START = '10.244.0.10';
/** Apart from the API-server-only harness's 10.96.0.0/16, so both can run at once. */
export const SERVICE_CIDR = '10.97.0.0/16';
/** The `kubernetes` Service's ClusterIP: the range's first address. */
export const KUBERNETES_SERVICE_IP = '10.97.0.1';
export const CLUSTER_DOMAIN = 'cluster.local';
export const DNS_IP = NODE_IP;
export const NODE_NAME = 'bollard-node';
export const KUBELET_PORT = 10250;
/** containerd's sandbox image, built by scripts/pause-image.sh and imported at bring-up. */
export const PAUSE_IMAGE = 'bollard.local/pause:1';
/** The CNI network's name, also the host-local IPAM's state folder name. */
export const CNI_NETWORK = 'bollard';

export interface ClusterPaths {
  readonly dir: string;
  readonly pki: string;
  readonly containerdRoot: string;
  readonly containerdState: string;
  readonly containerdSocket: string;
  readonly containerdConfig: string;
  readonly cniConfDir: string;
  readonly cniState: string;
  readonly kubeletRoot: string;
  readonly podLogs: string;
  readonly stateFile: string;
}

export function clusterPaths(dir: string): ClusterPaths {
  const at = (...parts: string[]): string => join(dir, ...parts);
  return {
    dir,
    pki: at('pki'),
    containerdRoot: at('containerd', 'root'),
    containerdState: at('containerd', 'state'),
    containerdSocket: at('containerd', 'containerd.sock'),
    containerdConfig: at('containerd', 'config.toml'),
    cniConfDir: at('cni', 'net.d'),
    cniState: at('cni', 'ipam'),
    kubeletRoot: at('kubelet'),
    podLogs: at('pod-logs'),
    stateFile: at('state.json'),
  };
}
