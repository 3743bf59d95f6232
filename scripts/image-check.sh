#!/usr/bin/env bash
# `make image-check`: runs the built Bollard image the way the chart runs it, with runc and no
# Docker engine: user 65532:65532, read-only root filesystem, a writable tmpfs on /tmp (the
# chart's emptyDir), every capability dropped, no new privileges, the image's own entrypoint.
#   scripts/image-check.sh [--kubeconfig FILE]
# Checks the image config (User, Entrypoint, ExposedPorts), `<entrypoint> --help`, that / is
# read-only and /tmp writable for that user; with --kubeconfig (e.g. `make up`'s
# .run/cluster/admin.kubeconfig) it also starts the controller in the host's network against
# that API server, waits for /readyz 200 and stops it with SIGTERM. Leaves nothing behind.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
name="${IMAGE:-bollard/bollard}:${TAG:-dev}"
kubeconfig=""
[ "${1:-}" != --kubeconfig ] || kubeconfig=$(realpath "$2")
buildah="$root/scripts/buildah.sh"
log() { echo "image-check: $*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

"$root/scripts/image-tools.sh"
# A cached tarball outlives the store (e.g. a wiped cache folder): load it back.
if ! "$buildah" inspect --type image "$name" >/dev/null 2>&1 && [ -f "$root/.run/images/bollard.tar" ]; then
  "$buildah" pull --quiet "docker-archive:$(realpath "$root/.run/images/bollard.tar")" >/dev/null
  "$buildah" tag "docker.io/$name" "$name"
fi
config=$("$buildah" inspect --type image "$name" | node -e 'let s = ""; process.stdin.on("data", (d) => { s += d; }).on("end", () => { console.log(JSON.stringify(JSON.parse(s).OCIv1.config)); })') \
  || fail "$name is not in the buildah store; run \`make image\` first"
field() { node -e 'const c = JSON.parse(process.argv[1]); console.log(JSON.stringify(c[process.argv[2]] ?? null))' "$config" "$1"; }
expect() { # $1 = config field, $2 = expected JSON
  [ "$(field "$1")" = "$2" ] || fail "$1 is $(field "$1"), want $2"
  log "ok: $1 $2"
}
expect User '"65532:65532"'
expect Entrypoint '["node","--min-semi-space-size=16","--max-semi-space-size=16","dist/main.js","controller"]'
expect ExposedPorts '{"10254/tcp":{},"8080/tcp":{},"8443/tcp":{}}'
expect WorkingDir '"/app"'

work=$(mktemp -d)
id="bollard-image-check-$$"
ctr=""
runc_state="$work/runc"
cleanup() {
  runc --root "$runc_state" delete --force "$id" >/dev/null 2>&1 || true
  if [ -n "$ctr" ]; then "$buildah" umount "$ctr" >/dev/null 2>&1 || true; "$buildah" rm "$ctr" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
ctr=$("$buildah" from --pull=never "$name")
# Readable by the container's user, as a Secret volume with the pod's fsGroup would be.
if [ -n "$kubeconfig" ]; then install -m 0440 -g 65532 "$kubeconfig" "$work/kubeconfig"; kubeconfig="$work/kubeconfig"; fi
rootfs=$("$buildah" mount "$ctr")

# An OCI bundle like the Pod the chart makes: $1 = JSON array of args after the entrypoint,
# $2 = "entrypoint" or a JSON array replacing it, $3 = "host" to share the host's network.
bundle() {
  rm -f "$work/config.json"
  runc spec --bundle "$work"
  node - "$work/config.json" "$rootfs" "$config" "$1" "$2" "${3:-}" "$kubeconfig" <<'EOF'
const fs = require('node:fs');
const [file, rootfs, configJson, argsJson, entry, network, kubeconfig] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
const image = JSON.parse(configJson);
const [uid, gid] = image.User.split(':').map(Number);
spec.root = { path: rootfs, readonly: true };
spec.process.terminal = false;
spec.process.user = { uid, gid, additionalGids: [gid] };
spec.process.cwd = image.WorkingDir;
spec.process.env = image.Env;
spec.process.args = [...(entry === 'entrypoint' ? image.Entrypoint : JSON.parse(entry)), ...JSON.parse(argsJson)];
spec.process.noNewPrivileges = true;
spec.process.capabilities = { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] };
spec.hostname = 'bollard-image-check';
// The chart's emptyDir on /tmp: writable by the pod's fsGroup.
spec.mounts.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', 'size=64m'] });
if (kubeconfig) spec.mounts.push({ destination: '/etc/bollard/kubeconfig', type: 'bind', source: kubeconfig, options: ['rbind', 'ro'] });
if (network === 'host') spec.linux.namespaces = spec.linux.namespaces.filter((ns) => ns.type !== 'network');
delete spec.linux.resources;
fs.writeFileSync(file, JSON.stringify(spec, null, 2));
EOF
}
run() { runc --root "$runc_state" run --bundle "$work" "$id"; }

bundle '["--help"]' entrypoint
run >"$work/help.out" 2>&1 || { cat "$work/help.out" >&2; fail "entrypoint --help exited non-zero"; }
grep -q '^Usage: bollard controller' "$work/help.out" || { cat "$work/help.out" >&2; fail "no usage from --help"; }
log "ok: entrypoint --help as 65532 with a read-only root ($(wc -l <"$work/help.out") lines)"

# shellcheck disable=SC2016 # JavaScript, run by node in the container
probe='const fs = require("node:fs");
for (const dir of ["/", "/app", "/app/dist"]) {
  try { fs.writeFileSync(dir + "/probe", "x"); console.log("writable " + dir); process.exit(1); } catch (e) { if (e.code !== "EROFS" && e.code !== "EACCES") throw e; }
}
fs.writeFileSync("/tmp/probe", "x");
console.log(`uid ${process.getuid()} gid ${process.getgid()}, / and /app read-only, /tmp writable`);'
bundle "[\"-e\", $(node -p 'JSON.stringify(process.argv[1])' "$probe")]" '["node"]'
run >"$work/probe.out" 2>&1 || { cat "$work/probe.out" >&2; fail "filesystem probe"; }
log "ok: $(tail -n1 "$work/probe.out")"

[ -n "$kubeconfig" ] || { log "passed (no --kubeconfig: the controller was not started)"; exit 0; }
bundle '["--kubeconfig=/etc/bollard/kubeconfig", "--bind-address=127.0.0.1", "--admin-address=127.0.0.1",
  "--http-port=0", "--https-port=0", "--admin-port=0", "--drain-seconds=0", "--workers=1"]' entrypoint host
run >"$work/controller.log" 2>&1 &
runc_pid=$!
admin=""
deadline=$(( $(date +%s) + 60 ))
while [ "$(date +%s)" -lt "$deadline" ] && kill -0 "$runc_pid" 2>/dev/null; do
  admin=$(sed -n 's/.*"msg":"listening".*"listener":"admin".*"port":\([0-9]*\).*/\1/p' "$work/controller.log" | head -n1)
  [ -n "$admin" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$admin/readyz")" = 200 ] && break
  sleep 0.2
done
if [ -z "$admin" ] || [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$admin/readyz")" != 200 ]; then
  tail -n 30 "$work/controller.log" >&2
  runc --root "$runc_state" kill "$id" KILL 2>/dev/null || true
  wait "$runc_pid" || true
  fail "the controller did not become ready"
fi
log "ok: controller ready (/readyz 200 on admin port $admin) with a read-only root, as 65532"
runc --root "$runc_state" kill "$id" TERM
rc=0
wait "$runc_pid" || rc=$?
[ "$rc" = 0 ] || { tail -n 20 "$work/controller.log" >&2; fail "the controller exited $rc after SIGTERM"; }
log "ok: SIGTERM → exit 0"
log "passed"
