#!/usr/bin/env bash
# Builds (once) and prints the path of the pinned kube-apiserver; see kube-build.sh.
exec "$(dirname "$0")/kube-build.sh" kube-apiserver
