#!/usr/bin/env bash
# Builds the cluster's pause (pod sandbox) image without a registry or an image builder: the
# static program hack/pause/pause.c (gcc -static) as the only file of a one-layer image
# (scripts/binary-image.sh), a docker-archive tarball that `ctr images import` reads. Cached by the
# source's hash; prints the tarball's path on stdout.
#
# Usage: pause-image.sh IMAGE-NAME   (e.g. bollard.local/pause:1; the name is stored in the archive)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
name=${1:?usage: pause-image.sh IMAGE-NAME}
src="$root/hack/pause/pause.c"
key=$( (cat "$src" "$0" "$root/scripts/binary-image.sh"; echo "$name") | sha256sum | cut -c1-12)
cache="${BOLLARD_CACHE:-$HOME/.cache/bollard}/pause/$key"
out="$cache/pause.tar"
if [ -f "$out" ]; then echo "$out"; exit 0; fi
command -v gcc >/dev/null || { echo "pause-image: gcc is required (scripts/cluster-deps.sh)" >&2; exit 1; }
mkdir -p "$cache"
work=$(mktemp -d "$cache/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
gcc -static -Os -s -Wall -Wextra -Werror -o "$work/pause" "$src"
image=$(BOLLARD_CACHE="$work" "$root/scripts/binary-image.sh" --user 65535:65535 --binary "$work/pause" --entrypoint /pause "$name")
mv "$image" "$out"
echo "pause-image: built $name ($(stat -c %s "$out") bytes)" >&2
echo "$out"
