#!/usr/bin/env bash
# Runs buildah on the project's own image store, under the cache so images outlive `make clean`,
# with chroot isolation (no runc, no user namespaces). Every image script goes through here so
# they all see the same store: `scripts/buildah.sh images` lists it.
# Storage driver: overlay where the kernel mounts it on the cache's filesystem (the Bollard
# build takes ~65 s and ~1 GiB there), else vfs, which copies the whole root filesystem for each
# layer (~160 s and ~6 GiB). BOLLARD_BUILDAH_DRIVER forces one; each driver has its own store.
set -euo pipefail
cache="${BOLLARD_CACHE:-$HOME/.cache/bollard}"
mkdir -p "$cache"

overlay_works() {
  local probe
  probe=$(mktemp -d "$cache/.overlay-probe.XXXXXX")
  mkdir "$probe/lower" "$probe/upper" "$probe/work" "$probe/merged"
  if mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" "$probe/merged" 2>/dev/null; then
    umount "$probe/merged"
    rm -rf "$probe"
    return 0
  fi
  rm -rf "$probe"
  return 1
}

driver=${BOLLARD_BUILDAH_DRIVER:-}
if [ -z "$driver" ]; then
  # Probed once per cache: the answer belongs to the filesystem and kernel, not to the run.
  if [ ! -s "$cache/buildah.driver" ]; then
    if overlay_works; then echo overlay; else echo vfs; fi >"$cache/buildah.driver"
  fi
  driver=$(cat "$cache/buildah.driver")
fi
store="$cache/buildah-$driver"
mkdir -p "$store/root" "$store/runroot"
# `--store` prints the store's folder (for a size check) and runs nothing.
[ "${1:-}" != --store ] || { echo "$store"; exit 0; }
export BUILDAH_ISOLATION=chroot
exec buildah --root "$store/root" --runroot "$store/runroot" --storage-driver "$driver" "$@"
