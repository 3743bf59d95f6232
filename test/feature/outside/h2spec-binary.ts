// Finds h2spec through scripts/h2spec.sh, which builds it once from hack/h2spec and caches it in
// ~/.cache/bollard; later calls print the cached path at once.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../harness/repo.ts';

export async function h2specBinary(): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [`${REPO_ROOT}/scripts/h2spec.sh`]);
  return stdout.trim();
}
