#!/usr/bin/env bash
# Makes a one-layer image from one static binary, without a registry or an image builder, and
# writes it as a docker-archive tarball (`ctr images import` reads it) carrying every NAME given
# as a tag. For images the cluster must find under upstream names it cannot pull (the Gateway API
# conformance suite's echo-basic and CoreDNS). Cached by the binary's hash, the names and this
# script; prints the tarball's path on stdout.
#
# Usage: binary-image.sh --binary PATH --entrypoint /PATH-IN-IMAGE [--user UID:GID] NAME...
set -euo pipefail
binary='' entrypoint='' user='65532:65532'
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --entrypoint) entrypoint=$2; shift 2 ;;
    --user) user=$2; shift 2 ;;
    --) shift; break ;;
    -*) echo "binary-image: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ -n "$binary" ] && [ -n "$entrypoint" ] && [ $# -gt 0 ] || {
  echo "usage: binary-image.sh --binary PATH --entrypoint /PATH [--user UID:GID] NAME..." >&2; exit 2; }
[ -x "$binary" ] || { echo "binary-image: $binary is not an executable" >&2; exit 1; }
if file -L "$binary" | grep -q 'dynamically linked'; then
  echo "binary-image: $binary is dynamically linked; the image has no C library" >&2; exit 1
fi
key=$( (sha256sum <"$binary"; cat "$0"; echo "$entrypoint $user $*") | sha256sum | cut -c1-12)
cache="${BOLLARD_CACHE:-$HOME/.cache/bollard}/binary-images"
out="$cache/$(basename "$binary")-$key.tar"
if [ -f "$out" ]; then echo "$out"; exit 0; fi
mkdir -p "$cache"
work=$(mktemp -d "$cache/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs$(dirname "$entrypoint")" "$work/archive"
install -m 0755 "$binary" "$work/rootfs$entrypoint"
# Reproducible layer: fixed owner and time, so the same binary gives the same digest.
tar --create --file "$work/layer.tar" --directory "$work/rootfs" --owner=0 --group=0 --numeric-owner \
  --mtime=@0 --sort=name .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir "$work/archive/$diff_id"
mv "$work/layer.tar" "$work/archive/$diff_id/layer.tar"
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Entrypoint":["$entrypoint"],"User":"$user"},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},"history":[{"created_by":"scripts/binary-image.sh"}]}
JSON
config_id=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/archive/$config_id.json"
tags=$(printf '"%s",' "$@")
printf '[{"Config":"%s.json","RepoTags":[%s],"Layers":["%s/layer.tar"]}]\n' "$config_id" "${tags%,}" "$diff_id" \
  > "$work/archive/manifest.json"
tar --create --file "$work/image.tar" --directory "$work/archive" --owner=0 --group=0 --numeric-owner \
  --mtime=@0 --sort=name .
mv "$work/image.tar" "$out"
echo "binary-image: $* ($(du -m "$out" | cut -f1) MiB)" >&2
echo "$out"
