// Which source a benchmark measured: the commit, and the files under src/ that differ from it
// when the processes under test were started (src/ may be edited while a benchmark runs).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../test/harness/repo.ts';

const run = promisify(execFile);

export interface SourceState {
  readonly commit: string;
  readonly changedSrcFiles: readonly string[];
  readonly at: string;
}

export async function sourceState(): Promise<SourceState> {
  const git = async (args: string[]): Promise<string> => (await run('git', args, { cwd: REPO_ROOT }).catch(() => ({ stdout: '' }))).stdout;
  const commit = (await git(['rev-parse', '--short', 'HEAD'])).trim();
  // Porcelain lines are "XY path": the status letters may start with a space, so never trim them.
  const changed = (await git(['status', '--porcelain', '--', 'src'])).split('\n').filter((l) => l.length > 3).map((l) => l.slice(3));
  return { commit: commit === '' ? 'unknown' : commit, changedSrcFiles: changed, at: new Date().toISOString() };
}
