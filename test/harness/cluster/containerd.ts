// containerd (Debian's 1.6) as the node's runtime, started directly — never the system service —
// with its own root, state, socket and configuration:
// - CRI with cgroupfs (SystemdCgroup false), the overlayfs snapshotter and our pause image;
// - disable_apparmor: the kernel may have AppArmor without the profile containerd wants;
// - restrict_oom_score_adj: these machines lack CAP_SYS_RESOURCE, and without it runc fails every
//   sandbox with "failed to update /proc/self/oom_score_adj: Permission denied" (only in runc's log);
// - CNI binaries from Debian's containernetworking-plugins, configuration from our folder.
// Images come from archives (`ctr images import`): there is no registry to pull from.
import { execFile } from 'node:child_process';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { commandLine, spawnManaged } from '../processes.ts';
import type { Managed } from '../processes.ts';
import { waitUntilReady } from '../readiness.ts';
import { PAUSE_IMAGE } from './layout.ts';
import type { ClusterPaths } from './layout.ts';

const run = promisify(execFile);
export const CNI_BIN_DIR = '/usr/lib/cni';
/** The CRI plugin's containerd namespace: images must be imported there for the kubelet to see them. */
export const CRI_NAMESPACE = 'k8s.io';

export class CtrError extends Error {
  readonly code = 'CTR_FAILED';
}

export function containerdConfig(paths: ClusterPaths): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = ${JSON.stringify(paths.containerdRoot)}
state = ${JSON.stringify(paths.containerdState)}

[grpc]
  address = ${JSON.stringify(paths.containerdSocket)}

[plugins."io.containerd.internal.v1.opt"]
  path = ${JSON.stringify(join(paths.containerdRoot, 'opt'))}

[${cri}]
  sandbox_image = ${JSON.stringify(PAUSE_IMAGE)}
  disable_apparmor = true
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"

[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[${cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false

[${cri}.cni]
  bin_dir = ${JSON.stringify(CNI_BIN_DIR)}
  conf_dir = ${JSON.stringify(paths.cniConfDir)}
`;
}

/** Runs `ctr` against our containerd, in the CRI namespace. */
export async function ctr(paths: ClusterPaths, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run('ctr', ['--address', paths.containerdSocket, '--namespace', CRI_NAMESPACE, ...args], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (err: unknown) {
    const stderr = typeof err === 'object' && err !== null && 'stderr' in err ? String(err.stderr) : String(err);
    throw new CtrError(`ctr ${args.join(' ')}: ${stderr.trim()}`);
  }
}

/** Imports a docker-archive or OCI tarball (buildah push, scripts/pause-image.sh) for the kubelet. */
export async function importImage(paths: ClusterPaths, tarPath: string): Promise<void> {
  await ctr(paths, ['images', 'import', tarPath]);
}

async function serving(paths: ClusterPaths): Promise<true | undefined> {
  const socket = await stat(paths.containerdSocket).catch(() => undefined);
  if (socket?.isSocket() !== true) return undefined;
  await ctr(paths, ['version']);
  return true;
}

export async function startContainerd(paths: ClusterPaths, detached: boolean): Promise<Managed> {
  await Promise.all([paths.containerdRoot, paths.containerdState].map((d) => mkdir(d, { recursive: true, mode: 0o711 })));
  await writeFile(paths.containerdConfig, containerdConfig(paths));
  const logFile = join(paths.dir, 'containerd.log');
  const proc = spawnManaged('containerd', ['--config', paths.containerdConfig], { logFile, detached });
  await waitUntilReady(proc, () => serving(paths), { what: 'containerd', timeoutMs: 30_000, intervalMs: 100, logFile });
  return proc;
}

/** The runc shims serving our containerd (their command line names its socket). */
export async function shimPids(paths: ClusterPaths): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => []);
  const needle = `-address ${paths.containerdSocket}`;
  return entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      const cmd = commandLine(pid);
      return cmd.includes('containerd-shim') && cmd.includes(needle);
    });
}
