#!/usr/bin/env bash
# Builds the cluster's pause (pod sandbox) image without a registry or an image builder: the
# static program hack/pause/pause.c (gcc -static) as the only file of a one-layer image, written
# as a docker-archive tarball that `ctr images import` reads. Cached by the source's hash; prints
# the tarball's path on stdout.
#
# Usage: pause-image.sh IMAGE-NAME   (e.g. bollard.local/pause:1; the name is stored in the archive)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
name=${1:?usage: pause-image.sh IMAGE-NAME}
src="$root/hack/pause/pause.c"
key=$( (cat "$src" "$0"; echo "$name") | sha256sum | cut -c1-12)
cache="${BOLLARD_CACHE:-$HOME/.cache/bollard}/pause/$key"
out="$cache/pause.tar"
if [ -f "$out" ]; then echo "$out"; exit 0; fi
command -v gcc >/dev/null || { echo "pause-image: gcc is required (scripts/cluster-deps.sh)" >&2; exit 1; }
mkdir -p "$cache"
work=$(mktemp -d "$cache/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/rootfs" "$work/archive"
gcc -static -Os -s -Wall -Wextra -Werror -o "$work/rootfs/pause" "$src"
# Reproducible layer: fixed owner, mode and time, so the same source gives the same digest.
tar --create --file "$work/layer.tar" --directory "$work/rootfs" --owner=0 --group=0 --numeric-owner \
  --mtime=@0 --sort=name --mode=0755 pause
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir "$work/archive/$diff_id"
mv "$work/layer.tar" "$work/archive/$diff_id/layer.tar"
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/pause"],"User":"65535:65535"},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},"history":[{"created_by":"scripts/pause-image.sh"}]}
JSON
config_id=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/archive/$config_id.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]\n' "$config_id" "$name" "$diff_id" \
  > "$work/archive/manifest.json"
tar --create --file "$work/pause.tar" --directory "$work/archive" --owner=0 --group=0 --numeric-owner \
  --mtime=@0 --sort=name .
mv "$work/pause.tar" "$out"
echo "pause-image: built $name ($(stat -c %s "$out") bytes)" >&2
echo "$out"
