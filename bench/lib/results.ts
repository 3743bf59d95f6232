import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/harness/repo.ts';

/** Writes bench/results/<name>.json with the machine it ran on. */
export async function writeResults(name: string, figures: object): Promise<string> {
  const dir = join(REPO_ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '', node: process.version };
  await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), machine, ...figures }, null, 2)}\n`);
  return file;
}
