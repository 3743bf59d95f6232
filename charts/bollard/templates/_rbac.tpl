{{/*
The namespaced permissions: what the informers list and watch (Ingresses, Services,
EndpointSlices, Secrets, ConfigMaps (nginx custom-headers, Gateway API CA bundles), Gateway API objects), the status the leader writes and the Events it records, and with
gatewayApi.infrastructureServices the Gateways' Services it writes. Secret writes
only when ACME writes certificates into the Ingresses' TLS Secrets (acme.writeTlsSecrets).
*/}}
{{- define "bollard.namespacedRules" -}}
- apiGroups: [networking.k8s.io]
  resources: [ingresses]
  verbs: [get, list, watch]
- apiGroups: [networking.k8s.io]
  resources: [ingresses/status]
  verbs: [update, patch]
- apiGroups: [""]
  resources: [services, secrets]
  verbs: [get, list, watch]
# ConfigMaps: nginx custom-headers, and the CA bundles (ca.crt) BackendTLSPolicies and Gateways'
# frontend client-certificate validation name.
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
- apiGroups: [gateway.networking.k8s.io]
  resources: [gateways, listenersets, httproutes, grpcroutes, tlsroutes, tcproutes, referencegrants, backendtlspolicies]
  verbs: [get, list, watch]
- apiGroups: [gateway.networking.k8s.io]
  resources: [gateways/status, listenersets/status, httproutes/status, grpcroutes/status, tlsroutes/status, tcproutes/status, backendtlspolicies/status]
  verbs: [update, patch]
{{- if .Values.gatewayApi.infrastructureServices }}
# gatewayApi.infrastructureServices: each Gateway's ExternalName Service in the Gateway's namespace.
- apiGroups: [""]
  resources: [services]
  verbs: [create, update, patch, delete]
{{- end }}
{{- if and .Values.acme.enabled .Values.acme.writeTlsSecrets }}
- apiGroups: [""]
  resources: [secrets]
  verbs: [create, update, patch]
{{- end }}
{{- end -}}
