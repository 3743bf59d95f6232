// Starts a TypeScript child process (node runs .ts directly) and resolves with its first stdout
// line parsed as JSON; the process is owned by the test and stopped by PID.
import { createInterface } from 'node:readline';
import { spawnManaged, type Managed } from '../../harness/processes.ts';
import { REPO_ROOT } from '../../harness/repo.ts';

export async function spawnTsChild(script: string, args: readonly string[], timeoutMs = 15_000): Promise<{ proc: Managed; first: Record<string, unknown> }> {
  const proc = spawnManaged(process.execPath, ['--disable-warning=ExperimentalWarning', script, ...args], { cwd: REPO_ROOT });
  let stderr = '';
  proc.child.stderr?.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  const stdout = proc.child.stdout;
  if (!stdout) throw new Error('child has no stdout');
  const lines = createInterface(stdout);
  const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`no output from ${script} in ${timeoutMs}ms: ${stderr}`)); }, timeoutMs);
    lines.once('line', (line) => { clearTimeout(timer); resolve(JSON.parse(line) as Record<string, unknown>); });
    void proc.exited.then((how) => { clearTimeout(timer); reject(new Error(`${script} exited (${how}): ${stderr}`)); });
  });
  return { proc, first };
}
