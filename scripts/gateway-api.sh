#!/usr/bin/env bash
# Copies the Gateway API standard-channel CRDs of the pinned release into crds/gateway-api/ (and,
# through `make manifests`, the chart). The release comes from the Go module proxy
# (`go mod download`), which caches it in the module cache, so a second run needs no network.
#
# Usage: gateway-api.sh [--check]   --check: exit 1 when crds/gateway-api/ differs from the release.
# The version is crds/gateway-api/VERSION; to move to another release, change it and run this.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/crds/gateway-api"
version=$(cat "$out/VERSION")
command -v go >/dev/null || { echo "gateway-api: go is required (https://go.dev)" >&2; exit 1; }

# `go mod download` outside any module: GOFLAGS=-mod=mod keeps it from looking for one.
dir=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/gateway-api@$version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir/config/crd/standard" ] || { echo "gateway-api: no config/crd/standard in $dir" >&2; exit 1; }

# Only CustomResourceDefinitions: the release's ValidatingAdmissionPolicy (vap_safeupgrades) is the
# cluster owner's choice, not an ingress controller's.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$dir"/config/crd/standard/*.yaml; do
  grep -q '^kind: CustomResourceDefinition$' "$f" && cp "$f" "$tmp/$(basename "$f")"
done

if [ "${1:-}" = "--check" ]; then
  diff -r -x VERSION "$tmp" "$out" >/dev/null || { echo "gateway-api: crds/gateway-api/ differs from $version; run scripts/gateway-api.sh" >&2; exit 1; }
  exit 0
fi
find "$out" -name '*.yaml' -delete
cp "$tmp"/*.yaml "$out/"
chmod 644 "$out"/*.yaml
echo "gateway-api: crds/gateway-api/ has the $version standard CRDs ($(ls "$out"/*.yaml | wc -l) files)" >&2
