{{/*
ACME and etcd settings, as the environment variables of the controller flags of the same name
(BOLLARD_X_Y = --x-y). Variables rather than args: the controller's loader ignores a variable it
does not know, while an unknown flag stops it, so the chart may run ahead of the controller.
The default issuer comes from BOLLARD_ACME_DIRECTORY and BOLLARD_ACME_EMAIL; BOLLARD_ACME_ISSUER
names the AcmeIssuer holding the same settings plus EAB, key type and challenge.
*/}}
{{- define "bollard.acmeEnv" -}}
{{- if .Values.acme.enabled -}}
- name: BOLLARD_ACME_ENABLED
  value: "true"
- name: BOLLARD_ACME_DIRECTORY
  value: {{ include "bollard.acmeDirectory" . | quote }}
- name: BOLLARD_ACME_EMAIL
  value: {{ .Values.acme.email | quote }}
- name: BOLLARD_ACME_ISSUER
  value: {{ include "bollard.issuerName" . | quote }}
- name: BOLLARD_ACME_WRITE_TLS_SECRETS
  value: {{ .Values.acme.writeTlsSecrets | quote }}
{{- end }}
{{- if include "bollard.etcdUsed" . }}
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
