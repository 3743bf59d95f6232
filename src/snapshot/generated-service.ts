// Services Bollard generates for Gateways (--gateway-infrastructure-services): the labels that
// mark them, and what the informer keeps of them so the leader writes only what differs and
// never touches a Service it did not generate.

/** Set by the Gateway API on what an implementation generates for a Gateway; the conformance suite selects by it. */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_BOLLARD = 'bollard';
/** The GatewayClass controllerName that generated it: two Bollard installations never touch each other's. */
export const GATEWAY_CONTROLLER_ANNOTATION = 'bollard.io/gateway-controller';

/** A Service labelled managed-by bollard with a gateway-name, as read back. */
export interface GeneratedServiceMeta {
  readonly gatewayName: string;
  /** GATEWAY_CONTROLLER_ANNOTATION; "" when missing. */
  readonly controllerName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** metadata.ownerReferences' UIDs. */
  readonly ownerUids: readonly string[];
}

/** The meta of a Service Bollard generated, or undefined for any other Service. */
export function generatedServiceMeta(
  labels: Readonly<Record<string, string>>, annotations: Readonly<Record<string, string>>, ownerUids: readonly string[],
): GeneratedServiceMeta | undefined {
  const gatewayName = labels[GATEWAY_NAME_LABEL];
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_BOLLARD || gatewayName === undefined) return undefined;
  return { gatewayName, controllerName: annotations[GATEWAY_CONTROLLER_ANNOTATION] ?? '', labels, annotations, ownerUids };
}
