#!/usr/bin/env bash
# Builds h2spec (the HTTP/2 conformance suite) from the pinned Go module in hack/h2spec and caches
# the binary outside the repo, keyed by version and go.sum, so the second run is instant.
# Prints the binary's path on stdout; progress goes to stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mod="$root/hack/h2spec"
version=$(awk '/^require github.com\/summerwind\/h2spec/ {print $3}' "$mod/go.mod")
key=$(cat "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -c1-12)
cache="${BOLLARD_CACHE:-$HOME/.cache/bollard}/h2spec/$version-$key"
bin="$cache/h2spec"

if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
command -v go >/dev/null || { echo "h2spec: go is required (https://go.dev)" >&2; exit 1; }

mkdir -p "$cache"
# One build at a time (parallel test workers): the others wait, then find the binary.
exec 9>"$cache/.lock"
flock 9
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
echo "h2spec: building $version (first run only; under a minute)" >&2
start=$(date +%s)
( cd "$mod" && go build -trimpath -ldflags="-s -w" -o "$bin.tmp" github.com/summerwind/h2spec/cmd/h2spec ) >&2
mv "$bin.tmp" "$bin"
echo "h2spec: done in $(( $(date +%s) - start ))s" >&2
echo "$bin"
