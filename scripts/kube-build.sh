#!/usr/bin/env bash
# Builds the cluster's Go programs from pinned modules under hack/ and caches them outside the
# repo, keyed by version, go.mod, go.sum and link flags, so later runs are instant:
#
#   kube-apiserver                                             hack/kube-apiserver
#   kubelet kube-controller-manager kube-scheduler kube-proxy  hack/kube-node (same k8s.io/kubernetes)
#   coredns                                                    hack/coredns
#   metrics-server                                             hack/metrics-server
#
# Usage: kube-build.sh NAME... — prints each binary's path on stdout, in order; progress goes to
# stderr. The programs of one module are built by one `go build`, so asking for kubelet builds
# the other three node components too (they share most packages).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache_root="${BOLLARD_CACHE:-$HOME/.cache/bollard}"

# module NAME → sets mod (folder under hack/), pkgs, version, ldflags, cgo.
module_for() {
  cgo=1
  case "$1" in
    kube-apiserver) mod=kube-apiserver; pkgs=(k8s.io/kubernetes/cmd/kube-apiserver) ;;
    kubelet | kube-controller-manager | kube-scheduler | kube-proxy)
      mod=kube-node
      pkgs=(k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-controller-manager
        k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kube-proxy) ;;
    coredns) mod=coredns; pkgs=(github.com/coredns/coredns) ;;
    metrics-server) mod=metrics-server; pkgs=(sigs.k8s.io/metrics-server/cmd/metrics-server) ;;
    *) echo "kube-build: unknown program '$1'" >&2; exit 2 ;;
  esac
  local gomod="$root/hack/$mod/go.mod"
  case "$mod" in
    kube-apiserver | kube-node)
      version=$(required "$gomod" k8s.io/kubernetes)
      local apiserver
      apiserver=$(required "$root/hack/kube-apiserver/go.mod" k8s.io/kubernetes)
      [ "$version" = "$apiserver" ] || { echo "kube-build: hack/$mod pins k8s.io/kubernetes $version, hack/kube-apiserver $apiserver" >&2; exit 1; }
      # Stamp the version (a module build has no git metadata), so `kubectl version`, the node's
      # kubeletVersion and Helm's kubeVersion checks see v1.34.x rather than v0.0.0-master.
      local pkg=k8s.io/component-base/version minor
      minor=$(echo "$version" | cut -d. -f2)
      ldflags="-s -w -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean" ;;
    coredns)
      version=$(required "$gomod" github.com/coredns/coredns)
      ldflags="-s -w -X github.com/coredns/coredns/coremain.GitCommit=$version"
      # Static: the same binary runs on the host and alone in an image (the conformance suite's).
      cgo=0 ;;
    metrics-server)
      version=$(required "$gomod" sigs.k8s.io/metrics-server)
      ldflags="-s -w -X k8s.io/client-go/pkg/version.gitVersion=$version -X k8s.io/client-go/pkg/version.gitTreeState=clean" ;;
  esac
}

required() { # go.mod, module → its version on a `require module vX` line
  awk -v m="$2" '$1 == "require" && $2 == m { print $3 }' "$1"
}

# build NAME → prints the cached binary's path, building its module once.
build() {
  module_for "$1"
  local dir="$root/hack/$mod"
  local key
  key=$( (cat "$dir/go.mod" "$dir/go.sum"; echo "$ldflags"; [ "$cgo" = 1 ] || echo "CGO_ENABLED=$cgo") | sha256sum | cut -c1-12)
  local cache="$cache_root/$mod/$version-$key"
  if [ -x "$cache/$1" ]; then echo "$cache/$1"; return; fi
  command -v go >/dev/null || { echo "kube-build: go is required (https://go.dev)" >&2; exit 1; }
  mkdir -p "$cache"
  # One build per module at a time (parallel test workers, make dev): the others wait, then find it.
  exec 9>"$cache/.lock"
  flock 9
  if [ ! -x "$cache/$1" ]; then compile "$cache" "$dir"; fi
  exec 9>&-
  echo "$cache/$1"
}

compile() { # cache dir, module dir
  local names=() p
  for p in "${pkgs[@]}"; do names+=("${p##*/}"); done
  echo "kube-build: building ${names[*]} $version (first run only; times in docs/development.md)" >&2
  local start
  start=$(date +%s)
  ( while sleep 30; do echo "kube-build: still building ${names[*]} ($(( $(date +%s) - start ))s)" >&2; done ) &
  ticker=$!
  trap 'kill $ticker 2>/dev/null || true' EXIT
  rm -rf "$1/.out" && mkdir -p "$1/.out"
  ( cd "$2" && CGO_ENABLED=$cgo go build -trimpath -ldflags="$ldflags" -o "$1/.out/" "${pkgs[@]}" ) >&2
  kill "$ticker" 2>/dev/null || true
  for p in "${names[@]}"; do mv "$1/.out/$p" "$1/$p"; done
  rmdir "$1/.out"
  echo "kube-build: built ${names[*]} in $(( $(date +%s) - start ))s" >&2
}

[ $# -gt 0 ] || { echo "usage: kube-build.sh NAME..." >&2; exit 2; }
for name in "$@"; do build "$name"; done
