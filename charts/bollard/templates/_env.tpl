{{/*
Environment for settings whose controller flags do not exist yet (ACME and etcd, issue 4).
Unknown BOLLARD_* variables are ignored by the controller's config loader, so these are safe
to pass before the flags land; each becomes the flag of the same name (BOLLARD_X_Y = --x-y).
*/}}
{{- define "bollard.acmeEnv" -}}
{{- if .Values.acme.enabled -}}
- name: BOLLARD_ACME_ENABLED
  value: "true"
- name: BOLLARD_ACME_ISSUER
  value: {{ include "bollard.issuerName" . | quote }}
- name: BOLLARD_ACME_WRITE_TLS_SECRETS
  value: {{ .Values.acme.writeTlsSecrets | quote }}
- name: BOLLARD_ETCD_ENDPOINTS
  value: {{ include "bollard.etcdEndpoints" . | quote }}
- name: BOLLARD_ETCD_PREFIX
  value: {{ .Values.etcd.prefix | quote }}
{{- if .Values.etcd.clientCertSecret }}
- name: BOLLARD_ETCD_CA_FILE
  value: /etc/bollard/etcd-client/ca.crt
- name: BOLLARD_ETCD_CERT_FILE
  value: /etc/bollard/etcd-client/tls.crt
- name: BOLLARD_ETCD_KEY_FILE
  value: /etc/bollard/etcd-client/tls.key
{{- end }}
{{- end -}}
{{- end -}}
