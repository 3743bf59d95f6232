#!/usr/bin/env bash
# Installs the Debian packages that build images without a Docker engine: buildah (builds the
# Dockerfiles), debootstrap (makes the Node base image, scripts/image-base.sh) and runc (runs the
# built image as the chart does, scripts/image-check.sh). Idempotent: does nothing when present.
set -euo pipefail
need=()
command -v buildah >/dev/null || need+=(buildah)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v runc >/dev/null || need+=(runc)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then echo "image-tools: need root to apt-get install: ${need[*]}" >&2; exit 1; fi
echo "image-tools: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
