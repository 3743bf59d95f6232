// What Bollard claims for the Gateway API conformance suite: the profiles it runs and the features
// it says it supports. The suite runs every test of a claimed feature and reports the rest as
// unsupported; docs/gateway-api.md explains the features left out.
export const PROFILES = ['GATEWAY-HTTP', 'GATEWAY-GRPC', 'GATEWAY-TLS', 'GATEWAY-TCP'] as const;

export const SUPPORTED_FEATURES = [
  // Core of GATEWAY-HTTP, GATEWAY-GRPC, GATEWAY-TLS and GATEWAY-TCP.
  'Gateway', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'ReferenceGrant',
  // TLSRoutes on TLS listeners in Terminate mode, and both modes on one port (docs/gateway-api.md#tlsroutes).
  'TLSRouteModeTerminate', 'TLSRouteModeMixed',
  // Extended.
  'GatewayHTTPListenerIsolation', 'GatewayPort8080', 'HTTPRouteParentRefPort', 'GatewayStaticAddresses', 'GatewayAddressEmpty',
  'HTTPRouteQueryParamMatching', 'HTTPRouteMethodMatching',
  'HTTPRouteResponseHeaderModification',
  'HTTPRoutePortRedirect', 'HTTPRouteSchemeRedirect', 'HTTPRoutePathRedirect',
  'HTTPRoute303RedirectStatusCode', 'HTTPRoute307RedirectStatusCode', 'HTTPRoute308RedirectStatusCode',
  'HTTPRouteHostRewrite', 'HTTPRoutePathRewrite',
  'HTTPRouteRequestTimeout', 'HTTPRouteBackendTimeout',
  'HTTPRouteCORS', 'HTTPRouteBackendRequestHeaderModification',
  'HTTPRouteNamedRouteRule', 'GRPCRouteNamedRouteRule',
  'HTTPRouteBackendProtocolH2C', 'HTTPRouteBackendProtocolWebSocket',
  'HTTPRouteRequestMirror', 'HTTPRouteRequestMultipleMirrors', 'HTTPRouteRequestPercentageMirror',
  'BackendTLSPolicy', 'BackendTLSPolicySANValidation', 'GatewayBackendClientCertificate',
  // Client certificates and 421 for misdirected requests.
  'GatewayFrontendClientCertificateValidation', 'GatewayFrontendClientCertificateValidationInsecureFallback',
  'GatewayHTTPSListenerDetectMisdirectedRequests',
  // ListenerSets joining a Gateway's listeners (docs/gateway-api.md#listenersets).
  'ListenerSet',
  // spec.infrastructure: parametersRef refused (InvalidParameters), labels and annotations on each
  // Gateway's ExternalName Service (docs/gateway-api.md#gateway-infrastructure).
  'GatewayInfrastructure',
] as const;

/** Tests skipped (with the reason); the run must pass everything else. */
export const SKIPPED_TESTS: readonly string[] = [];
