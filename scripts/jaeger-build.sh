#!/usr/bin/env bash
# Builds Jaeger from the pinned module in hack/jaeger (its v2 binary, cmd/jaeger: an OTLP receiver,
# in-memory storage and the query HTTP API) for the tracing end-to-end test, and caches it outside
# the repo, keyed by version, go.mod and go.sum, so later runs are instant. Idempotent; parallel
# callers wait for one build. Prints the binary's path on stdout; progress goes to stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mod="$root/hack/jaeger"
version=$(awk '$1 == "github.com/jaegertracing/jaeger" { print $2; exit }' "$mod/go.mod")
key=$(cat "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -c1-12)
cache="${BOLLARD_CACHE:-$HOME/.cache/bollard}/jaeger/$version-$key"

if [ ! -x "$cache/jaeger" ]; then
  command -v go >/dev/null || { echo "jaeger: go is required (https://go.dev)" >&2; exit 1; }
  mkdir -p "$cache"
  exec 9>"$cache/.lock"
  flock 9
  if [ ! -x "$cache/jaeger" ]; then
    echo "jaeger: building github.com/jaegertracing/jaeger/cmd/jaeger $version (first run only; several minutes)" >&2
    start=$(date +%s)
    ( cd "$mod" && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$cache/jaeger.tmp" github.com/jaegertracing/jaeger/cmd/jaeger ) >&2
    mv "$cache/jaeger.tmp" "$cache/jaeger"
    echo "jaeger: built in $(( $(date +%s) - start ))s" >&2
  fi
  exec 9>&-
fi
echo "$cache/jaeger"
