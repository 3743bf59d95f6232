#!/usr/bin/env bash
# Builds the Gateway API conformance suite from the pinned module in hack/gateway-conformance and
# caches the results outside the repo, keyed by version, go.mod and go.sum, so later runs are instant:
#
#   gateway-conformance   `go test -c sigs.k8s.io/gateway-api/conformance`: the suite as a test
#                         binary (-gateway-class, -conformance-profiles, -supported-features,
#                         -report-output, ...); its manifests are embedded, it reads KUBECONFIG
#   echo-basic            the suite's echo backend (`go build .../conformance/echo-basic`), the
#                         program inside the registry.k8s.io/gateway-api/echo-basic images
#   conformance-dir       not built: the module's source folder in the Go module cache (its
#                         manifests, to read which images a run deploys)
#
# Usage: gateway-conformance-build.sh [NAME...] — prints each path on stdout, in order (all three
# without arguments); progress goes to stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mod="$root/hack/gateway-conformance"
version=$(awk '$1 == "require" && $2 == "sigs.k8s.io/gateway-api/conformance" { print $3 }' "$mod/go.mod")
key=$(cat "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -c1-12)
cache="${BOLLARD_CACHE:-$HOME/.cache/bollard}/gateway-conformance/$version-$key"

need_go() { command -v go >/dev/null || { echo "gateway-conformance: go is required (https://go.dev)" >&2; exit 1; }; }

build_all() {
  if [ -x "$cache/gateway-conformance" ] && [ -x "$cache/echo-basic" ]; then return; fi
  need_go
  mkdir -p "$cache"
  # One build at a time (parallel callers): the others wait, then find the binaries.
  exec 9>"$cache/.lock"
  flock 9
  if [ ! -x "$cache/gateway-conformance" ] || [ ! -x "$cache/echo-basic" ]; then
    echo "gateway-conformance: building the suite and echo-basic $version (first run only; a few minutes)" >&2
    local start
    start=$(date +%s)
    ( cd "$mod" &&
      go test -c -trimpath -ldflags="-s -w" -o "$cache/gateway-conformance.tmp" sigs.k8s.io/gateway-api/conformance &&
      CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$cache/echo-basic.tmp" sigs.k8s.io/gateway-api/conformance/echo-basic ) >&2
    mv "$cache/gateway-conformance.tmp" "$cache/gateway-conformance"
    mv "$cache/echo-basic.tmp" "$cache/echo-basic"
    echo "gateway-conformance: built in $(( $(date +%s) - start ))s" >&2
  fi
  exec 9>&-
}

conformance_dir() {
  need_go
  ( cd "$mod" && go list -m -f '{{.Dir}}' sigs.k8s.io/gateway-api/conformance )
}

[ $# -gt 0 ] || set -- gateway-conformance echo-basic conformance-dir
for name in "$@"; do
  case "$name" in
    gateway-conformance | echo-basic) build_all; echo "$cache/$name" ;;
    conformance-dir) conformance_dir ;;
    *) echo "gateway-conformance: unknown name '$name'" >&2; exit 2 ;;
  esac
done
