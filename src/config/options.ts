// Every controller flag, once: its flag name, environment variable, default and help text.
// The zod schema in schema.ts validates what these produce; help.ts renders --help from this table.
import { option, type OptionSpec } from './option.ts';
import { dataPlaneOptions } from './options-dataplane.ts';
import { acmeOptions } from './options-acme.ts';
import { globalAuthOptions } from './options-global-auth.ts';
import { tracingOptions } from './options-tracing.ts';

export type { OptionSpec } from './option.ts';

const coreOptions: readonly OptionSpec[] = [
  option('kubeconfig', 'Path to a kubeconfig; empty means $KUBECONFIG (a colon-separated list), then ~/.kube/config, then the in-cluster service account.'),
  option('bind-address', 'Address the HTTP and HTTPS listeners bind.', '0.0.0.0'),
  option('http-port', 'Port of the HTTP listener (0 picks a free port).', '8080'),
  option('https-port', 'Port of the HTTPS listener (0 picks a free port).', '8443'),
  option('admin-address', 'Address the admin listener (metrics, /healthz, /readyz) binds.', '0.0.0.0'),
  option('admin-port', 'Port of the admin listener (0 picks a free port).', '10254'),
  option('controller-name', 'spec.controller of the IngressClasses Bollard serves.', 'bollard.io/ingress-controller'),
  option('gateway-api', 'Serve Gateway API routes: auto (when the cluster has the gateway.networking.k8s.io/v1 CRDs at start), true (require them) or false.', 'auto'),
  option('gateway-controller-name', 'spec.controllerName of the GatewayClasses Bollard serves.', 'bollard.io/gateway-controller'),
  option('gateway-addresses', 'Comma-separated IPs, one per Gateway: each Gateway gets one for itself (in its status) and only its routes and certificates answer there; the connection\'s local address picks them, so these must reach Bollard unchanged (hostNetwork, or a load balancer that keeps the destination). Also listened on when --bind-address is not a wildcard; a Gateway listener on another port than 80/443 opens that port on its Gateway\'s address, and a Gateway may ask for one of these in spec.addresses. Empty: every Gateway shares the published addresses.', ''),
  option('gateway-infrastructure-services', 'Give each Gateway of ours an ExternalName Service "<gateway>-bollard-gateway" in its namespace, pointing at --publish-service and carrying the Gateway\'s spec.infrastructure labels and annotations (needs --publish-service, and RBAC to create, update and delete Services in every Gateway\'s namespace).', 'false'),
  option('cluster-domain', 'DNS domain of the cluster, for the ExternalName of --gateway-infrastructure-services.', 'cluster.local'),
  option('watch-namespaces', 'Comma-separated namespaces to watch; empty watches all.', ''),
  option('watch-namespace-selector', 'Label selector (e.g. team=web,env!=dev): serve only Ingresses in namespaces whose labels match; empty serves all. Not with --watch-namespaces.', ''),
  option('publish-status-address', 'Comma-separated IPs or hostnames written to Ingress status.loadBalancer.', ''),
  option('publish-service', 'namespace/name of a Service whose addresses are written to Ingress status.', ''),
  option('election-namespace', 'Namespace of the Lease used to elect the status writer.', 'default'),
  option('election-id', 'Name of that Lease.', 'bollard-leader'),
  option('election-lease-seconds', 'How long a leader\'s Lease lasts without renewal; a new leader takes over after it.', '15'),
  option('pod-name', 'Identity of this replica in the election; defaults to the hostname.', ''),
  option('resync-seconds', 'Rebuild and re-check Ingress status this often even without changes (0 disables).', '60'),
  option('debounce-ms', 'Rebuild the table this long after the last relevant change...', '10'),
  option('debounce-max-ms', '...but never later than this after the first one.', '100'),
  option('drain-seconds', 'On SIGTERM, keep serving this long with /readyz failing before closing.', '15'),
  option('log-level', 'debug, info, warn or error.', 'info'),
];

export const controllerOptions: readonly OptionSpec[] = [...coreOptions, ...dataPlaneOptions, ...globalAuthOptions, ...tracingOptions, ...acmeOptions];
