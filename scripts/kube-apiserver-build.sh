#!/usr/bin/env bash
# Builds kube-apiserver from the pinned Go module in hack/kube-apiserver and caches the
# binary outside the repo, keyed by version and go.sum, so the second run is instant.
# Prints the binary's path on stdout; progress goes to stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mod="$root/hack/kube-apiserver"
version=$(awk '/^require k8s.io\/kubernetes/ {print $3}' "$mod/go.mod")
minor=$(echo "$version" | cut -d. -f2)
# Stamp the version (the module build has no git metadata), so `kubectl version` and Helm's
# kubeVersion checks see v1.34.x rather than v0.0.0-master.
pkg=k8s.io/component-base/version
ldflags="-s -w -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
key=$( (cat "$mod/go.mod" "$mod/go.sum"; echo "$ldflags") | sha256sum | cut -c1-12)
cache="${BOLLARD_CACHE:-$HOME/.cache/bollard}/kube-apiserver/$version-$key"
bin="$cache/kube-apiserver"

if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
command -v go >/dev/null || { echo "kube-apiserver-build: go is required (https://go.dev)" >&2; exit 1; }

mkdir -p "$cache"
# One build at a time (parallel test workers, make dev): the others wait, then find the binary.
exec 9>"$cache/.lock"
flock 9
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
echo "kube-apiserver-build: building $version (first run only; about 5-15 minutes on 2 cores)" >&2
start=$(date +%s)
( while sleep 30; do echo "kube-apiserver-build: still building ($(( $(date +%s) - start ))s)" >&2; done ) &
ticker=$!
trap 'kill $ticker 2>/dev/null || true' EXIT
( cd "$mod" && go build -trimpath -ldflags="$ldflags" -o "$bin.tmp" k8s.io/kubernetes/cmd/kube-apiserver ) >&2
mv "$bin.tmp" "$bin"
echo "kube-apiserver-build: done in $(( $(date +%s) - start ))s" >&2
echo "$bin"
