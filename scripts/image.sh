#!/usr/bin/env bash
# `make image`: builds the controller image (Dockerfile) when a Docker engine answers. Without
# one it says so and exits 0, so `make image` is safe everywhere; IMAGE and TAG override the
# name (default ghcr.io/bollard/bollard:<package.json version>).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$root/package.json" | head -n1)
image="${IMAGE:-ghcr.io/bollard/bollard}:${TAG:-$version}"

if ! command -v docker >/dev/null 2>&1; then
  echo "image: no docker CLI on PATH; not building $image (the Dockerfile is unchanged and untested here)."
  exit 0
fi
if ! docker info >/dev/null 2>&1; then
  echo "image: no Docker engine answers (\`docker info\` failed); not building $image."
  echo "image: build it where an engine runs: docker build -t $image $root"
  exit 0
fi
revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$root" status --porcelain 2>/dev/null)" ]; then revision="$revision-dirty"; fi
echo "image: building $image (revision $revision)"
docker build "$root" -t "$image" \
  --build-arg "VERSION=$version" \
  --build-arg "REVISION=$revision" \
  --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
docker run --rm "$image" --help >/dev/null
echo "image: built $image; \`docker run --rm $image --help\` works"
