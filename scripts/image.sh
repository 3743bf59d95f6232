#!/usr/bin/env bash
# `make image` / `make image-echo`: builds an image and writes it as a docker-archive tarball
# that `docker load` and containerd (`ctr -n k8s.io images import`) take. Prints the tarball's
# path on stdout; progress goes to stderr.
#   scripts/image.sh [bollard|echo|etcd]
#     bollard  the Dockerfile → ${IMAGE:-bollard/bollard}:${TAG:-dev}
#     echo     the cluster tests' backend (hack/images/echo) → bollard-test/echo:dev
#     etcd     the cluster tests' etcd for the chart's bundled StatefulSet (hack/images/etcd,
#              Debian's /usr/bin/etcd and its C library) → bollard-test/etcd:dev
# With a Docker engine (`docker info` answers) Docker builds it; otherwise buildah on the
# project's own store (scripts/buildah.sh) with the Node base made here (scripts/image-base.sh).
# The tarball is cached by a key of the inputs: a second run with nothing changed is instant.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-bollard}
cache="${BOLLARD_CACHE:-$HOME/.cache/bollard}/images"
log() { echo "image: $*" >&2; }

# Hash of the named files and of every file under the named folders, path and content.
inputs_key() {
  (cd "$root" && find "$@" -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-12
}

npm_config() { local v; v=$(npm config get "$1" 2>/dev/null || true); [[ "$v" =~ ^(null|undefined)?$ ]] || echo "$v"; }
build_npmrc() { # the host's registry and proxies as an npmrc for RUN steps; prints its path
  local file="$cache/build-npmrc" setting value
  : >"$file"
  for setting in registry proxy https-proxy noproxy; do
    value=$(npm_config "$setting")
    [ -z "$value" ] || echo "$setting=$value" >>"$file"
  done
  [ -z "$(build_ca)" ] || echo "cafile=/usr/local/etc/npm-build-ca.crt" >>"$file"
  echo "$file"
}
# The CAs this machine's npm trusts, when it trusts more than Node's own roots: npm's cafile,
# or Node's roots plus NODE_EXTRA_CA_CERTS (e.g. a TLS-inspecting proxy). Prints a file or "".
build_ca() {
  local file="$cache/build-ca.crt" cafile
  cafile=$(npm_config cafile)
  if [ -n "$cafile" ]; then echo "$cafile"; return; fi
  [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r "$NODE_EXTRA_CA_CERTS" ] || return 0
  { node -p "require('node:tls').rootCertificates.join('\\n')"; cat "$NODE_EXTRA_CA_CERTS"; } >"$file"
  echo "$file"
}

if docker info >/dev/null 2>&1; then engine=docker; else engine=buildah; fi
if [ "$engine" = buildah ] && [ "$(id -u)" != 0 ]; then
  echo "image: no Docker engine answers, and buildah here needs root (chroot isolation, overlay mounts)" >&2
  exit 1
fi
case "$what" in
  bollard)
    name="${IMAGE:-bollard/bollard}:${TAG:-dev}"
    version=$(node -p 'require(process.argv[1]).version' "$root/package.json")
    key=$(inputs_key Dockerfile .dockerignore package.json package-lock.json tsconfig.json tsconfig.build.json src)
    # With buildah the base image is made here, so it is an input too.
    [ "$engine" = docker ] || key=$( (echo "$key"; "$root/scripts/image-base.sh" --key) | sha256sum | cut -c1-12)
    ;;
  echo)
    name="bollard-test/echo:dev"
    key=$( (inputs_key hack/images/echo; go version) | sha256sum | cut -c1-12)
    ;;
  etcd)
    name="bollard-test/etcd:dev"
    etcd_bin=$(command -v etcd) || { echo "image: no etcd binary (make deps installs Debian's)" >&2; exit 1; }
    key=$( (inputs_key hack/images/etcd; sha256sum "$etcd_bin") | sha256sum | cut -c1-12)
    ;;
  *) echo "usage: scripts/image.sh [bollard|echo|etcd]" >&2; exit 2 ;;
esac
slug=$(echo "$name" | tr '/:' '__')
tarball="$cache/$slug-$engine-$key.tar"
link="$root/.run/images/$what.tar"

publish() { mkdir -p "$(dirname "$link")" && ln -sfn "$tarball" "$link" && echo "$tarball"; }
[ -f "$tarball" ] && { log "$name unchanged (key $key): $tarball"; publish; exit 0; }
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
[ -f "$tarball" ] && { publish; exit 0; }

start=$(date +%s)
context="$root"
dockerfile="$root/Dockerfile"
args=()
if [ "$what" = bollard ]; then
  revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
  [ -z "$(git -C "$root" status --porcelain 2>/dev/null)" ] || revision="$revision-dirty"
  args=(--build-arg "VERSION=$version" --build-arg "REVISION=$revision"
        --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)")
else
  context=$(mktemp -d)
  trap 'rm -rf "$context"' EXIT
  dockerfile="$context/Dockerfile"
  cp "$root/hack/images/$what/Dockerfile" "$dockerfile"
  if [ "$what" = echo ]; then
    log "go build hack/images/echo"
    (cd "$root/hack/images/echo" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$context/echo" .)
  else
    # The binary at the chart's path, and every shared object it loads at the same paths.
    install -D -m 0755 "$etcd_bin" "$context/rootfs/usr/local/bin/etcd"
    for lib in $(ldd "$etcd_bin" | grep -o '/[^ ]*'); do install -D -m 0755 "$lib" "$context/rootfs$lib"; done
  fi
fi

if [ "$engine" = docker ]; then
  log "building $name with Docker"
  docker build "$context" -f "$dockerfile" -t "$name" "${args[@]}" >&2
  docker save -o "$tarball.tmp" "$name"
else
  "$root/scripts/image-tools.sh"
  "$root/scripts/image-base.sh"
  log "building $name with buildah (no Docker engine answers)"
  # npm inside the build trusts and uses what npm on this machine does (CA file, proxy,
  # registry): bind-mounted for the RUN steps only, so none of it lands in the final image.
  mounts=(-v "$(build_npmrc):/usr/local/etc/npmrc:ro")
  ca=$(build_ca)
  [ -z "$ca" ] || mounts+=(-v "$ca:/usr/local/etc/npm-build-ca.crt:ro")
  # --network host: chroot isolation cannot set up a network of its own; npm needs one.
  # --layers: an unchanged stage (e.g. the npm install of the same lockfile) is reused.
  "$root/scripts/buildah.sh" build --pull=never --layers --network host --jobs 2 \
    "${mounts[@]}" -f "$dockerfile" -t "$name" "${args[@]}" "$context" \
    | sed -u 's/^/image:   /' >&2
  "$root/scripts/buildah.sh" push --quiet "$name" "docker-archive:$tarball.tmp:$name" >&2
  # --layers keeps every earlier build's stages as untagged images: past a cap, drop them all
  # (the next build of changed sources then runs npm install again).
  store_mib=$(du -sm "$("$root/scripts/buildah.sh" --store)" | cut -f1)
  if [ "$store_mib" -gt "${BOLLARD_BUILDAH_STORE_MIB:-6144}" ]; then
    log "buildah store is ${store_mib} MiB; removing untagged images"
    "$root/scripts/buildah.sh" rmi --prune >/dev/null
  fi
fi
mv "$tarball.tmp" "$tarball"
# Tarballs of earlier inputs of this image are stale.
find "$cache" -maxdepth 1 -name "$slug-*.tar" ! -name "$(basename "$tarball")" -delete
log "built $name with $engine in $(( $(date +%s) - start ))s: $tarball ($(du -m "$tarball" | cut -f1) MiB)"
publish
