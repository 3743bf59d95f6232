#!/usr/bin/env bash
# Installs the Debian packages the one-node cluster (`make cluster`) needs on top of deps.sh:
# the container runtime, CNI plugins and the packet-filter tools kube-proxy drives. Kept apart
# from deps.sh so machines that only run `make test` do not pay for them. Idempotent: does nothing
# when everything is present. Nothing is started as a system service.
set -euo pipefail
need=()
command -v containerd >/dev/null || need+=(containerd)
command -v runc >/dev/null || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v iptables >/dev/null || need+=(iptables)
command -v conntrack >/dev/null || need+=(conntrack)
command -v nft >/dev/null || need+=(nftables) # teardown: lists and removes the tables iptables-nft created
command -v gcc >/dev/null || need+=(gcc libc6-dev) # the static pause program
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then echo "cluster-deps.sh: need root to apt-get install: ${need[*]}" >&2; exit 1; fi
echo "cluster-deps.sh: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps Debian from starting containerd as a system service; the cluster starts its own.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
